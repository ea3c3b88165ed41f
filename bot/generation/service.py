"""The generation service: accepts, submits, tracks, cancels and resumes generations.

See the package docstring (:mod:`bot.generation`) for the lifecycle and how the Discord
layer uses it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.errors import ErrorKind, JobNotFound, ServiceClosed, TooManyInFlight
from bot.generation.governor import SubmitGovernor
from bot.generation.health import HordeHealth, observe_live_jobs
from bot.generation.leases import JobLeases, LeaseLoop, release_quietly
from bot.generation.live import LiveJob, LiveJobs
from bot.generation.notify import Notifier, NullListener, settle
from bot.generation.outcomes import FAULTED, ended_by, error_info, split_status
from bot.generation.poller import Poller, PollEvent
from bot.generation.repository import JobRepository
from bot.generation.resume import ApiKeyResolver, ListenerFactory, Resumption
from bot.generation.retention import purge_daily, purge_finished
from bot.generation.state import (
    ErrorInfo,
    Generation,
    GenerationRequest,
    HordeStatus,
    JobKind,
    JobListener,
    JobRecord,
    JobSnapshot,
    JobState,
)
from bot.generation.submitter import Submitter
from bot.horde.errors import HordeError
from bot.logging_setup import job_context
from bot.metrics import record as metrics
from bot.webhooks.registry import WebhookRegistry

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import RequestStatusKobold

__all__ = ["ApiKeyResolver", "GenerationService", "ListenerFactory"]

log = logging.getLogger(__name__)


class GenerationService(Resumption):
    """Owns every generation in flight; one instance per bot.

    ``submit_retries`` / ``submit_backoff``: how a submit meeting an unavailable Horde is
    retried (see :mod:`bot.generation.submitter` for why that duplicate risk is accepted).
    """

    def __init__(
        self,
        client: HordeClient,
        governor: SubmitGovernor,
        poller: Poller,
        jobs: JobRepository,
        clock: Clock = SYSTEM_CLOCK,
        *,
        max_in_flight_per_user: int = 3,
        retention_days: float = 7.0,
        submit_retries: int = 3,
        submit_backoff: float = 2.0,
        close_grace: float = 5.0,
        webhooks: WebhookRegistry | None = None,
        leases: JobLeases | None = None,
    ) -> None:
        self._client = client
        self._governor = governor
        self._poller = poller
        self._jobs = jobs  # private: callers use the methods below
        self._clock = clock
        self.max_in_flight_per_user = max_in_flight_per_user
        self.retention_days = retention_days
        self._close_grace = close_grace
        self._webhooks = webhooks  # webhook mode: the per-job paths the Horde calls
        self._live = LiveJobs()
        # Whether every unfinished job in the database is in ``_live`` (see _in_flight_of).
        self._all_live = False
        self._admit = asyncio.Lock()
        self._notifier = Notifier(jobs, clock)
        self.horde_health = HordeHealth()
        self._submitter = Submitter(
            client,
            governor,
            clock,
            self._notifier.publish,
            health=self.horde_health,
            retries=submit_retries,
            backoff=submit_backoff,
            webhooks=webhooks,
        )
        self._purge_task: asyncio.Task[None] | None = None
        self._resumed = False
        self._closed = False
        self._leases = leases
        self._lease_loop: LeaseLoop | None = None
        self._background: set[asyncio.Task[bool]] = set()
        self._listener_factory: ListenerFactory = lambda record: NullListener()
        self._apikey_for: ApiKeyResolver | None = None
        poller.set_sink(self._on_poll)
        if webhooks is not None:
            webhooks.set_wake(poller.poke)  # an accepted call: confirm with one status read

    # --- lifecycle ------------------------------------------------------------------

    @property
    def governor(self) -> SubmitGovernor:
        """The submit governor (e.g. to pause submits while a test queues a burst)."""
        return self._governor

    async def start(self) -> None:
        """Start the governor and the poller, purge old jobs now and then daily (idempotent)."""
        if self._purge_task is not None and not self._purge_task.done():
            return
        self._closed = False
        observe_live_jobs(self._live)
        if self._leases is None and not self._resumed:  # one process holds every job (SQLite)
            self._all_live = await self._jobs.count_in_flight() == 0
        self._governor.start()
        self._poller.start()
        await self.purge()
        self._purge_task = asyncio.create_task(
            purge_daily(self._clock, self.purge, "generations"), name="job-purge"
        )

    async def close(self) -> None:
        """Stop without losing anything: unfinished jobs stay in the database for ``resume``.

        Submits already on the wire are awaited (up to ``close_grace``) so their Horde id is
        recorded; jobs still waiting in the bot's queue stay pending and are submitted again
        after the restart. Deliveries in progress get the same grace, then are cancelled
        (undelivered results are delivered again by the next ``resume``).
        """
        self._closed = True
        self._all_live = False  # the unfinished jobs stay stored, and leave memory below
        if self._purge_task is not None:
            self._purge_task.cancel()
        if self._lease_loop is not None:
            await self._lease_loop.stop()
        await self._governor.close()
        on_the_wire: list[asyncio.Task[None]] = []
        queued: list[asyncio.Task[None]] = []
        for job in list(self._live.values()):
            task = job.submit_task
            if task is not None and not task.done():
                (on_the_wire if job.submitting else queued).append(task)
        await settle(queued, 0.0)
        await settle(on_the_wire, self._close_grace)
        await self._governor.close()  # again: the grants those submits just settled are stored
        await self._poller.close()
        await self._notifier.close(self._close_grace)
        self._live.clear()
        if self._leases is not None:
            await release_quietly(self._leases)

    # --- queries --------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        """Jobs this process is working on (pending or submitted)."""
        return sum(1 for job in self._live.values() if not job.state.terminal)

    @property
    def queued_in_bot(self) -> int:
        """Jobs waiting in the bot's submit queue, or for the Horde to be reachable again."""
        live = self._live.values()
        waiting = sum(1 for job in live if job.waiting_for_horde and job.ticket is None)
        return self._governor.queued + waiting

    def snapshot(self, job_id: int) -> JobSnapshot | None:
        """The current snapshot of a job this process is working on (None otherwise)."""
        job = self._live.get(job_id)
        return job.snapshot() if job is not None else None

    async def get(self, job_id: int) -> JobRecord | None:
        """The stored job (Regenerate / Continue read its request; buttons its kind)."""
        return await self._jobs.get(job_id)

    async def history(self, user_id: int, kind: JobKind, limit: int, skip: int) -> list[JobRecord]:
        """A member's own jobs, newest first (/history; undelivered results included)."""
        return await self._jobs.list_recent(user_id, kind, limit=limit, offset=skip)

    async def count_in_flight(self, user_id: int | None = None) -> int:
        """Stored jobs pending or running (of one payer when given)."""
        return await self._jobs.count_in_flight(user_id)

    async def set_message_id(self, job_id: int, message_id: int) -> None:
        """Record the id of the reply once Discord created it (a restart edits that one)."""
        await self._jobs.set_message_id(job_id, message_id)

    # --- submit ---------------------------------------------------------------------

    async def submit(
        self,
        request: GenerationRequest,
        *,
        apikey: str,
        listener: JobListener,
        max_in_flight: int | None = None,
    ) -> int:
        """Accept a generation; returns its local job id at once (it runs in the background).

        Raises :class:`TooManyInFlight` when the payer already has ``max_in_flight`` (default
        ``max_in_flight_per_user``) jobs pending or running, :class:`ServiceClosed` while
        shutting down, ``ValueError`` for unknown submit options.
        """
        if self._closed:
            raise ServiceClosed()
        request.submit_options()  # fail fast on unknown options, before anything is stored
        limit = self.max_in_flight_per_user if max_in_flight is None else max_in_flight
        async with self._admit:
            if await self._in_flight_of(request.user_id) >= limit:
                raise TooManyInFlight(limit)
            now = self._clock.time()
            lease = self._leases.new() if self._leases is not None else None
            job_id = await self._jobs.insert(request, now=now, lease=lease)
        job = LiveJob(
            id=job_id,
            kind=request.kind,
            user_id=request.user_id,
            guild_id=request.guild_id,
            listener=listener,
            created_at=now,
        )
        self._live[job_id] = job
        self._start_submit(job, request, apikey)
        log.info("job %s accepted for user %s", job_id, request.user_id, extra={"job_id": job_id})
        return job_id

    async def _in_flight_of(self, user_id: int) -> int:
        """The user's pending or submitted jobs: from memory (no statement) while this process
        holds every unfinished job, else the stored count. Memory is the truer count anyway: a
        job whose end could not be stored is over though its row still says running."""
        if self._all_live:
            return self._live.of_user(user_id)
        return await self._jobs.count_in_flight(user_id)

    def _start_submit(self, job: LiveJob, request: GenerationRequest, apikey: str) -> None:
        job.submit_task = asyncio.create_task(
            self._run_submit(job, request, apikey),
            name=f"submit-{job.id}",
            context=job_context(job.id),  # its log records carry the job id
        )

    async def _run_submit(self, job: LiveJob, request: GenerationRequest, apikey: str) -> None:
        try:
            horde_id = await self._submitter.submit(job, request, apikey)
        except HordeError as exc:
            await self._finish(job, JobState.FAILED, error=error_info(exc))
            return
        except Exception:
            log.exception("submitting job %s failed unexpectedly", job.id)
            error = ErrorInfo(ErrorKind.INTERNAL, "Something went wrong inside the bot.")
            await self._finish(job, JobState.FAILED, error=error)
            return
        if horde_id is None:  # cancelled before the submit went out
            return
        now = self._clock.time()
        digest = self._webhooks.bind(job.id, horde_id) if self._webhooks else None
        try:
            # The grant's settle is stored first: a process killed between the two must not
            # leave a grant whose job is on the Horde counted as still open (shared budget).
            await self._governor.settled()
            await self._jobs.mark_submitted(job.id, horde_id, now=now, webhook_digest=digest)
        except Exception:
            # Keep serving the job from memory; only a restart before the next write could
            # submit it again.
            log.exception("could not store the Horde id of job %s", job.id)
        finally:
            job.submitting = False
        job.horde_id, job.submitted_at = horde_id, now
        if job.state.terminal:  # cancelled while the submit was on the wire
            await self._cancel_on_horde(job.id, horde_id)
            return
        job.state = JobState.SUBMITTED
        job.status_at = now
        self._notifier.publish(job)
        self._poller.track(job.id, horde_id, delay=self._poller.first_delay)

    # --- polling --------------------------------------------------------------------

    async def _on_poll(self, event: PollEvent) -> None:
        job = self._live.get(event.key)
        if job is None or job.state.terminal:
            return
        ended = ended_by(event)
        if ended is not None:
            await self._finish(job, ended.state, error=ended.error)
            return
        assert event.status is not None
        self.horde_health.answered()
        status, generations = split_status(event.status)
        if event.status.faulted:
            await self._finish(
                job, JobState.FAULTED, status=status, generations=generations, error=FAULTED
            )
        elif event.status.done:
            await self._finish(job, JobState.DONE, status=status, generations=generations)
        else:
            now = self._clock.time()
            if job.take_status(status, generations, now):
                await self._jobs.update_status(job.id, status, generations, now=now)
                job.status_saved_at = now
            if not job.state.terminal:  # a cancel may have ended it meanwhile
                self._notifier.publish(job)

    # --- cancel ---------------------------------------------------------------------

    async def cancel(self, job_id: int) -> bool:
        """Cancel a job: out of the bot's queue, or ``DELETE`` on the Horde.

        Final on our side even when the Horde leaves ``done`` false; the generations
        finished so far are kept. Returns False when the job had already ended; raises
        :class:`JobNotFound` for an unknown id.
        """
        job = self._live.get(job_id)
        if job is None or job.state.terminal:
            record = await self._jobs.get(job_id)
            if record is None:
                raise JobNotFound(job_id)
            if job is None and self._leases is not None and not record.state.terminal:
                await self._leases.ask_cancel(job_id)  # another process holds it
                return True
            return False
        if job.state is JobState.PENDING:
            if job.ticket is not None:
                job.ticket.cancel()
            if job.submit_task is not None and not job.submitting:
                job.submit_task.cancel()
            # A submit on the wire sees the terminal state and cancels on the Horde.
            await self._finish(job, JobState.CANCELLED)
            return True
        self._poller.untrack(job_id)
        assert job.horde_id is not None
        final = await self._cancel_on_horde(job_id, job.horde_id)
        status, generations = (
            (job.status, job.generations) if final is None else split_status(final)
        )
        await self._finish(job, JobState.CANCELLED, status=status, generations=generations)
        return True

    async def cancel_user(self, guild_id: int | None, user_id: int) -> int:
        """Cancel a member's jobs (in one guild when given); returns how many were cancelled."""
        records = await self._jobs.list_in_flight(user_id, guild_id)
        results = await asyncio.gather(*(self.cancel(r.id) for r in records))
        return sum(1 for cancelled in results if cancelled)

    async def _cancel_on_horde(self, job_id: int, horde_id: str) -> RequestStatusKobold | None:
        try:
            return await self._client.generate_cancel(horde_id, retries=1)
        except HordeError as exc:
            log.warning(
                "cancelling job %s on the Horde failed: %r", job_id, exc, extra={"job_id": job_id}
            )
            return None

    # --- ending and notifying ---------------------------------------------------------

    async def _finish(
        self,
        job: LiveJob,
        state: JobState,
        *,
        status: HordeStatus | None = None,
        generations: tuple[Generation, ...] | None = None,
        error: ErrorInfo | None = None,
    ) -> None:
        if job.state.terminal:
            return
        now = self._clock.time()
        # The in-memory state changes first, so a racing poll or cancel sees it at once.
        job.state, job.finished_at, job.error = state, now, error
        job.bot_position = None
        if status is not None:
            job.status = status
        if generations is not None:
            job.generations = generations
        self._poller.untrack(job.id)
        self._live.pop(job.id, None)
        if self._webhooks is not None:
            self._webhooks.close(job.id)
        try:
            await self._jobs.finish(
                job.id, state, now=now, status=status, generations=generations, error=error
            )
        except Exception:
            # The member still gets the result; the row is settled at the next resume.
            log.exception("could not store the end of job %s", job.id)
        log.info("job %s ended: %s", job.id, state, extra={"job_id": job.id})
        metrics.generation_finished(job.kind, state)
        self._notifier.publish(job)

    # --- purge --------------------------------------------------------------------------

    async def purge(self) -> int:
        """Delete jobs finished more than ``retention_days`` ago; returns how many."""
        return await purge_finished(self._jobs, self._clock, self.retention_days)
