"""The bot processes running on one database, for ``/mod status``.

Every process keeps one row in ``bot_processes`` (its host, pid, shards and start time) and
renews ``last_seen`` on the lease cadence (every third of ``JOB_LEASE_SECONDS``); a clean stop
removes the row. A process is live while its row was seen within the lease time, so one that
was killed drops out of the list when its generations become claimable. Idle processes are
listed too (leases only show processes that hold generations).

With SQLite (one process) the table holds just this process's row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass

from bot.clock import Clock
from bot.storage.database import Database, Row

__all__ = ["ProcessInfo", "ProcessRegistry"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One live process: ``owner`` is its shards as its generations' leases name them."""

    id: str
    owner: str
    host: str
    pid: int
    started_at: float
    last_seen: float
    jobs: int  # generations it holds (unexpired leases; SQLite keeps none)
    this: bool = False


class ProcessRegistry:
    """This process's heartbeat row, and the list of every live one."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        owner: str,
        lease_seconds: float,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.owner = owner
        self.lease_seconds = lease_seconds
        self._db = db
        self._clock = clock
        self._host = host or socket.gethostname()
        self._pid = os.getpid() if pid is None else pid
        self._started_at = clock.time()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def register(self) -> None:
        """Add this process; a row of the same shards is a previous start of it (killed, so it
        never removed its row), and rows not seen for long are gone too."""
        now = self._clock.time()
        await self._db.execute(
            "DELETE FROM bot_processes WHERE owner = ? OR last_seen < ?",
            (self.owner, now - 10 * self.lease_seconds),
        )
        await self._insert(now)

    async def _insert(self, now: float) -> None:
        await self._db.execute(
            "INSERT INTO bot_processes (id, owner, host, pid, started_at, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen",
            (self.id, self.owner, self._host, self._pid, self._started_at, now),
        )

    async def beat(self) -> None:
        """Renew ``last_seen``; put the row back if another start of these shards removed it."""
        now = self._clock.time()
        changed = await self._db.execute(
            "UPDATE bot_processes SET last_seen = ? WHERE id = ?", (now, self.id)
        )
        if not changed:
            await self._insert(now)

    async def remove(self) -> None:
        await self._db.execute("DELETE FROM bot_processes WHERE id = ?", (self.id,))

    async def live(self) -> list[ProcessInfo]:
        """The processes seen within the lease time, this one first, then by shards."""
        now = self._clock.time()
        rows = await self._db.fetchall(
            "SELECT p.*, (SELECT COUNT(*) FROM generations g WHERE g.lease_owner = p.owner "
            "AND g.delivered_at IS NULL AND g.lease_expires_at > ?) AS jobs "
            "FROM bot_processes p WHERE p.last_seen >= ? ORDER BY p.owner, p.started_at",
            (now, now - self.lease_seconds),
        )
        found = [self._info(row) for row in rows]
        return sorted(found, key=lambda p: not p.this)

    def _info(self, row: Row) -> ProcessInfo:
        return ProcessInfo(
            id=str(row["id"]),
            owner=str(row["owner"]),
            host=str(row["host"]),
            pid=int(row["pid"]),
            started_at=float(row["started_at"]),
            last_seen=float(row["last_seen"]),
            jobs=int(row["jobs"]),
            this=row["id"] == self.id,
        )

    # --- the heartbeat ------------------------------------------------------------------------

    async def start(self) -> None:
        """Register, then renew on the lease cadence until :meth:`stop`."""
        await self.register()
        self._task = asyncio.create_task(self._run(), name="process-heartbeat")

    async def _run(self) -> None:
        while True:
            await self._clock.sleep(self.lease_seconds / 3)
            try:
                await self.beat()
                self._failing = False
            except Exception as exc:
                if not self._failing:  # once per outage: the database may be briefly away
                    log.warning("could not renew this process's heartbeat (%r); retrying", exc)
                self._failing = True

    async def stop(self) -> None:
        """Stop renewing and remove the row (if the database is gone, it simply expires)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await self.remove()
        except Exception as exc:
            log.warning("could not remove this process's heartbeat (%r); it expires", exc)
