"""Resuming generations: after a restart, and when taking over a stopped process's jobs.

A mixin of :class:`~bot.generation.service.GenerationService` (it shares the engine's live
jobs, poller and notifier); kept apart so the engine's module stays about one thing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from bot.errors import UserFacingError
from bot.generation.leases import JobLeases, LeaseLoop
from bot.generation.live import LiveJob, LiveJobs
from bot.generation.notify import Notifier, listener_for
from bot.generation.outcomes import key_error
from bot.generation.poller import Poller
from bot.generation.repository import JobRepository
from bot.generation.state import (
    ErrorInfo,
    Generation,
    GenerationRequest,
    HordeStatus,
    JobListener,
    JobRecord,
    JobState,
    PaidKey,
)
from bot.webhooks.registry import WebhookRegistry

__all__ = ["ApiKeyResolver", "ListenerFactory", "Resumption"]

log = logging.getLogger(__name__)

ListenerFactory = Callable[[JobRecord], JobListener]
# (payer's Discord id, guild id or None) -> the key a resumed job is submitted with again.
ApiKeyResolver = Callable[[int, int | None], Awaitable[PaidKey]]


class Resumption:
    """Picks stored jobs up: at start (:meth:`resume`) and from expired leases."""

    _jobs: JobRepository
    _live: LiveJobs
    _all_live: bool
    _poller: Poller
    _notifier: Notifier
    _resumed: bool
    _leases: JobLeases | None
    _lease_loop: LeaseLoop | None
    _background: set[asyncio.Task[bool]]
    _listener_factory: ListenerFactory
    _apikey_for: ApiKeyResolver | None
    _webhooks: WebhookRegistry | None

    # Provided by the engine.
    async def cancel(self, job_id: int) -> bool:
        raise NotImplementedError

    def _start_submit(self, job: LiveJob, request: GenerationRequest, apikey: str) -> None:
        raise NotImplementedError

    async def _finish(
        self,
        job: LiveJob,
        state: JobState,
        *,
        status: HordeStatus | None = None,
        generations: tuple[Generation, ...] | None = None,
        error: ErrorInfo | None = None,
    ) -> None:
        raise NotImplementedError

    async def resume(
        self,
        listener_factory: ListenerFactory,
        apikey_for: ApiKeyResolver,
        *,
        owns: Callable[[JobRecord], bool] = lambda record: True,
    ) -> int:
        """After a restart: re-track every unfinished job and re-deliver undelivered results.

        ``owns(record)`` picks this process's jobs when several share the database (the
        others are left to the processes running their shards).

        ``listener_factory(record)`` makes the listener of each job (it gets the stored
        interaction token, message id, context…); ``apikey_for(user_id, guild_id)`` gives the
        payer's key for jobs that must be submitted again. Returns how many jobs were picked up.

        Only the first call does anything: a second one would deliver results twice.
        """
        if self._resumed:
            log.warning("resume() was called again; ignored")
            return 0
        self._resumed = True
        self._listener_factory, self._apikey_for = listener_factory, apikey_for
        if self._leases is not None:  # several processes: the jobs whose lease expired
            claimed = set(await self._leases.claim(own=True))
            owns = lambda record: record.id in claimed  # noqa: E731
            self._lease_loop = LeaseLoop(
                self._leases,
                self._adopt_ids,
                lambda: set(self._live),
                self._drop,
                self._cancel_held,
            )
            self._lease_loop.start()
        undelivered = [r for r in await self._jobs.list_undelivered() if owns(r)]
        stored = await self._jobs.list_unfinished()
        unfinished = [r for r in stored if owns(r)]
        count = await self._adopt(undelivered, unfinished)
        # One process, and every stored unfinished job is now live here: memory counts them.
        self._all_live = self._leases is None and len(unfinished) == len(stored)
        log.info("resumed %d generation(s)", count)
        return count

    async def _adopt_ids(self, job_ids: list[int]) -> None:
        """Jobs claimed from a process that stopped renewing its leases."""
        records = [r for r in [await self._jobs.get(i) for i in job_ids] if r is not None]
        undelivered = [r for r in records if r.state.terminal]
        await self._adopt(undelivered, [r for r in records if not r.state.terminal])

    async def _adopt(self, undelivered: list[JobRecord], unfinished: list[JobRecord]) -> int:
        """Deliver the ``undelivered`` results; poll (or submit again) the ``unfinished``."""
        listener_factory, apikey_for = self._listener_factory, self._apikey_for
        assert apikey_for is not None  # set by resume() before anything is adopted
        count = 0
        digests = await self._jobs.webhook_digests() if self._webhooks else {}
        for record in undelivered:
            job = LiveJob.from_record(record, listener_for(listener_factory, record))
            self._notifier.publish(job)
            count += 1
        for record in unfinished:
            if record.id in self._live:
                continue
            job = LiveJob.from_record(record, listener_for(listener_factory, record))
            self._live[record.id] = job
            count += 1
            if record.state is JobState.SUBMITTED and record.horde_id is not None:
                last_seen = record.polled_at or record.submitted_at or record.created_at
                if self._webhooks is not None and record.id in digests:
                    self._webhooks.restore(record.id, record.horde_id, digests[record.id])
                self._poller.track(record.id, record.horde_id, last_seen=last_seen)
                self._notifier.publish(job)
                continue
            await self._resubmit(job, record, apikey_for)
        return count

    def _cancel_held(self, job_id: int) -> None:
        """Another process was asked to cancel a job: do it if this one holds the job."""
        if job_id in self._live:
            task = asyncio.create_task(self.cancel(job_id), name=f"cancel-{job_id}")
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _drop(self, job_ids: set[int]) -> None:
        """Another process holds these jobs now: stop polling and delivering them here."""
        for job_id in job_ids:
            self._poller.untrack(job_id)
            self._live.pop(job_id, None)

    async def _resubmit(self, job: LiveJob, record: JobRecord, apikey_for: ApiKeyResolver) -> None:
        job.state = JobState.PENDING
        try:
            paid = await apikey_for(record.user_id, record.guild_id)
        except UserFacingError as exc:
            await self._finish(job, JobState.FAILED, error=key_error(exc.user_message))
            return
        except Exception:
            log.exception("no API key for resumed job %s", record.id, extra={"job_id": record.id})
            await self._finish(job, JobState.FAILED, error=key_error(None))
            return
        request = dataclasses.replace(record.to_request(), payer=paid.payer)
        self._start_submit(job, request, paid.apikey)
