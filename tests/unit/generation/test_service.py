"""The generation service end to end against the fake Horde and a real database."""

from __future__ import annotations

import asyncio

import pytest

from bot.generation import (
    ErrorKind,
    GenerationRequest,
    JobNotFound,
    JobPhase,
    JobRecord,
    JobState,
    ReplyAddress,
    TooManyInFlight,
)
from bot.generation.repository import JobRepository
from tests.fakes.horde import FakeHorde
from tests.postgres.fixtures import sqlite_only
from tests.unit.generation.conftest import Recorder, ServiceFactory

ANON = "0000000000"
SUBMIT = "/v2/generate/text/async"


def _request(
    prompt: str = "once upon a time", user_id: int = 1, **kwargs: object
) -> GenerationRequest:
    return GenerationRequest(prompt=prompt, user_id=user_id, **kwargs)  # type: ignore[arg-type]


async def test_a_generation_goes_through_every_phase_and_ends_with_the_text(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    worker = fake_horde.add_worker("w1", seconds_per_job=0.4)
    worker.paused = True
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(_request("hello there"), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.phase is JobPhase.QUEUED_ON_HORDE)
    worker.paused = False
    final = await listener.wait_terminal()
    assert final.job_id == job_id
    assert final.state is JobState.DONE
    assert [g.text for g in final.generations] == ["[w1] reply to: hello there"]
    phases = [p for i, p in enumerate(listener.phases) if p not in listener.phases[:i]]
    assert phases == ["queued_in_bot", "submitting", "queued_on_horde", "processing", "done"]


async def test_the_first_snapshot_shows_the_place_in_the_bot_queue(
    make_service: ServiceFactory,
) -> None:
    service = await make_service()
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    first = await listener.wait_for(lambda s: True)
    assert first.phase is JobPhase.QUEUED_IN_BOT
    assert first.bot_position == 1


async def test_polls_that_change_nothing_visible_do_not_notify(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(_request(), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.queue_position is not None)  # the first poll
    record = await service.get(job_id)
    assert record is not None
    assert record.horde_id is not None
    status_path = f"/v2/generate/text/status/{record.horde_id}"
    polls_before = len(fake_horde.requests_to(status_path))
    count_before = len(listener.snapshots)
    await asyncio.sleep(0.7)
    polls = len(fake_horde.requests_to(status_path))
    assert polls > polls_before
    assert len(listener.snapshots) == count_before


async def test_cancel_keeps_the_generations_finished_so_far(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.3)
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(_request(params={"n": 3}), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.finished >= 1)
    assert await service.cancel(job_id) is True
    final = await listener.wait_terminal()
    assert final.state is JobState.CANCELLED
    assert 1 <= len(final.generations) < 3
    assert fake_horde.requests_to("/v2/generate/text/status", "DELETE")


async def test_cancel_of_a_job_queued_in_the_bot_never_submits_it(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    service = await make_service()
    service._governor.penalize(60)  # hold the bot's queue
    listener = Recorder()
    job_id = await service.submit(_request(), apikey=ANON, listener=listener)
    assert await service.cancel(job_id) is True
    final = await listener.wait_terminal()
    assert final.state is JobState.CANCELLED
    assert service.queued_in_bot == 0
    assert fake_horde.submit_times == []


async def test_a_job_cancelled_while_its_submit_is_on_the_wire_is_cancelled_on_the_horde(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.inject_fault("POST", SUBMIT, kind="slow", count=1, delay=0.3)
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(_request(), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.phase is JobPhase.SUBMITTING)
    assert await service.cancel(job_id) is True
    async with asyncio.timeout(3):
        while not fake_horde.requests_to("/v2/generate/text/status", "DELETE"):
            await asyncio.sleep(0.02)
    record = await jobs.get(job_id)
    assert record is not None
    assert (record.state, record.horde_id is not None) == (JobState.CANCELLED, True)


async def test_cancel_of_an_unknown_job_raises_job_not_found(
    make_service: ServiceFactory,
) -> None:
    service = await make_service()
    with pytest.raises(JobNotFound):
        await service.cancel(12345)


async def test_cancel_user_cancels_only_that_member_in_that_guild(
    make_service: ServiceFactory,
) -> None:
    service = await make_service()
    mine = [Recorder() for _ in range(2)]
    other = Recorder()
    for listener in mine:
        await service.submit(_request(guild_id=7), apikey=ANON, listener=listener)
    await service.submit(_request(user_id=2, guild_id=7), apikey=ANON, listener=other)
    assert await service.cancel_user(7, 1) == 2
    for listener in mine:
        assert (await listener.wait_terminal()).state is JobState.CANCELLED
    assert not any(s.terminal for s in other.snapshots)


async def test_a_member_over_the_in_flight_limit_is_refused(
    make_service: ServiceFactory,
) -> None:
    service = await make_service(max_in_flight_per_user=2)
    for _ in range(2):
        await service.submit(_request(), apikey=ANON, listener=Recorder())
    with pytest.raises(TooManyInFlight) as refused:
        await service.submit(_request(), apikey=ANON, listener=Recorder())
    assert refused.value.limit == 2


async def test_the_in_flight_limit_is_per_member(make_service: ServiceFactory) -> None:
    service = await make_service(max_in_flight_per_user=1)
    await service.submit(_request(user_id=1), apikey=ANON, listener=Recorder())
    job_id = await service.submit(_request(user_id=2), apikey=ANON, listener=Recorder())
    assert job_id > 0


async def test_a_refused_submit_fails_with_the_horde_reason(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.maintenance = True
    service = await make_service()
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    final = await listener.wait_terminal()
    assert final.state is JobState.FAILED
    assert final.error is not None
    assert (final.error.kind, final.error.rc) == (ErrorKind.MAINTENANCE, "MaintenanceMode")


async def test_a_rate_limited_submit_is_retried_after_retry_after(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    fake_horde.inject_fault("POST", SUBMIT, kind="429", count=1, retry_after=1)
    service = await make_service()
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    final = await listener.wait_terminal()
    submits = fake_horde.requests_to(SUBMIT, "POST")
    assert final.state is JobState.DONE
    assert len(submits) == 2
    assert submits[1].time - submits[0].time >= 0.95


async def test_a_submit_to_an_unavailable_horde_is_retried_then_fails(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.inject_fault("POST", SUBMIT, kind="503", count=None)
    service = await make_service(submit_retries=2)
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    final = await listener.wait_terminal()
    assert final.error is not None
    assert final.error.kind is ErrorKind.UNAVAILABLE
    assert len(fake_horde.requests_to(SUBMIT, "POST")) == 3


async def test_a_listener_that_raises_does_not_stop_other_jobs(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    service = await make_service()
    broken, healthy = Recorder(fail_always=True), Recorder()
    await service.submit(_request("a"), apikey=ANON, listener=broken)
    await service.submit(_request("b", user_id=2), apikey=ANON, listener=healthy)
    assert (await healthy.wait_terminal()).state is JobState.DONE
    assert (await broken.wait_terminal()).state is JobState.DONE


async def test_an_expired_request_ends_expired(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    service = await make_service()
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.phase is JobPhase.QUEUED_ON_HORDE)
    fake_horde.clock.advance(21 * 60)
    final = await listener.wait_terminal()
    assert final.state is JobState.EXPIRED
    assert final.error is not None
    assert final.error.kind is ErrorKind.EXPIRED


async def test_a_delivered_job_is_marked_and_its_token_erased(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(
        _request(reply=ReplyAddress(interaction_token="tok-abc")), apikey=ANON, listener=listener
    )
    await listener.wait_terminal()
    record = await _wait_delivered(jobs, job_id)
    assert record.reply.interaction_token is None


async def _wait_delivered(jobs: JobRepository, job_id: int) -> JobRecord:
    async with asyncio.timeout(3):
        while True:
            record = await jobs.get(job_id)
            assert record is not None
            if record.delivered_at is not None:
                return record
            await asyncio.sleep(0.01)


async def test_a_job_moves_up_the_bot_queue_when_one_ahead_is_cancelled(
    make_service: ServiceFactory,
) -> None:
    service = await make_service()
    service._governor.penalize(60)  # hold the bot's queue
    first = await service.submit(_request(user_id=1), apikey=ANON, listener=Recorder())
    waiting = Recorder()
    await service.submit(_request(user_id=2), apikey=ANON, listener=waiting)
    await waiting.wait_for(lambda s: s.bot_position == 2)
    await service.cancel(first)
    moved = await waiting.wait_for(lambda s: s.bot_position == 1)
    assert moved.phase is JobPhase.QUEUED_IN_BOT


async def test_a_graceful_close_waits_for_a_submit_on_the_wire_and_keeps_its_id(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.inject_fault("POST", SUBMIT, kind="slow", count=1, delay=0.3)
    service = await make_service()
    listener = Recorder()
    job_id = await service.submit(_request(), apikey=ANON, listener=listener)
    await listener.wait_for(lambda s: s.phase is JobPhase.SUBMITTING)
    await service.close()
    record = await jobs.get(job_id)
    assert record is not None
    assert record.state is JobState.SUBMITTED
    assert record.horde_id is not None


# Times the in-process governor on a 0.1 s "second": the database plays no part, and on
# PostgreSQL a second server process competing for the CPU only adds jitter to the gaps.
@sqlite_only
async def test_a_burst_of_50_from_10_members_respects_the_limits_and_completes(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    for i in range(3):
        fake_horde.add_worker(f"w{i}", seconds_per_job=0.01)
    scale = 0.1  # the governor's "second" lasts 0.1 s
    # On a compressed clock, HTTP jitter is large next to the 10 % default slack: widen it
    # so the assertion checks the governor, not how busy the machine is.
    service = await make_service(governor_scale=scale, governor_slack=0.5, max_in_flight_per_user=5)
    listeners = [Recorder() for _ in range(50)]
    for i, listener in enumerate(listeners):
        await service.submit(_request(user_id=i % 10), apikey=ANON, listener=listener)
    finals = await asyncio.gather(*(r.wait_terminal(timeout=15) for r in listeners))
    times = sorted(fake_horde.submit_times)
    assert [f.state for f in finals] == [JobState.DONE] * 50
    assert all(b - a >= scale * 0.9 for a, b in zip(times, times[2:], strict=False))


async def test_a_faulted_request_ends_faulted(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.add_worker("bad", seconds_per_job=0.02, fail=True)
    service = await make_service()
    listener = Recorder()
    await service.submit(_request(), apikey=ANON, listener=listener)
    final = await listener.wait_terminal()
    assert final.state is JobState.FAULTED
    assert final.error is not None
    assert final.error.kind is ErrorKind.FAULTED
