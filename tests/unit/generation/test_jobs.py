"""The job repository: round trip, state queries, delivery, purge."""

from __future__ import annotations

from bot.generation import (
    ErrorInfo,
    Generation,
    GenerationRequest,
    HordeStatus,
    JobKind,
    JobState,
    ReplyAddress,
)
from bot.generation.repository import JobRepository

NOW = 1_800_000_000.0


def _request(**kwargs: object) -> GenerationRequest:
    fields: dict[str, object] = {"prompt": "p", "user_id": 1, "guild_id": 10}
    fields.update(kwargs)
    return GenerationRequest(**fields)  # type: ignore[arg-type]


async def test_a_stored_job_reads_back_as_it_was_given(jobs: JobRepository) -> None:
    request = _request(
        kind=JobKind.CHAT,
        params={"max_length": 120, "n": 2},
        models=("a/b",),
        trusted_workers=True,
        options={"slow_workers": False},
        reply=ReplyAddress(
            channel_id=3, application_id=4, interaction_token="tok", private=True, issued_at=NOW
        ),
        context={"thread_id": 99},
    )
    job_id = await jobs.insert(request, now=NOW)
    record = await jobs.get(job_id)
    assert record is not None
    assert record.to_request() == request
    assert (record.state, record.created_at) == (JobState.PENDING, NOW)


async def test_unfinished_and_undelivered_jobs_are_listed_for_resume(
    jobs: JobRepository,
) -> None:
    pending = await jobs.insert(_request(), now=NOW)
    submitted = await jobs.insert(_request(), now=NOW)
    await jobs.mark_submitted(submitted, "horde-1", now=NOW)
    done = await jobs.insert(_request(), now=NOW)
    await jobs.finish(done, JobState.DONE, now=NOW, generations=[Generation("hi")])
    delivered = await jobs.insert(_request(), now=NOW)
    await jobs.finish(delivered, JobState.DONE, now=NOW)
    await jobs.mark_delivered(delivered, now=NOW)
    assert [r.id for r in await jobs.list_unfinished()] == [pending, submitted]
    assert [r.id for r in await jobs.list_undelivered()] == [done]


async def test_status_result_and_error_are_kept(jobs: JobRepository) -> None:
    job_id = await jobs.insert(_request(), now=NOW)
    status = HordeStatus(finished=1, waiting=1, queue_position=4, wait_time=12.0, kudos=3.5)
    await jobs.update_status(job_id, status, [Generation("one", model="m")], now=NOW + 1)
    error = ErrorInfo("faulted", "workers failed", rc=None)
    await jobs.finish(job_id, JobState.FAULTED, now=NOW + 2, error=error)
    record = await jobs.get(job_id)
    assert record is not None
    assert (record.status, record.generations, record.error) == (
        status,
        (Generation("one", model="m"),),
        error,
    )


async def test_in_flight_jobs_are_listed_by_member_and_guild(jobs: JobRepository) -> None:
    here = await jobs.insert(_request(guild_id=10), now=NOW)
    await jobs.insert(_request(guild_id=20), now=NOW)
    await jobs.insert(_request(user_id=2, guild_id=10), now=NOW)
    assert [r.id for r in await jobs.list_in_flight(1, 10)] == [here]
    assert await jobs.count_in_flight(1) == 2
    assert await jobs.count_in_flight() == 3


async def test_a_late_submit_does_not_revive_a_cancelled_job(jobs: JobRepository) -> None:
    job_id = await jobs.insert(_request(), now=NOW)
    await jobs.finish(job_id, JobState.CANCELLED, now=NOW)
    await jobs.mark_submitted(job_id, "horde-1", now=NOW)
    record = await jobs.get(job_id)
    assert record is not None
    assert (record.state, record.horde_id) == (JobState.CANCELLED, "horde-1")


async def test_the_message_id_can_be_set_later(jobs: JobRepository) -> None:
    job_id = await jobs.insert(_request(), now=NOW)
    await jobs.set_message_id(job_id, 555)
    record = await jobs.get(job_id)
    assert record is not None
    assert record.reply.message_id == 555


async def test_purge_removes_only_jobs_finished_before_the_cutoff(jobs: JobRepository) -> None:
    old = await jobs.insert(_request(), now=NOW)
    await jobs.finish(old, JobState.DONE, now=NOW)
    recent = await jobs.insert(_request(), now=NOW)
    await jobs.finish(recent, JobState.DONE, now=NOW + 100)
    running = await jobs.insert(_request(), now=NOW - 1000)
    assert await jobs.purge_finished(older_than=NOW + 50) == 1
    assert await jobs.get(old) is None
    assert await jobs.get(recent) is not None
    assert await jobs.get(running) is not None


async def test_dm_fallback_and_undelivered_are_kept(jobs: JobRepository) -> None:
    request = _request(reply=ReplyAddress(channel_id=3, dm_fallback=True))
    job_id = await jobs.insert(request, now=NOW)
    await jobs.finish(job_id, JobState.DONE, now=NOW, generations=[Generation("lost")])
    await jobs.mark_delivered(job_id, now=NOW + 1, undelivered=True)
    record = await jobs.get(job_id)
    assert record is not None
    assert record.reply.dm_fallback
    assert record.undelivered
    assert record.delivered_at == NOW + 1
    assert await jobs.list_undelivered() == []  # settled: not delivered again at each resume


async def test_recent_jobs_are_one_users_of_one_kind_newest_first(jobs: JobRepository) -> None:
    old = await jobs.insert(_request(), now=NOW)
    new = await jobs.insert(_request(), now=NOW + 5)
    await jobs.insert(_request(user_id=2), now=NOW + 6)
    await jobs.insert(_request(kind=JobKind.CHAT), now=NOW + 7)
    recent = await jobs.list_recent(1, JobKind.GENERATE, limit=5)
    assert [r.id for r in recent] == [new, old]
    assert [r.id for r in await jobs.list_recent(1, JobKind.GENERATE, limit=1, offset=1)] == [old]
