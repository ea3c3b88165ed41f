"""The one shared style cache: served from memory, refreshed in the background when stale,
and silent towards the Horde for a while after its 429."""

from __future__ import annotations

import asyncio

from bot.horde import HordeClient
from bot.style_catalog import REFRESH_SECONDS, StyleCatalog, StyleLimitReached
from tests.fakes.horde import FakeHorde

LIST = "/v2/styles/text"


def list_reads(horde: FakeHorde) -> int:
    return len([r for r in horde.requests_to(LIST, "GET") if r.path == LIST])


async def test_stale_list_is_served_while_refreshed_in_the_background(
    fake_horde: FakeHorde,
) -> None:
    author = fake_horde.add_user("author")
    fake_horde.records.add_style("One", author, models=["m"])
    async with HordeClient(base_url=fake_horde.base_url, client_agent="t:1:t") as horde:
        catalog = StyleCatalog(horde, fake_horde.clock)
        assert [s.name for s in await catalog.styles()] == ["One"]
        fake_horde.records.add_style("Two", author, models=["m"])
        fake_horde.clock.advance(REFRESH_SECONDS - 1)
        assert [s.name for s in catalog.cached()] == ["One"]
        assert list_reads(fake_horde) == 1
        fake_horde.clock.advance(2)
        assert [s.name for s in catalog.cached()] == ["One"]  # stale, served at once
        for _ in range(100):
            if len(catalog.cached()) == 2:
                break
            await asyncio.sleep(0.01)
        assert sorted(s.name or "" for s in catalog.cached()) == ["One", "Two"]
        assert list_reads(fake_horde) == 2
        await catalog.close()


async def test_after_a_429_nothing_is_asked_for_a_while(fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("GET", LIST, kind="429", count=None)
    async with HordeClient(base_url=fake_horde.base_url, client_agent="t:1:t") as horde:
        catalog = StyleCatalog(horde, fake_horde.clock)
        for _ in range(3):
            try:
                await catalog.styles()
            except StyleLimitReached:
                pass
            else:
                raise AssertionError("a 429 must be reported")
        assert list_reads(fake_horde) == 1
        await catalog.close()
