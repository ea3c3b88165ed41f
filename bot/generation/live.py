"""The in-memory side of a running job: what it shows and how its listener is told.

A :class:`LiveJob` exists while a job is pending or submitted (and until its terminal
snapshot has been handed to the listener). Listener calls go through one drain task per job,
so they never overlap, never block the poller, and collapse when updates come faster than
the listener takes them — except the terminal snapshot, which is always delivered.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

from bot.generation.governor import Ticket
from bot.generation.state import (
    ErrorInfo,
    Generation,
    HordeStatus,
    JobKind,
    JobListener,
    JobPhase,
    JobRecord,
    JobSnapshot,
    JobState,
)

__all__ = ["LiveJob", "LiveJobs", "visibly_changed"]

# An ETA is re-announced only when it moves by more than this many seconds, or by more than
# a quarter of the time left: a Discord <t:…:R> timestamp already ticks by itself.
_ETA_SLACK = 15.0


# Seconds between two database writes of an unchanged status (see ``take_status``).
STATUS_SAVE_INTERVAL = 60.0


@dataclass(eq=False)
class LiveJob:
    """Mutable state of one job the service is working on."""

    id: int
    kind: JobKind
    user_id: int
    guild_id: int | None
    listener: JobListener
    created_at: float
    state: JobState = JobState.PENDING
    horde_id: str | None = None
    submitted_at: float | None = None
    finished_at: float | None = None
    bot_position: int | None = None
    status: HordeStatus | None = None
    status_at: float | None = None  # wall time of ``status``
    status_saved_at: float = 0.0  # wall time ``status`` was last written to the database
    generations: tuple[Generation, ...] = ()
    error: ErrorInfo | None = None
    ticket: Ticket | None = None
    submit_task: asyncio.Task[None] | None = None
    submitting: bool = False  # a submit request is on the wire: do not interrupt it
    waiting_for_horde: bool = False  # its last submit could not reach the Horde
    # notification
    published: JobSnapshot | None = None
    pending: JobSnapshot | None = None
    notifier: asyncio.Task[None] | None = None

    @classmethod
    def from_record(cls, record: JobRecord, listener: JobListener) -> LiveJob:
        return cls(
            id=record.id,
            kind=record.kind,
            user_id=record.user_id,
            guild_id=record.guild_id,
            listener=listener,
            created_at=record.created_at,
            state=record.state,
            horde_id=record.horde_id,
            submitted_at=record.submitted_at,
            finished_at=record.finished_at,
            status=record.status,
            status_at=record.polled_at,
            generations=record.generations,
            error=record.error,
        )

    def take_status(
        self, status: HordeStatus, generations: tuple[Generation, ...], now: float
    ) -> bool:
        """Keep a new status; True when it is worth a database write.

        Written on progress, and otherwise now and then (resume reads ``polled_at``): a
        ticking wait_time alone is not worth a database write per poll.
        """
        before = self.status.progress if self.status is not None else None
        progressed = status.progress != before or generations != self.generations
        self.status, self.status_at, self.generations = status, now, generations
        return progressed or now - self.status_saved_at >= STATUS_SAVE_INTERVAL

    def derive_phase(self) -> JobPhase:
        """The phase a user would be shown, from the state and the last status."""
        if self.state is JobState.PENDING:
            if self.waiting_for_horde:
                return JobPhase.WAITING_FOR_HORDE
            return JobPhase.SUBMITTING if self.submitting else JobPhase.QUEUED_IN_BOT
        if self.state is JobState.SUBMITTED:
            status = self.status
            if status is not None and (status.processing > 0 or status.finished > 0):
                return JobPhase.PROCESSING
            return JobPhase.QUEUED_ON_HORDE
        return JobPhase(self.state.value)

    def snapshot(self) -> JobSnapshot:
        status = self.status
        eta: float | None = None
        if status is not None and self.status_at is not None and not self.state.terminal:
            eta = self.status_at + status.wait_time
        return JobSnapshot(
            job_id=self.id,
            kind=self.kind,
            state=self.state,
            phase=self.derive_phase(),
            bot_position=self.bot_position if self.state is JobState.PENDING else None,
            queue_position=status.queue_position if status else None,
            wait_time=status.wait_time if status else None,
            is_possible=status.is_possible if status else True,
            kudos=status.kudos if status else 0.0,
            finished=status.finished if status else 0,
            processing=status.processing if status else 0,
            waiting=status.waiting if status else 0,
            generations=self.generations,
            error=self.error,
            created_at=self.created_at,
            submitted_at=self.submitted_at,
            finished_at=self.finished_at,
            eta=eta,
            horde_id=self.horde_id,
        )


class LiveJobs(MutableMapping[int, LiveJob]):
    """The jobs the engine is working on, by id, with how many each user has (kept as jobs
    come and go, so the per-user limit is checked without a look at every job)."""

    def __init__(self) -> None:
        self._jobs: dict[int, LiveJob] = {}
        self._per_user: Counter[int] = Counter()

    def of_user(self, user_id: int) -> int:
        """How many of the jobs are ``user_id``'s."""
        return self._per_user[user_id]

    def __getitem__(self, job_id: int) -> LiveJob:
        return self._jobs[job_id]

    def __setitem__(self, job_id: int, job: LiveJob) -> None:
        if job_id in self._jobs:
            del self[job_id]
        self._jobs[job_id] = job
        self._per_user[job.user_id] += 1

    def __delitem__(self, job_id: int) -> None:
        job = self._jobs.pop(job_id)
        self._per_user[job.user_id] -= 1
        if not self._per_user[job.user_id]:
            del self._per_user[job.user_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._jobs)

    def __len__(self) -> int:
        return len(self._jobs)


def visibly_changed(old: JobSnapshot | None, new: JobSnapshot, now: float) -> bool:
    """Whether ``new`` shows a user something ``old`` did not (ETA jitter does not count)."""
    if old is None:
        return True
    if _shown(old) != _shown(new):
        return True
    if (old.eta is None) != (new.eta is None):
        return True
    if old.eta is not None and new.eta is not None:
        remaining = max(0.0, old.eta - now)
        return abs(new.eta - old.eta) > max(_ETA_SLACK, remaining / 4)
    return False


def _shown(s: JobSnapshot) -> tuple[object, ...]:
    return (
        s.state,
        s.phase,
        s.bot_position,
        s.queue_position,
        s.is_possible,
        round(s.kudos),
        s.finished,
        s.processing,
        s.waiting,
        len(s.generations),
        s.error,
        s.horde_id,
    )
