"""One submit budget for every bot process on one PostgreSQL database (one IP).

The Horde counts submits per IP: two processes on one host, each with its own
:class:`~bot.generation.governor.SubmitGovernor`, would together send twice the budget. This
governor keeps its own round robin between the members waiting in this process, and before each
grant reserves the slot in the shared ``submit_grants`` table under a transaction-scoped
advisory lock, by the database server's clock (the processes' clocks may disagree). When the
shared windows are full it waits until the earliest slot the others left.

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

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.governor import SubmitGovernor, earliest_grant
from bot.storage.database import Database

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
# The server's clock (Unix seconds) when the statement started, and the grants of the window
# (one round trip: a reservation costs BEGIN, lock, read, write, COMMIT).
_READ = (
    "SELECT extract(epoch FROM statement_timestamp())::float8 AS now, ARRAY("
    "SELECT at FROM submit_grants WHERE at > extract(epoch FROM statement_timestamp()) - ? "
    "ORDER BY at) AS grants"
)
_WRITE = (
    "WITH expired AS (DELETE FROM submit_grants WHERE at <= ?) "
    "INSERT INTO submit_grants (at) VALUES (?)"
)
_ANSWERED = (
    "UPDATE submit_grants SET at = extract(epoch FROM clock_timestamp())::float8 WHERE at = ?"
)
_UNUSED = "DELETE FROM submit_grants WHERE at = ?"


class SharedSubmitGovernor(SubmitGovernor):
    """A :class:`SubmitGovernor` whose windows also count the other processes' grants."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, **limits: float) -> None:
        limits.setdefault("slack", SHARED_SLACK)
        super().__init__(clock, **limits)  # type: ignore[arg-type]
        self._db = db
        self._settling: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        """Stop granting, after telling the table how the grants still being settled ended."""
        await super().close()
        if self._settling:
            await asyncio.gather(*self._settling, return_exceptions=True)

    async def _reserve_shared(self) -> tuple[float, object]:
        try:
            return await self._reserve()
        except Exception:
            # Fail safe: without the shared count, wait a whole spacing interval and retry.
            log.exception("the shared submit budget could not be read; waiting")
            return self._spacing, None

    async def _reserve(self) -> tuple[float, object]:
        """Reserve a slot now (0.0 and the row's handle) or say how long until one is free."""
        window = self._limits[-1][1]
        async with self._db.transaction() as tx:
            await tx.fetchone("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            row = await tx.fetchone(_READ, (window,))  # a statement after the lock: sees all
            assert row is not None
            now = float(row["now"])
            times = [float(t) for t in row["grants"]]
            earliest = earliest_grant(times, now, self._limits)
            if earliest > now:
                still_open = bool(times) and times[-1] > now
                return (min(earliest - now, OPEN_RECHECK) if still_open else earliest - now), None
            key = now + self.hold
            await tx.execute(_WRITE, (now - window, key))
        return 0.0, key

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
