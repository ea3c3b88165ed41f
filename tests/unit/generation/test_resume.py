"""Nothing is lost: resume after a restart, re-delivery, purge, and the token kept secret."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from bot.generation import (
    GenerationRequest,
    JobPhase,
    JobRecord,
    JobState,
    PaidKey,
    Payer,
    ReplyAddress,
)
from bot.generation.repository import JobRepository
from bot.storage.database import Database
from tests.fakes.horde import FakeHorde
from tests.postgres.fixtures import sqlite_only
from tests.unit.generation.conftest import Recorder, ServiceFactory

ANON = "0000000000"


class Factory:
    """A listener factory that remembers the records it was given."""

    def __init__(self) -> None:
        self.records: dict[int, JobRecord] = {}
        self.listeners: dict[int, Recorder] = {}

    def __call__(self, record: JobRecord) -> Recorder:
        self.records[record.id] = record
        self.listeners[record.id] = Recorder()
        return self.listeners[record.id]


async def _anonymous(user_id: int, guild_id: int | None) -> PaidKey:
    return PaidKey(ANON, Payer.DEFAULT)


def _request(**kwargs: object) -> GenerationRequest:
    return GenerationRequest(prompt="resume me", user_id=1, **kwargs)  # type: ignore[arg-type]


async def test_a_submitted_job_completes_after_a_restart_under_the_same_id(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    worker = fake_horde.add_worker("w1", seconds_per_job=0.05)
    worker.paused = True
    first = await make_service()
    listener = Recorder()
    job_id = await first.submit(
        _request(reply=ReplyAddress(interaction_token="tok-1", channel_id=5)),
        apikey=ANON,
        listener=listener,
    )
    await listener.wait_for(lambda s: s.phase is JobPhase.QUEUED_ON_HORDE)
    await first.close()
    worker.paused = False
    second = await make_service()
    factory = Factory()
    assert await second.resume(factory, _anonymous) == 1
    final = await factory.listeners[job_id].wait_terminal()
    assert final.state is JobState.DONE
    assert final.generations[0].text == "[w1] reply to: resume me"
    assert (
        factory.records[job_id].reply.interaction_token,
        factory.records[job_id].reply.channel_id,
    ) == (
        "tok-1",
        5,
    )
    assert len(fake_horde.submit_times) == 1  # polled again, not submitted twice


async def test_a_job_still_queued_in_the_bot_is_submitted_after_a_restart(
    fake_horde: FakeHorde, make_service: ServiceFactory
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    first = await make_service()
    first._governor.penalize(60)  # the bot's queue never moves before the "crash"
    job_id = await first.submit(_request(), apikey=ANON, listener=Recorder())
    await first.close()
    assert fake_horde.submit_times == []
    second = await make_service()
    factory = Factory()
    await second.resume(factory, _anonymous)
    final = await factory.listeners[job_id].wait_terminal()
    assert final.state is JobState.DONE
    assert len(fake_horde.submit_times) == 1


async def test_a_result_whose_delivery_failed_is_delivered_again_on_resume(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    first = await make_service()
    failing = Recorder(fail_terminal=True)
    job_id = await first.submit(_request(), apikey=ANON, listener=failing)
    await failing.wait_terminal()
    await first.close()
    record = await jobs.get(job_id)
    assert record is not None
    assert record.delivered_at is None
    second = await make_service()
    factory = Factory()
    await second.resume(factory, _anonymous)
    final = await factory.listeners[job_id].wait_terminal()
    await second.close()
    record = await jobs.get(job_id)
    assert final.state is JobState.DONE
    assert record is not None
    assert record.delivered_at is not None


async def test_old_finished_jobs_are_purged_daily_and_running_ones_kept(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05, models=["only-this"])
    service = await make_service(retention_days=7)
    done = Recorder()
    finished_id = await service.submit(_request(models=("only-this",)), apikey=ANON, listener=done)
    await done.wait_terminal()
    running_id = await service.submit(
        _request(models=("nobody",)), apikey=ANON, listener=Recorder()
    )
    fake_horde.clock.advance(8 * 86400)  # wakes the daily purge
    async with asyncio.timeout(3):
        while await jobs.get(finished_id) is not None:
            await asyncio.sleep(0.02)
    assert await jobs.get(running_id) is not None


async def test_old_finished_jobs_are_purged_at_start(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    first = await make_service(retention_days=7)
    done = Recorder()
    job_id = await first.submit(_request(), apikey=ANON, listener=done)
    await done.wait_terminal()
    await first.close()
    fake_horde.clock.advance(8 * 86400)
    await make_service(retention_days=7)
    assert await jobs.get(job_id) is None


@sqlite_only  # reads the SQLite files; PostgreSQL's: tests/unit/core/test_postgres.py
async def test_the_interaction_token_is_never_stored_in_plaintext(
    make_service: ServiceFactory, jobs: JobRepository, db: Database
) -> None:
    token = "itok-" + secrets.token_hex(24)
    service = await make_service()
    service._governor.penalize(60)
    job_id = await service.submit(
        _request(reply=ReplyAddress(interaction_token=token)), apikey=ANON, listener=Recorder()
    )
    record = await jobs.get(job_id)
    assert record is not None
    assert record.reply.interaction_token == token
    files = [Path(f"{db.path}{suffix}") for suffix in ("", "-wal")]
    contents = b"".join(p.read_bytes() for p in files if p.exists())
    assert b"itok-" not in contents
    assert b"resume me" in contents  # the files were read while holding the job


async def test_a_job_whose_listener_cannot_be_made_still_completes(
    fake_horde: FakeHorde, make_service: ServiceFactory, jobs: JobRepository
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    first = await make_service()
    first._governor.penalize(60)
    job_id = await first.submit(_request(), apikey=ANON, listener=Recorder())
    await first.close()

    def broken(record: JobRecord) -> Recorder:
        raise LookupError("the channel is gone")

    second = await make_service()
    await second.resume(broken, _anonymous)
    async with asyncio.timeout(5):
        while (record := await jobs.get(job_id)) is None or record.delivered_at is None:
            await asyncio.sleep(0.02)
    assert record.state is JobState.DONE
