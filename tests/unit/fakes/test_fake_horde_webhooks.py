"""The fake Horde's webhook calls: https only, one POST per generation, none on fault."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import submit


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording the JSON bodies it is sent."""

    def __init__(self) -> None:
        self.bodies: list[object] = []
        self.status = 200
        self.url = ""
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.got.set()
        return web.Response(status=self.status)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", got.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    got.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook/secret"
    yield got
    await runner.cleanup()


async def _settle(receiver: Receiver, count: int) -> None:
    async with asyncio.timeout(5):
        while len(receiver.bodies) < count:
            receiver.got.clear()
            await receiver.got.wait()


async def test_webhooks_must_be_https(horde: FakeHorde, alice: User, call) -> None:
    answer = await submit(call, webhook="http://example.org/hook/secret")
    assert answer.status == 400
    assert "https" in answer.body["message"]


async def test_one_call_per_generation_when_the_job_finishes(
    horde: FakeHorde, alice: User, call, receiver: Receiver
) -> None:
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call, webhook=receiver.url, params={"n": 2})).body["id"]
    await asyncio.sleep(0.1)
    assert receiver.bodies == []
    horde.clock.advance(10.0)  # no request needed: the fake wakes at the job's deadline
    await _settle(receiver, 1)
    horde.clock.advance(10.0)
    await _settle(receiver, 2)
    first, second = receiver.bodies
    assert isinstance(first, dict)
    assert isinstance(second, dict)
    assert first["request"] == second["request"] == horde_id
    assert first["id"] != second["id"]
    assert first["text"] == "[w1] reply to: Once upon a time"
    assert [c.tries for c in horde.webhooks.calls] == [1, 1]


async def test_a_refused_call_is_tried_three_times(
    horde: FakeHorde, alice: User, call, receiver: Receiver
) -> None:
    receiver.status = 500
    horde.add_worker("w1", seconds_per_job=1.0)
    await submit(call, webhook=receiver.url)
    horde.clock.advance(1.0)
    await _settle(receiver, 3)
    await asyncio.sleep(0.1)
    assert len(receiver.bodies) == 3
    assert horde.webhooks.calls[0].tries == 3


async def test_nothing_is_sent_on_fault_and_drops_are_recorded(
    horde: FakeHorde, alice: User, call, receiver: Receiver
) -> None:
    horde.add_worker("bad", seconds_per_job=1.0, fail=True)
    await submit(call, webhook=receiver.url)
    for _ in range(3):
        horde.clock.advance(1.0)
        await asyncio.sleep(0.05)
    horde.workers.clear()
    horde.add_worker("w1", seconds_per_job=1.0)
    horde.webhooks.drop_every = 1
    await submit(call, webhook=receiver.url)
    horde.clock.advance(1.0)
    await asyncio.sleep(0.2)
    assert receiver.bodies == []
    assert [c.dropped for c in horde.webhooks.calls] == [True]
