"""The engine while the AI Horde cannot be reached: jobs wait, then go out when it is back.

The Horde is "down" when nothing listens on its port (``down_fake_horde``); the fake Horde is
started on that same port later, so the engine's client reaches it without being rebuilt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.generation import GenerationRequest, JobKind, JobPhase, JobState, Poller, SubmitGovernor
from bot.generation.repository import JobRepository
from bot.generation.service import GenerationService
from bot.horde import HordeClient
from bot.logging_setup import JsonFormatter
from tests.fakes.horde import FakeHorde
from tests.metrics_text import metric_value, scrape_registry
from tests.unit.generation.conftest import Recorder

ANON = "0000000000"
SUBMIT = "/v2/generate/text/async"


@pytest_asyncio.fixture
async def service(
    down_fake_horde: FakeHorde, jobs: JobRepository
) -> AsyncIterator[GenerationService]:
    down_fake_horde.rate_limits = False
    async with HordeClient(base_url=down_fake_horde.base_url, retries=0, timeout=5.0) as client:
        engine = GenerationService(
            client,
            SubmitGovernor(down_fake_horde.clock, time_scale=0.05, slack=0.1),
            Poller(client, down_fake_horde.clock, poll_min=0.05, poll_max=0.3, min_interval=0.02),
            jobs,
            down_fake_horde.clock,
            submit_retries=0,  # a refused connection must not count against these
            submit_backoff=0.01,
            close_grace=1.0,
        )
        await engine.start()
        try:
            yield engine
        finally:
            await engine.close()


def reachable() -> float:
    return metric_value(scrape_registry(), "horde_bot_horde_reachable")


def generations(state: str) -> float:
    return metric_value(scrape_registry(), "horde_bot_generations_total", kind="chat", state=state)


async def test_a_job_waits_while_the_horde_is_unreachable_and_goes_out_when_it_is_back(
    down_fake_horde: FakeHorde, service: GenerationService, caplog: pytest.LogCaptureFixture
) -> None:
    done_before = generations("done")
    listener = Recorder()
    request = GenerationRequest(prompt="are you there?", user_id=1, kind=JobKind.CHAT)
    with caplog.at_level(logging.INFO, logger="bot.generation"):
        job_id = await service.submit(request, apikey=ANON, listener=listener)
        waiting = await listener.wait_for(lambda s: s.phase is JobPhase.WAITING_FOR_HORDE)
        assert waiting.state is JobState.PENDING
        assert reachable() == 0
        scraped = scrape_registry()
        assert metric_value(scraped, "horde_bot_generations_queued", kind="chat") == 1
        assert metric_value(scraped, "horde_bot_generations_in_flight", kind="chat") == 0
        await asyncio.sleep(0.3)  # several tries meet the closed port; the job stays pending
        assert not listener.last.terminal
        down_fake_horde.add_worker("w1", seconds_per_job=0.05)
        await down_fake_horde.start(port=down_fake_horde.port)
        final = await listener.wait_terminal(timeout=10)
    assert final.state is JobState.DONE, final.error
    assert [g.text for g in final.generations] == ["[w1] reply to: are you there?"]
    assert len(down_fake_horde.requests_to(SUBMIT, "POST")) == 1
    assert reachable() == 1
    assert generations("done") == done_before + 1
    down = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(down) == 1, "told once, not once per try"
    assert any("answers again" in r.getMessage() for r in caplog.records)
    # Lines logged while working on the job name it in JSON logs: passed with extra= …
    accepted = next(r for r in caplog.records if "accepted" in r.getMessage())
    assert f'"job_id": {job_id}' in JsonFormatter().format(accepted)
    # … or known from the task that logged (here the submit task, through HordeHealth).
    assert f'"job_id": {job_id}' in JsonFormatter().format(down[0])


async def test_a_waiting_job_can_be_cancelled(service: GenerationService) -> None:
    listener = Recorder()
    job_id = await service.submit(
        GenerationRequest(prompt="never mind", user_id=2), apikey=ANON, listener=listener
    )
    await listener.wait_for(lambda s: s.phase is JobPhase.WAITING_FOR_HORDE)
    assert await service.cancel(job_id)
    assert (await listener.wait_terminal()).state is JobState.CANCELLED


async def test_a_waiting_job_stays_pending_over_a_restart(
    service: GenerationService, jobs: JobRepository
) -> None:
    listener = Recorder()
    job_id = await service.submit(
        GenerationRequest(prompt="later", user_id=3), apikey=ANON, listener=listener
    )
    await listener.wait_for(lambda s: s.phase is JobPhase.WAITING_FOR_HORDE)
    await service.close()
    stored = await jobs.get(job_id)
    assert stored is not None
    assert stored.state is JobState.PENDING
