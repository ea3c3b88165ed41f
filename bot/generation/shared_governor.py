"""One submit budget for every bot process on one PostgreSQL database (one IP).

The Horde counts submits per IP: two processes on one host, each with its own
:class:`~bot.generation.governor.SubmitGovernor`, would together send twice the budget. This
governor reserves each slot in the shared ``submit_grants`` table under a transaction-scoped
advisory lock, by the database server's clock (the processes' clocks may disagree). When the
shared windows are full it waits until the earliest slot the others left.

Fairness between members holds across the processes: the slot goes to the member served least
recently by any process (round robin; members never served, or not for an hour, first, in the
order they started waiting). Each process keeps a row per member waiting in it in
``submit_waiting`` (written in the statement that takes the lock, only when its waiting members
changed or the rows are due for refreshing), and ``submit_served`` holds each member's last
grant. A process takes the slot only when the first member in that order waits in it, for that
member; otherwise the process holding that member takes it, and this one looks again shortly.
A member waiting in two processes still gets one turn per round: the order is by member. Rows
not refreshed for ``waiting_ttl`` seconds are a dead process's and are ignored (a live process
refreshes them at least every third of that while its members wait).

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
from bot.generation.governor import SubmitGovernor, earliest_grant
from bot.storage.database import Database, Session

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
# The server's clock (Unix seconds) when the statement started, and the grants of the window
# and the first waiting member in the fair order, with the process it waits in (one round trip:
# a reservation costs BEGIN, lock (with the waiting rows when they changed), read, write, COMMIT).
_READ = (
    "SELECT c.now, ARRAY(SELECT at FROM submit_grants WHERE at > c.now - ? ORDER BY at) AS grants,"
    " first.process, first.user_id"
    " FROM (SELECT extract(epoch FROM statement_timestamp())::float8 AS now) AS c"
    " LEFT JOIN LATERAL (SELECT w.process, w.user_id FROM submit_waiting w"
    " LEFT JOIN submit_served s ON s.user_id = w.user_id WHERE w.seen > c.now - ?"
    " ORDER BY s.at ASC NULLS FIRST, w.since, w.process, w.user_id LIMIT 1) AS first ON true"
)
# The lock, after writing which members wait in this process (their counts) and when: all of
# them when a refresh of ``seen`` is due, else only those whose count changed.
_LOCK = "SELECT pg_advisory_xact_lock(?)"
# Upserts the given members' counts (``seen`` now), then takes the lock; ``{gone}`` picks the
# rows of this process to delete first.
_SYNC_AND_LOCK = (
    "WITH gone AS (DELETE FROM submit_waiting WHERE process = ? AND {gone}), "
    "put AS (INSERT INTO submit_waiting (process, user_id, waiting, since, seen) "
    "SELECT ?, u, n, c.now, c.now FROM unnest(?::bigint[], ?::int[]) AS t(u, n), "
    "(SELECT extract(epoch FROM statement_timestamp())::float8 AS now) AS c "
    "ON CONFLICT (process, user_id) DO UPDATE "
    "SET waiting = excluded.waiting, seen = excluded.seen) "
    "SELECT pg_advisory_xact_lock(?)"
)
# Every member waiting here: rows of members not in the list go.
_SYNC_ALL_AND_LOCK = _SYNC_AND_LOCK.format(gone="NOT (user_id = ANY(?::bigint[]))")
# Only the members whose count changed: the first list is those who stopped waiting.
_SYNC_CHANGED_AND_LOCK = _SYNC_AND_LOCK.format(gone="user_id = ANY(?::bigint[])")
_WRITE = (
    "WITH expired AS (DELETE FROM submit_grants WHERE at <= ?), "
    "served AS (INSERT INTO submit_served (user_id, at) VALUES (?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET at = excluded.at) "
    "INSERT INTO submit_grants (at) VALUES (?)"
)
# Nobody waits in this process any more (and rows of processes long dead go); last grants
# older than an hour are forgotten (such a member simply counts as never served).
_IDLE = (
    "WITH c AS (SELECT extract(epoch FROM statement_timestamp())::float8 AS now), "
    "served AS (DELETE FROM submit_served WHERE at < (SELECT now FROM c) - 3600) "
    "DELETE FROM submit_waiting WHERE process = ? OR seen < (SELECT now FROM c) - ?"
)
_ANSWERED = (
    "UPDATE submit_grants SET at = extract(epoch FROM clock_timestamp())::float8 WHERE at = ?"
)
_UNUSED = "DELETE FROM submit_grants WHERE at = ?"


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
        self._settling: set[asyncio.Task[None]] = set()
        self._process = uuid.uuid4().hex  # names this process's rows in submit_waiting
        self._waiting_ttl = waiting_ttl
        self._longest_wait = waiting_ttl / 3  # look (and refresh the rows) at least this often
        self._written: dict[int, int] = {}  # the waiting members the table has for this process
        self._touched = set()  # the base governor records whose queue changed
        self._written_at = float("-inf")

    async def close(self) -> None:
        """Stop granting, after telling the table how the grants still being settled ended,
        and that nobody waits here any more."""
        await super().close()
        if self._settling:
            await asyncio.gather(*self._settling, return_exceptions=True)
        await self._idle()

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
        window = self._limits[-1][1]
        async with self._db.transaction() as tx:
            await self._lock(tx)
            # A statement after the lock: sees every grant and waiting row.
            row = await tx.fetchone(_READ, (window, self._waiting_ttl))
            assert row is not None
            now = float(row["now"])
            times = [float(t) for t in row["grants"]]
            earliest = earliest_grant(times, now, self._limits)
            if earliest > now:
                still_open = bool(times) and times[-1] > now
                wait = min(earliest - now, OPEN_RECHECK) if still_open else earliest - now
                return wait, None, None
            if row["process"] not in (None, self._process):
                return OPEN_RECHECK, None, None  # another process's member comes first
            # None: no live row at all (ours could not be written): this process's rotation.
            user = next(iter(self._queues), 0) if row["user_id"] is None else int(row["user_id"])
            key = now + self.hold
            await tx.execute(_WRITE, (now - window, user, now, key))
        return 0.0, key, user

    async def _lock(self, tx: Session) -> None:
        """Take the budget's lock, writing first who waits here if that changed (or is due
        for refreshing): in the same statement, so it costs no round trip of its own."""
        touched, self._touched = self._touched or set(), set()
        if self._clock.monotonic() - self._written_at > self._longest_wait:
            waiting = {user: len(queue) for user, queue in self._queues.items()}
            users = list(waiting)
            params = (self._process, users, self._process, users, list(waiting.values()))
            await tx.fetchone(_SYNC_ALL_AND_LOCK, (*params, LOCK_KEY))
            self._written, self._written_at = waiting, self._clock.monotonic()
            return
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
        if not put and not gone:
            await tx.fetchone(_LOCK, (LOCK_KEY,))
            return
        users = list(put)
        params = (self._process, gone, self._process, users, list(put.values()))
        await tx.fetchone(_SYNC_CHANGED_AND_LOCK, (*params, LOCK_KEY))
        self._written.update(put)
        for user in gone:
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
        task = asyncio.create_task(self._settle_row(key, answered), name="submit-grant-settle")
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle_row(self, key: object, answered: bool) -> None:
        try:
            await self._db.execute(_ANSWERED if answered else _UNUSED, (key,))
        except Exception:
            # The row keeps counting as open until ``hold`` has passed: slower, never over.
            log.warning("a submit grant could not be settled in the database", exc_info=True)
