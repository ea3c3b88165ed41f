"""What the shared submit governor costs the database: one statement per reservation.

The statements are counted on the way to a real PostgreSQL database (the wrapper only counts).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.generation.shared_governor import SharedSubmitGovernor
from bot.storage.database import Database, Params

RESERVE = "SELECT * FROM submit_reserve"


class CountingDatabase:
    """``pg``, recording each statement sent (a transaction's BEGIN and COMMIT too)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.sent: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    async def execute(self, sql: str, params: Params = ()) -> int:
        self.sent.append(sql)
        return await self._db.execute(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        self.sent.append(sql)
        return await self._db.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> Any:
        self.sent.append(sql)
        return await self._db.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        self.sent.append("BEGIN")
        async with self._db.transaction() as tx:
            yield CountingSession(tx, self.sent)
        self.sent.append("COMMIT")


class CountingSession(CountingDatabase):
    def __init__(self, tx: Any, sent: list[str]) -> None:
        self._db = tx
        self.sent = sent


def fast_governor(db: CountingDatabase) -> SharedSubmitGovernor:
    # Limits so high that every reservation grants (one process alone on the database).
    return SharedSubmitGovernor(db, per_second=10**6, per_minute=10**8)  # type: ignore[arg-type]


async def grant_rows(pg: Database) -> list[float]:
    return [float(r["at"]) for r in await pg.fetchall("SELECT at FROM submit_grants")]


async def test_a_reservation_is_one_statement_and_a_burst_needs_no_clean_up(
    pg: Database,
) -> None:
    db = CountingDatabase(pg)
    governor = fast_governor(db)
    tickets = [governor.enqueue(user) for user in (1, 1, 2, 1, 2)]
    governor.start()
    try:
        for ticket in tickets:
            await ticket.wait()
            ticket.answered()
        # The last grant emptied the queue: the rows that said who waits here went with the
        # grants themselves.
        assert await pg.fetchall("SELECT * FROM submit_waiting") == []
    finally:
        await governor.close()
    reservations = [sql for sql in db.sent if sql.startswith(RESERVE)]
    assert len(reservations) == len(tickets)
    # Besides them, only writes of grants settled when no reservation was about to run.
    others = [sql for sql in db.sent if not sql.startswith(RESERVE)]
    assert all("submit_grants" in sql and "waiting" not in sql for sql in others), others
    assert len(others) <= len(tickets)
    server_now = await pg.fetchone("SELECT extract(epoch FROM clock_timestamp())::float8")
    assert server_now is not None
    assert all(at <= server_now[0] for at in await grant_rows(pg))  # every grant answered


async def test_a_grant_answered_before_the_next_reservation_is_settled_by_it(
    pg: Database,
) -> None:
    db = CountingDatabase(pg)
    governor = fast_governor(db)
    governor.start()
    try:
        first = governor.enqueue(1)
        await first.wait()
        second = governor.enqueue(1)  # wakes the governor: the next reservation starts now
        first.answered()  # in the same turn: it rides along with that reservation
        await second.wait()
        assert [sql for sql in db.sent if not sql.startswith(RESERVE)] == []
        server_now = await pg.fetchone("SELECT extract(epoch FROM clock_timestamp())::float8")
        assert server_now is not None
        answered = [at for at in await grant_rows(pg) if at <= server_now[0]]
        assert len(answered) == 1  # the first (the second is open until hold)
        second.unused()
    finally:
        await governor.close()
    assert len(await grant_rows(pg)) == 1  # the unused one is gone


async def test_a_reservation_does_not_wait_for_the_pool_s_busy_connections(
    pg: Database,
) -> None:
    governor = SharedSubmitGovernor(pg, per_second=1000, per_minute=100_000)
    # Every pooled connection busy for a second (in a burst: the jobs' own writes).
    busy = [asyncio.ensure_future(pg.fetchone("SELECT pg_sleep(1)")) for _ in range(10)]
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    governor.start()
    try:
        ticket = governor.enqueue(1)
        await asyncio.wait_for(ticket.wait(), 5)
        assert loop.time() - started < 0.5  # over its own connection, not after the sleeps
        ticket.answered()
    finally:
        await asyncio.gather(*busy)
        await governor.close()


async def answered_grants(pg: Database) -> int:
    server_now = await pg.fetchone("SELECT extract(epoch FROM clock_timestamp())::float8")
    assert server_now is not None
    return len([at for at in await grant_rows(pg) if at <= server_now[0]])


async def test_settled_returns_only_once_the_answered_grant_is_in_the_table(
    pg: Database,
) -> None:
    # The engine waits for this before storing a job's Horde id: a process killed between
    # the two must not leave the grant counted as open (a per-second slot of every process
    # for the whole hold; bench §7 stalled on exactly that).
    governor = fast_governor(CountingDatabase(pg))
    governor.start()
    try:
        first = governor.enqueue(1)
        await first.wait()
        first.answered()  # no reservation about to run: written by settled() at once
        await governor.settled()
        assert await answered_grants(pg) == 1
        second = governor.enqueue(1)  # a reservation starts and may carry the next settle
        third = governor.enqueue(2)
        await second.wait()
        second.answered()
        await governor.settled()
        assert await answered_grants(pg) == 2
        await third.wait()
        third.unused()
        await governor.settled()
        assert len(await grant_rows(pg)) == 2  # the unused one is gone
    finally:
        await governor.close()
