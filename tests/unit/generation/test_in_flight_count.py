"""The per-member limit counts in memory only when this process holds every unfinished job."""

from __future__ import annotations

import pytest

from bot.generation import GenerationRequest, TooManyInFlight
from bot.generation.repository import JobRepository
from bot.storage.database import Database
from tests.fakes.horde import FakeHorde
from tests.postgres.fixtures import sqlite_only
from tests.unit.generation.conftest import Recorder, ServiceFactory

ANON = "0000000000"
NOW = 1_800_000_000.0


def _request(user_id: int = 1) -> GenerationRequest:
    return GenerationRequest(prompt="once upon a time", user_id=user_id)


@sqlite_only
async def test_a_process_holding_every_job_checks_the_limit_without_a_query(
    make_service: ServiceFactory, db: Database
) -> None:
    service = await make_service(max_in_flight_per_user=2)
    await service.submit(_request(), apikey=ANON, listener=Recorder())
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    await service.submit(_request(), apikey=ANON, listener=Recorder())
    with pytest.raises(TooManyInFlight):
        await service.submit(_request(), apikey=ANON, listener=Recorder())
    await db.conn.set_trace_callback(None)  # type: ignore[attr-defined]
    assert statements, "the accepted submit stored its job"
    assert not [s for s in statements if "COUNT(" in s.upper()]


async def test_jobs_stored_before_a_restart_count_before_and_after_resume(
    make_service: ServiceFactory, jobs: JobRepository, fake_horde: FakeHorde
) -> None:
    await jobs.insert(_request(), now=NOW)  # still pending from before the restart
    service = await make_service(max_in_flight_per_user=1)
    with pytest.raises(TooManyInFlight):
        await service.submit(_request(), apikey=ANON, listener=Recorder())

    async def key(user_id: int, guild_id: int | None) -> object:
        raise RuntimeError("not needed: the stored job is refused a key and fails")

    await service.resume(lambda record: Recorder(), key)  # type: ignore[arg-type]
    # The stored job could not be submitted again (no key): it ended, the member may submit.
    await service.submit(_request(), apikey=ANON, listener=Recorder())
    with pytest.raises(TooManyInFlight):
        await service.submit(_request(), apikey=ANON, listener=Recorder())
    await service.submit(_request(user_id=2), apikey=ANON, listener=Recorder())
