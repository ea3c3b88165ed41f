"""Status writes of one poll round share one executemany; an ended job keeps its status."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest

from bot.generation import GenerationRequest, HordeStatus, JobState
from bot.generation.repository import JobRepository
from bot.generation.write_batch import Row, WriteBatch

NOW = 1_800_000_000.0


def _status(position: int) -> HordeStatus:
    return HordeStatus.from_any({"waiting": 1, "queue_position": position, "wait_time": 30})


async def test_status_writes_of_one_round_go_in_one_batch(jobs: JobRepository) -> None:
    ids = [await jobs.insert(GenerationRequest(prompt="p", user_id=i), now=NOW) for i in range(5)]
    for job_id in ids:
        await jobs.mark_submitted(job_id, f"h{job_id}", now=NOW)
    before = jobs._status_batch.flushes
    await asyncio.gather(
        *(jobs.update_status(j, _status(k), (), now=NOW + 1) for k, j in enumerate(ids))
    )
    assert jobs._status_batch.flushes == before + 1
    for k, job_id in enumerate(ids):
        record = await jobs.get(job_id)
        assert record is not None
        assert record.status == _status(k)
        assert record.polled_at == NOW + 1


async def test_a_late_status_write_does_not_touch_an_ended_job(jobs: JobRepository) -> None:
    job_id = await jobs.insert(GenerationRequest(prompt="p", user_id=1), now=NOW)
    await jobs.mark_submitted(job_id, "h1", now=NOW)
    final = HordeStatus.from_any({"done": True, "finished": 1})
    await jobs.finish(job_id, JobState.DONE, now=NOW + 2, status=final)
    await jobs.update_status(job_id, _status(3), (), now=NOW + 3)
    record = await jobs.get(job_id)
    assert record is not None
    assert record.status == final


async def test_a_failed_batch_fails_every_caller_in_it() -> None:
    async def refuse(rows: Sequence[Row]) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    batch = WriteBatch(refuse)
    results = await asyncio.gather(batch.add((1,)), batch.add((2,)), return_exceptions=True)
    assert [type(r) for r in results] == [sqlite3.OperationalError] * 2
    assert batch.flushes == 1
    with pytest.raises(sqlite3.OperationalError):
        await batch.add((3,))


async def test_rows_added_while_a_batch_is_written_go_together_in_the_next() -> None:
    written: list[list[int]] = []
    release = asyncio.Event()

    async def slow(rows: Sequence[Row]) -> None:
        written.append([row[0] for row in rows])
        await release.wait()

    batch = WriteBatch(slow)
    first = asyncio.create_task(batch.add((1,)))
    while not written:
        await asyncio.sleep(0)
    later = [asyncio.create_task(batch.add((2,)))]
    for _ in range(3):  # several turns apart, all while the first batch is on the way
        await asyncio.sleep(0)
    later.append(asyncio.create_task(batch.add((3,))))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *later)
    assert written == [[1], [2, 3]]
    assert batch.flushes == 2


async def test_each_write_of_a_generation_is_batched_with_the_same_write_of_others(
    jobs: JobRepository,
) -> None:
    ids = [await jobs.insert(GenerationRequest(prompt="p", user_id=i), now=NOW) for i in range(4)]
    batches = (jobs._submitted_batch, jobs._finish_batch, jobs._delivered_batch)
    before = [b.flushes for b in batches]
    await asyncio.gather(*(jobs.mark_submitted(j, f"h{j}", now=NOW) for j in ids))
    final = HordeStatus.from_any({"done": True, "finished": 1})
    await asyncio.gather(*(jobs.finish(j, JobState.DONE, now=NOW + 1, status=final) for j in ids))
    await asyncio.gather(*(jobs.mark_delivered(j, now=NOW + 2) for j in ids))
    assert [b.flushes for b in batches] == [n + 1 for n in before]
    for job_id in ids:
        record = await jobs.get(job_id)
        assert record is not None
        assert (record.horde_id, record.state) == (f"h{job_id}", JobState.DONE)
        assert record.status == final
        assert record.delivered_at == NOW + 2
        assert record.reply.interaction_token is None
