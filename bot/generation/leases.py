"""Leases: which bot process works on each generation when several share one database.

Every generation that is unfinished or undelivered is held by one process (``lease_owner``:
the shards it runs, so a process restarted on the same shards takes its own jobs back at once)
until ``lease_expires_at``. The holder renews its leases every
third of ``lease_seconds``; a process that stops renewing (killed, host lost) loses them once
they expire, and the next renewal tick of any other process claims them (``FOR UPDATE SKIP
LOCKED``: two claimers never get the same row) and completes the same replies from the stored
interaction tokens. A process that stops cleanly releases its leases and NOTIFYs the others,
which claim at once instead of waiting for the expiry.

Only PostgreSQL is shared: with SQLite (one process) no leases are kept at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.storage.database import Database

__all__ = ["JobLeases", "LeaseLoop", "release_quietly"]

log = logging.getLogger(__name__)

# NOTIFY channels: "leases were released, claim them now"; "cancel job <payload>" (a Cancel
# pressed in a process that does not hold the job reaches the one that does).
CHANNEL = "horde_text_bot_leases"
CANCEL_CHANNEL = "horde_text_bot_cancel"


class JobLeases:
    """The lease columns of the ``generations`` table, for one process (``owner``)."""

    def __init__(self, db: Database, clock: Clock, *, owner: str, lease_seconds: float) -> None:
        self.owner = owner
        self.lease_seconds = lease_seconds
        self._db = db
        self._clock = clock

    @property
    def database(self) -> Database:
        return self._db

    def _until(self) -> float:
        return self._clock.time() + self.lease_seconds

    def new(self) -> tuple[str, float]:
        """The lease of a job this process accepts now: (owner, until), stored with the job."""
        return self.owner, self._until()

    async def take(self, job_id: int) -> None:
        """A job this process just accepted is its own."""
        await self._db.execute(
            "UPDATE generations SET lease_owner = ?, lease_expires_at = ? WHERE id = ?",
            (self.owner, self._until(), job_id),
        )

    async def renew(self) -> set[int]:
        """Extend every lease still ours; returns their ids (a job missing was taken over)."""
        rows = await self._db.fetchall(
            "UPDATE generations SET lease_expires_at = ? "
            "WHERE lease_owner = ? AND delivered_at IS NULL RETURNING id",
            (self._until(), self.owner),
        )
        return {int(row["id"]) for row in rows}

    async def claim(self, *, own: bool = False) -> list[int]:
        """Take every open job whose lease expired (or was never taken by a process that
        died between storing the job and leasing it) — with ``own``, at start, also the jobs
        this owner held before a restart; returns their ids, oldest first."""
        now = self._clock.time()
        rows = await self._db.fetchall(
            "UPDATE generations SET lease_owner = ?, lease_expires_at = ? WHERE id IN ("
            "SELECT id FROM generations WHERE delivered_at IS NULL AND (lease_expires_at < ? OR "
            "(lease_expires_at IS NULL AND created_at < ?) OR lease_owner = ?) "
            "FOR UPDATE SKIP LOCKED) RETURNING id",
            (
                self.owner,
                now + self.lease_seconds,
                now,
                now - self.lease_seconds,
                self.owner if own else None,
            ),
        )
        return sorted(int(row["id"]) for row in rows)

    async def ask_cancel(self, job_id: int) -> None:
        """Ask the process holding ``job_id`` to cancel it."""
        await self._db.execute("SELECT pg_notify(?, ?)", (CANCEL_CHANNEL, str(job_id)))

    async def release(self) -> None:
        """On a clean stop: let the others claim this process's jobs at once."""
        await self._db.execute(
            "UPDATE generations SET lease_expires_at = 0 WHERE lease_owner = ?", (self.owner,)
        )
        await self._db.execute(f"NOTIFY {CHANNEL}")


Adopt = Callable[[list[int]], Awaitable[None]]
Drop = Callable[[set[int]], None]
Cancel = Callable[[int], None]


class LeaseLoop:
    """Renews this process's leases and claims expired ones, every third of the lease.

    ``adopt(ids)`` takes claimed jobs into the engine; ``live()`` lists the jobs the engine
    works on; ``drop(ids)`` stops working on those whose lease another process took over
    (this one stalled past its lease); ``cancel(id)`` cancels a job another process was asked
    to cancel, if this one holds it.
    """

    def __init__(
        self,
        leases: JobLeases,
        adopt: Adopt,
        live: Callable[[], set[int]],
        drop: Drop,
        cancel: Cancel,
    ) -> None:
        self._leases = leases
        self._cancel = cancel
        self._adopt = adopt
        self._live = live
        self._drop = drop
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Any = None  # asyncpg connection LISTENing to CHANNEL

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="job-leases")

    async def _run(self) -> None:
        db = self._leases.database
        if db.dialect == "postgresql":
            await self._listen(db)
        interval = self._leases.lease_seconds / 3
        while True:
            try:
                held = self._live()  # before renewing: jobs accepted meanwhile are not lost
                lost = held - await self._leases.renew()
                if lost:
                    log.warning("lost the lease of %d generation(s) to another process", len(lost))
                    self._drop(lost)
                claimed = await self._leases.claim()
                if claimed:
                    log.info("took over %d generation(s) from a stopped process", len(claimed))
                    await self._adopt(claimed)
            except Exception:
                log.exception("renewing or claiming job leases failed; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def _listen(self, db: Database) -> None:
        """A dedicated connection (a pooled one would lose the LISTEN when given back)."""
        # Imported here, not with the module: the engine imports this module at start-up, and
        # a SQLite bot never needs asyncpg (32 modules, ~20 ms of python -m bot's imports).
        import asyncpg

        from bot.storage.postgres import PostgresDatabase

        assert isinstance(db, PostgresDatabase)
        try:
            self._listener = await asyncpg.connect(db.url.dsn)
            await self._listener.add_listener(CHANNEL, lambda *_: self._wake.set())
            await self._listener.add_listener(CANCEL_CHANNEL, self._on_cancel)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot LISTEN for released leases (%s); claiming on the timer", exc)

    def _on_cancel(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload.isdigit():
            self._cancel(int(payload))

    async def stop(self) -> None:
        """Stop renewing and claiming (the engine then releases what it still holds)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()


async def release_quietly(leases: JobLeases) -> None:
    """Release on a clean stop; if the database is gone, the leases simply expire."""
    try:
        await leases.release()
    except Exception as exc:
        log.warning("could not release job leases (%r); they expire on their own", exc)
