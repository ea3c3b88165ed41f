"""Fixtures for the Horde client tests: a client wired to the fake Horde over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from aiohttp import web

from bot.horde import HordeClient
from tests.fakes.horde import FakeHorde
from tests.unit.horde.support import RecordingClock

AGENT = "horde-text-bot-tests:0.1.0:https://example.invalid/tests"
ALICE_KEY = "alice-key-0123456789"
MODEL = "koboldcpp/test-model"


@pytest_asyncio.fixture
async def clock(fake_horde: FakeHorde) -> RecordingClock:
    return RecordingClock(fake_horde.clock)


@pytest_asyncio.fixture
async def alice(fake_horde: FakeHorde):  # type: ignore[no-untyped-def]
    return fake_horde.add_user("alice", apikey=ALICE_KEY, kudos=1000.0)


@pytest_asyncio.fixture
async def horde(
    fake_horde: FakeHorde, clock: RecordingClock, alice: object
) -> AsyncIterator[HordeClient]:
    """A client whose default key is alice's; backoff sleeps go to the recording clock."""
    async with HordeClient(
        base_url=fake_horde.base_url, client_agent=AGENT, apikey=ALICE_KEY, clock=clock
    ) as client:
        yield client


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TinyApp = Callable[[Handler], Awaitable[str]]


@pytest_asyncio.fixture
async def tiny_app() -> AsyncIterator[TinyApp]:
    """Serve one handler on every path; for answers the fake Horde cannot give."""
    runners: list[web.AppRunner] = []

    async def serve(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/api"

    yield serve
    for runner in runners:
        await runner.cleanup()
