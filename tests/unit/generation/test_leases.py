"""Job leases on PostgreSQL: one holder per job, expiry, claims that never overlap."""

from __future__ import annotations

import asyncio

from bot.generation import GenerationRequest, JobState
from bot.generation.leases import JobLeases
from bot.generation.repository import JobRepository
from bot.secrets import KeyVault
from bot.storage.database import Database
from tests.fakes.horde.clock import OffsetClock

LEASE = 30.0


async def stored_jobs(pg: Database, vault: KeyVault, count: int, clock: OffsetClock) -> list[int]:
    jobs = JobRepository(pg, vault, clock=clock)
    request = GenerationRequest(prompt="p", user_id=1, guild_id=10)
    return [await jobs.insert(request, now=clock.time()) for _ in range(count)]


def process(pg: Database, clock: OffsetClock, owner: str) -> JobLeases:
    return JobLeases(pg, clock, owner=owner, lease_seconds=LEASE)


async def test_a_held_job_is_claimed_only_after_its_lease_expired(
    pg: Database, vault: KeyVault
) -> None:
    clock = OffsetClock()
    a, b = process(pg, clock, "a"), process(pg, clock, "b")
    [job] = await stored_jobs(pg, vault, 1, clock)
    await a.take(job)
    assert await b.claim() == []
    clock.advance(LEASE - 1)
    assert (await a.renew(), await b.claim()) == ({job}, [])  # renewed: another LEASE
    clock.advance(LEASE + 1)  # a stopped renewing
    assert await b.claim() == [job]
    assert await a.renew() == set()  # a learns it lost the job


async def test_concurrent_claims_never_take_the_same_job(pg: Database, vault: KeyVault) -> None:
    clock = OffsetClock()
    jobs = await stored_jobs(pg, vault, 40, clock)
    clock.advance(LEASE + 1)  # never leased (their process died at once): claimable
    claimers = [process(pg, clock, f"p{i}") for i in range(4)]
    claimed = await asyncio.gather(*(c.claim() for c in claimers))
    taken = [job for ids in claimed for job in ids]
    assert sorted(taken) == jobs  # every job once, none twice


async def test_a_fresh_unleased_job_is_not_claimed(pg: Database, vault: KeyVault) -> None:
    clock = OffsetClock()
    await stored_jobs(pg, vault, 1, clock)  # its process is between storing and leasing it
    assert await process(pg, clock, "b").claim() == []


async def test_released_jobs_are_claimable_at_once_and_own_jobs_come_back_on_restart(
    pg: Database, vault: KeyVault
) -> None:
    clock = OffsetClock()
    first, second = await stored_jobs(pg, vault, 2, clock)
    a = process(pg, clock, "shards 0 of 2")
    await a.take(first)
    await a.release()
    assert await process(pg, clock, "b").claim() == [first]
    restarted = process(pg, clock, "shards 0 of 2")
    await restarted.take(second)
    assert await process(pg, clock, "c").claim() == []
    assert await process(pg, clock, "shards 0 of 2").claim(own=True) == [second]


async def test_delivered_jobs_are_neither_renewed_nor_claimed(
    pg: Database, vault: KeyVault
) -> None:
    clock = OffsetClock()
    [job] = await stored_jobs(pg, vault, 1, clock)
    a = process(pg, clock, "a")
    await a.take(job)
    jobs = JobRepository(pg, vault, clock=clock)
    await jobs.finish(job, JobState.DONE, now=clock.time())
    await jobs.mark_delivered(job, now=clock.time())
    clock.advance(LEASE + 1)
    assert (await a.renew(), await process(pg, clock, "b").claim()) == (set(), [])


async def test_a_job_stored_with_its_lease_is_held_from_the_insert(
    pg: Database, vault: KeyVault
) -> None:
    clock = OffsetClock()
    a, b = process(pg, clock, "a"), process(pg, clock, "b")
    jobs = JobRepository(pg, vault, clock=clock)
    request = GenerationRequest(prompt="p", user_id=1, guild_id=10)
    job = await jobs.insert(request, now=clock.time(), lease=a.new())  # no take() of its own
    clock.advance(LEASE + 1)  # old enough for an unleased job to be claimed
    assert await a.renew() == {job}  # a holds it, and so b cannot claim it
    assert await b.claim() == []
    clock.advance(LEASE + 1)  # a stopped renewing
    assert await b.claim() == [job]
