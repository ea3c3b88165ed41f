"""One submit budget for every bot process on one PostgreSQL database (one IP).

The Horde counts submits per IP: two processes on one host, each with its own
:class:`~bot.generation.governor.SubmitGovernor`, would together send twice the budget. This
governor reserves each slot in the shared ``submit_grants`` table under a transaction-scoped
advisory lock, by the database server's clock (the processes' clocks may disagree). When the
shared windows are full it waits until the earliest slot the others left.

A reservation is one round trip, over a connection of its own (never queued behind the jobs'
writes in the pool): the stored function ``submit_reserve`` (migration 012) takes the lock,
writes what changed here since the last one (grants settled, members waiting), reads the
windows and the fair order, and writes the grant. Grants settled while no reservation is about
to run are written together, one turn of the event loop later.

Fairness between members holds across the processes: the slot goes to the member served least
recently by any process (round robin; members never served, or not for an hour, first, in the
order they started waiting). Each process keeps a row per member waiting in it in
``submit_waiting`` (written by the reservation, only when its waiting members changed or the
rows are due for refreshing; the granted member's count goes down by one in the reservation
itself), and ``submit_served`` holds each member's last grant. A process takes the slot
only when the first member in that order waits in it, for that member; otherwise the process
holding that member takes it, and this one looks again shortly. A member waiting in two
processes still gets one turn per round: the order is by member. Rows not refreshed for
``waiting_ttl`` seconds are a dead process's and are ignored (a live process refreshes them at
least every third of that while its members wait).

A row's ``at`` is what :mod:`bot.generation.governor` counts for a grant: the latest moment
its request can reach the Horde. It is inserted as the reservation time plus ``hold`` (the
request may arrive any time until then) and, once the submit's answer came back, set to the
server's clock at that moment; a grant given back unused is deleted. The row's ``at`` is
also its handle: reservations are serialized by the lock, so no two are equal. A process
that dies holding a grant leaves its row until ``hold`` has passed: the others run one slot
short until then, never over the budget.

``HORDE_GOVERNOR_SCOPE=process`` keeps the per-process governor (processes on different IPs).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.governor import SubmitGovernor
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase

__all__ = ["SharedSubmitGovernor"]

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the shared budget ("HordeGov"; migrations use 0x486F726465).
LOCK_KEY = 0x486F7264_65476F76
# Fraction by which the shared windows are widened: the same as one process's. (It was 0.2
# while grants were counted from the grant time, to absorb cross-process send jitter; counted
# until the answer, that jitter is covered, and bench §8 held the budget with no 429 at 0.)
SHARED_SLACK = 0.1
# While another process's grant is open, look again this often (its answer frees the slot).
OPEN_RECHECK = 0.05
# A process's waiting rows not refreshed for this many (server) seconds are ignored: a dead
# process's members must not keep the others waiting for long.
WAITING_TTL = 3.0
# One reservation, one round trip: the stored function of migration 012 takes the lock,
# stores the grants settled since the last one and who waits here, reads the windows and the
# first member in the fair order, and writes the grant when it is this process's to take.
_RESERVE = (
    "SELECT * FROM submit_reserve(p_lock => ?, p_process => ?, p_answered => ?, p_unused => ?,"
    " p_sync_all => ?, p_gone => ?, p_users => ?, p_counts => ?, p_limits => ?,"
    " p_windows => ?, p_waiting_ttl => ?, p_hold => ?, p_fallback => ?)"
)
# Grants settled while no reservation was about to carry them: one statement for all of them.
_SETTLE = (
    "WITH unused AS (DELETE FROM submit_grants WHERE at = ANY(?::float8[])) "
    "UPDATE submit_grants SET at = extract(epoch FROM clock_timestamp())::float8 "
    "WHERE at = ANY(?::float8[])"
)
# Nobody waits in this process any more (and rows of processes long dead go); last grants
# older than an hour are forgotten (such a member simply counts as never served).
_IDLE = (
    "WITH c AS (SELECT extract(epoch FROM statement_timestamp())::float8 AS now), "
    "served AS (DELETE FROM submit_served WHERE at < (SELECT now FROM c) - 3600) "
    "DELETE FROM submit_waiting WHERE process = ? OR seen < (SELECT now FROM c) - ?"
)


class SharedSubmitGovernor(SubmitGovernor):
    """A :class:`SubmitGovernor` whose windows also count the other processes' grants, and
    whose turns go round robin over the members waiting in every process."""

    def __init__(
        self,
        db: Database,
        clock: Clock = SYSTEM_CLOCK,
        *,
        waiting_ttl: float = WAITING_TTL,
        **limits: float,
    ) -> None:
        limits.setdefault("slack", SHARED_SLACK)
        super().__init__(clock, **limits)  # type: ignore[arg-type]
        self._db = db
        self._process = uuid.uuid4().hex  # names this process's rows in submit_waiting
        self._waiting_ttl = waiting_ttl
        self._longest_wait = waiting_ttl / 3  # look (and refresh the rows) at least this often
        self._written: dict[int, int] = {}  # the waiting members the table has for this process
        self._touched = set()  # the base governor records whose queue changed
        self._written_at = float("-inf")
        # Grants settled here but not yet in the table (keys answered, keys unused): the next
        # reservation carries them, or the flusher writes them when none is about to run.
        self._answered: list[float] = []
        self._unused: list[float] = []
        self._reserving = False
        self._flusher: asyncio.Task[None] | None = None
        # Writes carrying settled grants still on their way, and who waits for them (settled).
        self._settles_in_flight = 0
        self._settle_waiters: list[asyncio.Future[None]] = []
        # Reservations go over a connection of their own: in a burst the pool's connections
        # are busy with the jobs' writes, and a reservation queued behind them lets the queue
        # of tickets grow (each grant then renumbers more of them).
        self._reserving_db: Database | None = None

    async def close(self) -> None:
        """Stop granting, after telling the table how the grants still being settled ended,
        and that nobody waits here any more."""
        await super().close()
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self._write_settled()
        await self._idle()
        if self._reserving_db is not None and self._reserving_db is not self._db:
            db, self._reserving_db = self._reserving_db, None
            await db.close()

    async def _reserve_shared(self) -> tuple[float, object, int | None]:
        try:
            return await self._reserve()
        except Exception:
            # Fail safe: without the shared count, wait a whole spacing interval and retry.
            log.exception("the shared submit budget could not be read; waiting")
            self._written_at = float("-inf")  # the waiting rows may not have been written
            return self._spacing, None, None

    async def _reserve(self) -> tuple[float, object, int | None]:
        """Reserve a slot now (0.0, the row's handle, the member it is for) or say how long
        until one may be free for this process."""
        answered, unused = self._take_settled()
        sync_all, gone, put = self._waiting_changes()
        self._reserving = True
        self._settles_in_flight += 1
        try:
            row = await (await self._reservations()).fetchone(
                _RESERVE,
                (
                    *(LOCK_KEY, self._process, answered, unused),
                    *(sync_all, gone, list(put), list(put.values())),
                    *([limit for limit, _ in self._limits], [w for _, w in self._limits]),
                    *(self._waiting_ttl, self.hold, next(iter(self._queues), 0)),
                ),
            )
        except BaseException:
            self._answered[:0], self._unused[:0] = answered, unused  # still to be written
            raise
        finally:
            self._reserving = False
            self._settle_write_ended()
            if self._answered or self._unused:
                self._flush_soon()  # settled meanwhile: written unless the next one carries them
        assert row is not None
        self._waiting_written(sync_all, gone, put)
        if row["grant_key"] is not None:
            user = int(row["grant_user"])
            self._one_fewer_written(user)
            return 0.0, float(row["grant_key"]), user
        wait = float(row["earliest"]) - float(row["server_now"])
        if wait <= 0:
            return OPEN_RECHECK, None, None  # another process's member comes first
        # While a grant is open, its answer may free the slot long before the window would.
        return (min(wait, OPEN_RECHECK) if row["open_grant"] else wait), None, None

    async def _reservations(self) -> Database:
        if self._reserving_db is None:
            db = self._db
            self._reserving_db = await db.dedicated() if isinstance(db, PostgresDatabase) else db
        return self._reserving_db

    def _waiting_changes(self) -> tuple[bool, list[int], dict[int, int]]:
        """Who waits here, for the table: (all of them, [], every count) when a refresh of
        ``seen`` is due, else (False, the members who left, the members whose count changed)."""
        touched, self._touched = self._touched or set(), set()
        if self._clock.monotonic() - self._written_at > self._longest_wait:
            return True, [], {user: len(queue) for user, queue in self._queues.items()}
        # Between refreshes only the members whose queue changed: a burst of a thousand
        # members would otherwise rewrite every row at each grant.
        put: dict[int, int] = {}
        gone: list[int] = []
        for user in touched:
            count = len(self._queues.get(user, ()))
            if count and self._written.get(user) != count:
                put[user] = count
            elif not count and user in self._written:
                gone.append(user)
        return False, gone, put

    def _waiting_written(self, sync_all: bool, gone: list[int], put: dict[int, int]) -> None:
        if sync_all:
            self._written, self._written_at = put, self._clock.monotonic()
            return
        self._written.update(put)
        for user in gone:
            del self._written[user]

    def _one_fewer_written(self, user: int) -> None:
        """The reservation counted the granted member's row here one request fewer."""
        count = self._written.get(user)
        if count is None:
            return
        if count > 1:
            self._written[user] = count - 1
        else:
            del self._written[user]

    async def _idle(self) -> None:
        if not self._written:
            return
        try:
            # Rows long expired (a dead process's) go too.
            await self._db.execute(_IDLE, (self._process, 10 * self._waiting_ttl))
            self._written = {}
        except Exception:
            # The rows expire after waiting_ttl: the others wait that long at most.
            log.warning("could not tell the others nobody waits here", exc_info=True)

    def _settle_shared(self, key: object, *, answered: bool) -> None:
        assert isinstance(key, float)
        (self._answered if answered else self._unused).append(key)
        self._flush_soon()

    def _take_settled(self) -> tuple[list[float], list[float]]:
        answered, unused = self._answered, self._unused
        self._answered, self._unused = [], []
        return answered, unused

    def _flush_soon(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="submit-grant-settle")

    async def _flush(self) -> None:
        """Write the settled grants no reservation carried: one turn of the loop later (a
        reservation starting then takes them along, and grants settled in the same turn join),
        and not while a reservation is on its way (it writes them again when it ends)."""
        while True:
            await asyncio.sleep(0)
            if self._reserving or not (self._answered or self._unused):
                return
            await self._write_settled()

    async def _write_settled(self) -> None:
        answered, unused = self._take_settled()
        if not answered and not unused:
            return
        self._settles_in_flight += 1
        try:
            await self._db.execute(_SETTLE, (unused, answered))
        except Exception:
            # The rows keep counting as open until ``hold`` has passed: slower, never over.
            log.warning("submit grants could not be settled in the database", exc_info=True)
        finally:
            self._settle_write_ended()

    async def settled(self) -> None:
        """Until every grant settled here so far is in the table (written now, or by the
        reservation or write already carrying it). The submitter's caller waits for this
        before storing a job's Horde id: a process killed in between would otherwise leave
        the grant counted as open, as arriving as late as it still can, which takes a slot
        of every process's per-second window for the whole hold."""
        while True:
            if (self._answered or self._unused) and not self._reserving:
                await self._write_settled()
            elif self._answered or self._unused or self._settles_in_flight:
                waiter = asyncio.get_running_loop().create_future()
                self._settle_waiters.append(waiter)
                await waiter
            else:
                return

    def _settle_write_ended(self) -> None:
        self._settles_in_flight -= 1
        waiters, self._settle_waiters = self._settle_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
