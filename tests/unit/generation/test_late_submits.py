"""A submit that reaches the Horde late never puts more than the budget in one of its windows.

Between the governor's grant and the moment the Horde's rate limiter counts the request lie
our own event loop (a garbage-collector pass, a busy loop in another process), the network
and the Horde's proxies. The fake Horde's "slow" fault holds one request for a while *before*
its limiter counts it, which is what the Horde sees of any of those delays. A governor that
spaced its grants from the grant time alone let the late request and the next grants meet
in one second (a 429); a grant counts until its answer came back, so they cannot.

The limiter is the fake's own, in real seconds, so these tests take a few seconds each.
"""

from __future__ import annotations

import asyncio
import time

from bot.clock import Clock
from bot.generation import GenerationRequest, SubmitGovernor
from bot.generation.health import HordeHealth
from bot.generation.live import LiveJob
from bot.generation.notify import NullListener
from bot.generation.shared_governor import SharedSubmitGovernor
from bot.generation.state import JobKind
from bot.generation.submitter import Submitter
from bot.horde import HordeClient
from bot.storage.database import Database
from tests.fakes.horde import FakeHorde

ANON = "0000000000"
SUBMIT = "/v2/generate/text/async"
PER_SECOND = 4  # the fake's budget and the governors' (above 2 to keep the test short)
LATE = 0.6  # how long the first submit is held before the Horde counts it


def _budget(horde: FakeHorde) -> None:
    horde.rate_limits = True  # refuse with 429 above the budget, counted on arrival
    horde.submit_limit_per_second = PER_SECOND
    horde.add_worker("w1").paused = True  # only the submits matter
    horde.inject_fault("POST", SUBMIT, kind="slow", count=1, delay=LATE)


async def _submit_all(
    client: HordeClient, governor: SubmitGovernor, clock: Clock, first_id: int, count: int
) -> None:
    """Submit ``count`` jobs of different users through the real submitter path."""
    submitter = Submitter(client, governor, clock, lambda job: None, health=HordeHealth())

    async def one(job_id: int) -> None:
        job = LiveJob(job_id, JobKind.GENERATE, job_id, None, NullListener(), time.time())
        request = GenerationRequest(prompt=f"prompt {job_id}", user_id=job_id)
        assert await submitter.submit(job, request, ANON) is not None

    governor.start()
    try:
        await asyncio.gather(*(one(first_id + i) for i in range(count)))
    finally:
        await governor.close()


def _refused(horde: FakeHorde) -> int:
    return len(horde.requests_to(SUBMIT, "POST")) - len(horde.text_requests)


async def test_a_late_submit_does_not_push_one_more_into_the_hordes_second(
    fake_horde: FakeHorde, client: HordeClient
) -> None:
    _budget(fake_horde)
    governor = SubmitGovernor(fake_horde.clock, per_second=PER_SECOND, per_minute=90)
    async with asyncio.timeout(20):
        await _submit_all(client, governor, fake_horde.clock, 1, 9)
    assert len(fake_horde.text_requests) == 9
    assert _refused(fake_horde) == 0  # not one 429


async def test_a_late_submit_of_one_process_is_counted_by_the_other(
    fake_horde: FakeHorde, client: HordeClient, pg: Database
) -> None:
    _budget(fake_horde)
    first, second = (
        SharedSubmitGovernor(pg, fake_horde.clock, per_second=PER_SECOND, per_minute=90)
        for _ in "ab"
    )
    async with asyncio.timeout(20):
        await asyncio.gather(
            _submit_all(client, first, fake_horde.clock, 1, 5),
            _submit_all(client, second, fake_horde.clock, 101, 5),
        )
    assert len(fake_horde.text_requests) == 10
    assert _refused(fake_horde) == 0  # not one 429
