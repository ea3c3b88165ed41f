"""The per-member own-workers cache: one Horde read per member per max_age, changes applied."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.horde import HordeClient
from bot.own_workers import OwnWorkersCache
from tests.fakes.horde import FakeHorde

MAX_AGE = 120.0


@pytest.fixture
async def horde(fake_horde: FakeHorde) -> AsyncIterator[HordeClient]:
    async with HordeClient(base_url=fake_horde.base_url, client_agent="test:1:x") as client:
        yield client


async def test_reads_once_per_member_until_it_is_too_old(
    fake_horde: FakeHorde, horde: HordeClient
) -> None:
    alice = fake_horde.add_user("alice")
    fake_horde.add_worker("b-box", owner=alice)
    fake_horde.add_worker("a-box", owner=alice)
    fake_horde.add_worker("not-hers")
    cache = OwnWorkersCache(horde, fake_horde.clock, max_age=MAX_AGE)
    first = await cache.get(1, alice.apikey)
    again = await cache.get(1, alice.apikey)
    assert [w.name for w in first] == ["a-box", "b-box"]
    assert again == first
    assert len(fake_horde.requests_to("/v2/find_user")) == 1
    fake_horde.clock.advance(MAX_AGE + 1)
    await cache.get(1, alice.apikey)
    assert len(fake_horde.requests_to("/v2/find_user")) == 2


async def test_renames_and_deletions_apply_at_once(
    fake_horde: FakeHorde, horde: HordeClient
) -> None:
    alice = fake_horde.add_user("alice")
    box = fake_horde.add_worker("box", owner=alice)
    other = fake_horde.add_worker("other", owner=alice)
    cache = OwnWorkersCache(horde, fake_horde.clock, max_age=MAX_AGE)
    await cache.get(1, alice.apikey)
    cache.renamed(1, box.id, "a-new-name")
    assert [w.name for w in cache.cached(1) or []] == ["a-new-name", "other"]
    cache.deleted(1, other.id)
    assert [w.id for w in await cache.get(1, alice.apikey)] == [box.id]
