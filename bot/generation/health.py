"""What the engine exports about itself: whether the AI Horde answers, and its live jobs.

The submitter reports a submit that could not connect and one the Horde answered; the service
reports every status poll the Horde answered. Each change is logged once (not once per job)
and exported as the ``horde_bot_horde_reachable`` gauge.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from bot.generation.live import LiveJob
from bot.generation.state import JobKind, JobState
from bot.metrics import record

__all__ = ["HordeHealth", "observe_live_jobs"]

log = logging.getLogger(__name__)


class HordeHealth:
    """Up until a request finds the Horde unreachable; up again at its next answer."""

    def __init__(self) -> None:
        self.reachable = True
        record.horde_reachable(True)

    def answered(self) -> None:
        """The Horde answered a request (whatever it said)."""
        if not self.reachable:
            self.reachable = True
            record.horde_reachable(True)
            log.info("The AI Horde answers again; waiting generations are being sent")

    def unreachable(self, error: BaseException) -> None:
        """A request could not reach the Horde."""
        if self.reachable:
            self.reachable = False
            record.horde_reachable(False)
            log.warning(
                "The AI Horde cannot be reached (%s); generations wait in the bot's queue "
                "and go out when it answers",
                error,
            )


def observe_live_jobs(live: Mapping[int, LiveJob]) -> None:
    """Export the in-flight (submitted) and queued (pending) jobs of each kind, counted from
    the engine's live jobs when Prometheus scrapes."""
    for kind in JobKind:
        record.observe_engine(
            kind,
            in_flight=functools.partial(_count, live, kind, JobState.SUBMITTED),
            queued=functools.partial(_count, live, kind, JobState.PENDING),
        )


def _count(live: Mapping[int, LiveJob], kind: JobKind, state: JobState) -> int:
    return sum(1 for job in list(live.values()) if job.kind is kind and job.state is state)
