"""One submit budget for every bot process on one PostgreSQL database (one IP).

The Horde counts submits per IP: two processes on one host, each with its own
:class:`~bot.generation.governor.SubmitGovernor`, would together send twice the budget. This
governor keeps its own round robin between the members waiting in this process, and before each
grant reserves the slot in the shared ``submit_grants`` table under a transaction-scoped
advisory lock, by the database server's clock (the processes' clocks may disagree). When the
shared windows are full it waits until the earliest slot the others left.

``HORDE_GOVERNOR_SCOPE=process`` keeps the per-process governor (processes on different IPs).
"""

from __future__ import annotations

import logging

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.governor import SubmitGovernor, earliest_grant
from bot.storage.database import Database

__all__ = ["SharedSubmitGovernor"]

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the shared budget ("HordeGov"; migrations use 0x486F726465).
LOCK_KEY = 0x486F7264_65476F76
# Fraction by which the shared windows are widened (one process: 0.1, see SubmitGovernor).
SHARED_SLACK = 0.2


class SharedSubmitGovernor(SubmitGovernor):
    """A :class:`SubmitGovernor` whose windows also count the other processes' grants."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, **limits: float) -> None:
        # Wider windows than one process needs: a grant reaches the Horde after a database
        # round trip and another process's event loop, so sends jitter more than in-process.
        limits.setdefault("slack", SHARED_SLACK)
        super().__init__(clock, **limits)  # type: ignore[arg-type]
        self._db = db

    async def _shared_wait(self) -> float:
        try:
            return await self._reserve()
        except Exception:
            # Fail safe: without the shared count, wait a whole spacing interval and retry.
            log.exception("the shared submit budget could not be read; waiting")
            return self._limits[0][1]

    async def _reserve(self) -> float:
        """Reserve a slot now (0.0) or say how long until one is free."""
        window = self._limits[-1][1]
        async with self._db.transaction() as tx:
            await tx.fetchone("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            row = await tx.fetchone("SELECT extract(epoch FROM clock_timestamp())::float8 AS now")
            assert row is not None
            now = float(row["now"])
            rows = await tx.fetchall(
                "SELECT at FROM submit_grants WHERE at > ? ORDER BY at", (now - window,)
            )
            earliest = earliest_grant((float(r["at"]) for r in rows), now, self._limits)
            if earliest > now:
                return earliest - now
            await tx.execute("INSERT INTO submit_grants (at) VALUES (?)", (now,))
            await tx.execute("DELETE FROM submit_grants WHERE at <= ?", (now - window,))
        return 0.0
