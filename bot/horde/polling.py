"""The one status-poll schedule, shared by ``HordeClient.generate_sync`` and the bot's poller.

:class:`PollPolicy` holds the bounds (the client's defaults: 1-15 s; the bot: the
``POLL_MIN_SECONDS``/``POLL_MAX_SECONDS`` settings) and the conservative base schedule: about
four reads over the expected wait in the queue, a third of the estimated rest while a worker
writes. :class:`PollSchedule` is one request's use of it: it remembers how far the Horde's
``wait_time`` has moved the predicted finish between reads (its error), reads next after half
the time the estimate could still be right for (``(wait_time - error) / 2``, never sooner than
the base schedule), and once two reads of a writing worker agree, reads at the predicted
finish plus that error — fewer reads on medium queues without reading later than the finish
by more than the estimate has been wrong. A request whose estimate keeps moving stays on the
base schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.horde.models import RequestStatusKobold


__all__ = ["MIN_POLL_INTERVAL", "PollPolicy", "PollSchedule"]

# The Horde allows 60 status requests per minute per request id: never poll faster than 1/s.
MIN_POLL_INTERVAL = 1.0
# The predicted finish may move this much (seconds, or this share of the wait) between reads
# and still count as agreeing.
TRUST_SECONDS = 2.0
TRUST_SHARE = 0.1


@dataclass(frozen=True)
class PollPolicy:
    """Bounds of the schedule: ``poll_min`` near the end, ``poll_max`` in a long queue."""

    poll_min: float = 1.0
    poll_max: float = 15.0

    def __post_init__(self) -> None:
        if self.poll_max < self.poll_min:
            object.__setattr__(self, "poll_max", self.poll_min)

    def base_delay(self, status: RequestStatusKobold) -> float:
        """The conservative delay, from how far the request is from done."""
        if status.processing > 0 and status.waiting == 0:
            # A worker is writing: a few reads over the estimated rest of the job, so a long
            # generation does not cost one status read every poll_min seconds.
            return self.clamp(status.wait_time / 3)
        if not status.is_possible:
            return self.poll_max  # nothing happens until a suitable worker shows up
        # About four reads over the expected wait, and more often near the queue's front.
        return self.clamp(max(status.wait_time / 4, status.queue_position * self.poll_min / 4))

    def schedule(self) -> PollSchedule:
        """A fresh schedule for one request."""
        return PollSchedule(self)

    def clamp(self, delay: float) -> float:
        """``delay`` within ``poll_min``..``poll_max``."""
        return min(self.poll_max, max(self.poll_min, delay))


@dataclass
class PollSchedule:
    """One request's schedule: halving towards the predicted finish, guarded by its error.

    The queue estimate and the writing worker's estimate are computed differently, so how
    wrong ``wait_time`` has been is measured afresh when a worker starts writing.
    """

    policy: PollPolicy
    predicted: float | None = None  # monotonic time the last read predicted the finish for
    error: float = 0.0  # the most the predicted finish moved between two reads in this phase
    reads: int = field(default=0)  # reads in this phase
    writing: bool = False  # the phase: a worker is writing (else: queued)

    def next_delay(self, status: RequestStatusKobold, now: float) -> float:
        """Seconds until the next read, after ``status`` was read at ``now`` (monotonic)."""
        policy = self.policy
        base = policy.base_delay(status)
        if not status.is_possible:
            self.predicted = None
            return base
        self._observe(status, now)
        wait, error = status.wait_time, self.error
        trusted = self.reads >= 2 and error <= max(TRUST_SECONDS, TRUST_SHARE * wait)
        if self.writing and trusted:
            # The estimate has held: read just after the predicted finish (late by at most
            # what it has been wrong by so far), never later than poll_max.
            return policy.clamp(wait + error)
        # Halve the time the estimate could still be right for; never more often than base.
        return max(base, policy.clamp((wait - error) / 2))

    def _observe(self, status: RequestStatusKobold, now: float) -> None:
        writing = status.processing > 0 and status.waiting == 0
        if writing != self.writing:
            self.writing, self.predicted, self.error, self.reads = writing, None, 0.0, 0
        predicted = now + status.wait_time
        if self.predicted is not None:
            self.error = max(self.error, abs(predicted - self.predicted))
        self.predicted = predicted
        self.reads += 1
