"""The process registry behind /mod status, on SQLite and PostgreSQL: heartbeats, idle
processes, the generations each holds, expiry and clean removal."""

from __future__ import annotations

from bot.generation import GenerationRequest
from bot.generation.leases import JobLeases
from bot.generation.processes import ProcessInfo, ProcessRegistry
from bot.generation.repository import JobRepository
from bot.secrets import KeyVault
from bot.storage.database import Database
from tests.fakes.horde.clock import OffsetClock

LEASE = 30.0


def registry(db: Database, clock: OffsetClock, owner: str, pid: int) -> ProcessRegistry:
    return ProcessRegistry(db, clock, owner=owner, lease_seconds=LEASE, host="host-a", pid=pid)


def seen(processes: list[ProcessInfo]) -> list[tuple[str, int, int, bool]]:
    return [(p.owner, p.pid, p.jobs, p.this) for p in processes]


async def test_one_process_sees_just_itself(db: Database) -> None:
    clock = OffsetClock()
    only = registry(db, clock, "all shards", 41)
    await only.register()
    clock.advance(LEASE / 3)
    await only.beat()
    [me] = await only.live()
    assert (me.owner, me.host, me.pid, me.this) == ("all shards", "host-a", 41, True)
    assert LEASE / 3 <= me.last_seen - me.started_at < LEASE / 3 + 5  # renewed


async def test_idle_processes_are_listed_with_the_generations_each_holds(
    db: Database, vault: KeyVault
) -> None:
    clock = OffsetClock()
    zero, one = registry(db, clock, "shards 0 of 2", 10), registry(db, clock, "shards 1 of 2", 11)
    await zero.register()
    await one.register()
    job = await JobRepository(db, vault, clock=clock).insert(
        GenerationRequest(prompt="p", user_id=1, guild_id=10), now=clock.time()
    )
    await JobLeases(db, clock, owner="shards 1 of 2", lease_seconds=LEASE).take(job)
    assert seen(await zero.live()) == [
        ("shards 0 of 2", 10, 0, True),
        ("shards 1 of 2", 11, 1, False),
    ]
    assert seen(await one.live())[0] == ("shards 1 of 2", 11, 1, True)


async def test_a_process_that_stops_renewing_drops_out_after_the_lease(db: Database) -> None:
    clock = OffsetClock()
    alive, killed = registry(db, clock, "shards 0 of 2", 1), registry(db, clock, "shards 1 of 2", 2)
    await alive.register()
    await killed.register()
    clock.advance(LEASE - 1)
    await alive.beat()
    assert len(await alive.live()) == 2  # still within its lease
    clock.advance(2)
    assert seen(await alive.live()) == [("shards 0 of 2", 1, 0, True)]


async def test_a_clean_stop_removes_the_row_and_a_restart_replaces_a_killed_one(
    db: Database,
) -> None:
    clock = OffsetClock()
    first, other = registry(db, clock, "shards 0 of 2", 1), registry(db, clock, "shards 1 of 2", 2)
    await first.register()
    await other.register()
    restarted = registry(db, clock, "shards 0 of 2", 3)  # first was killed: no clean stop
    await restarted.register()
    assert seen(await other.live()) == [
        ("shards 1 of 2", 2, 0, True),
        ("shards 0 of 2", 3, 0, False),
    ]
    await first.beat()  # a process wrongly run twice on the same shards comes back
    assert len(await other.live()) == 3
    await restarted.remove()
    await first.remove()
    assert seen(await other.live()) == [("shards 1 of 2", 2, 0, True)]
