"""Hands snapshots to listeners: only visible changes, one call at a time per job.

Each job gets at most one drain task at a time, so listener calls never overlap, never run
on the poller's tasks, and collapse to the newest snapshot when the listener is slower than
the updates. The terminal snapshot is always delivered; when the listener returns normally
the job is marked delivered (which also erases its interaction token).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.clock import Clock
from bot.generation.errors import ResultUndeliverable
from bot.generation.live import LiveJob, visibly_changed
from bot.generation.repository import JobRepository
from bot.generation.state import JobListener, JobRecord, JobSnapshot
from bot.logging_setup import job_context

__all__ = ["Notifier", "NullListener", "listener_for", "settle"]

log = logging.getLogger(__name__)


class NullListener:
    """Used when no listener could be made for a resumed job: it is still completed."""

    async def on_update(self, snapshot: JobSnapshot) -> None:
        return None


def listener_for(factory: Callable[[JobRecord], JobListener], record: JobRecord) -> JobListener:
    """The listener of a resumed job; a :class:`NullListener` when none could be made."""
    try:
        return factory(record)
    except Exception:
        log.exception("no listener for resumed job %s", record.id, extra={"job_id": record.id})
        return NullListener()


class Notifier:
    """Publishes job snapshots to their listeners."""

    def __init__(self, jobs: JobRepository, clock: Clock) -> None:
        self._jobs = jobs
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def publish(self, job: LiveJob) -> None:
        """Queue the job's snapshot for its listener if it shows something new."""
        if job.published is not None and job.published.terminal:
            return
        snapshot = job.snapshot()
        if not visibly_changed(job.published, snapshot, self._clock.time()):
            return
        job.published = job.pending = snapshot
        if job.notifier is None or job.notifier.done():
            task = asyncio.create_task(
                self._drain(job), name=f"notify-{job.id}", context=job_context(job.id)
            )
            job.notifier = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def close(self, grace: float) -> None:
        """Let deliveries in progress finish for ``grace`` seconds, then cancel them."""
        await settle(list(self._tasks), grace)

    async def _drain(self, job: LiveJob) -> None:
        while job.pending is not None:
            snapshot, job.pending = job.pending, None
            undelivered = False
            try:
                await job.listener.on_update(snapshot)
            except ResultUndeliverable:
                log.info("the result of job %s reached nobody; kept for history", job.id)
                undelivered = True
            except Exception:
                log.exception("listener of job %s failed (state %s)", job.id, snapshot.state)
                continue
            if snapshot.terminal:
                try:
                    now = self._clock.time()
                    await self._jobs.mark_delivered(job.id, now=now, undelivered=undelivered)
                except Exception:
                    log.exception("could not record the delivery of job %s", job.id)


async def settle(tasks: list[asyncio.Task[None]], grace: float) -> None:
    """Give ``tasks`` ``grace`` seconds to finish, then cancel what is left."""
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
