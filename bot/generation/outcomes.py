"""What a poll or a failure means for a job: the state it ends in and the error it stores.

The engine stores what the UI needs to explain a failure (an :class:`ErrorInfo`: kind, rc,
message) and nothing the UI would have to parse back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.generation.errors import ErrorKind, kind_of
from bot.generation.poller import PollEvent, PollOutcome
from bot.generation.state import ErrorInfo, Generation, HordeStatus, JobState
from bot.horde.errors import HordeError

if TYPE_CHECKING:
    from bot.horde.models import RequestStatusKobold

__all__ = ["FAULTED", "Ended", "ended_by", "error_info", "key_error", "split_status"]

FAULTED = ErrorInfo(ErrorKind.FAULTED, "The Horde's workers failed this generation.")


@dataclass(frozen=True, slots=True)
class Ended:
    """A job ended by the poller without a status (expired, or the Horde stayed away)."""

    state: JobState
    error: ErrorInfo


def ended_by(event: PollEvent) -> Ended | None:
    """The end of a job the poller gave up on (None: the event carries a status)."""
    if event.outcome is PollOutcome.EXPIRED:
        message = "The AI Horde forgot this request: it expired before it finished."
        rc = event.error.rc if event.error else None
        return Ended(JobState.EXPIRED, ErrorInfo(ErrorKind.EXPIRED, message, rc))
    if event.outcome is PollOutcome.UNAVAILABLE:
        message = "The AI Horde stayed unavailable for longer than a request can live."
        return Ended(JobState.FAILED, ErrorInfo(ErrorKind.UNAVAILABLE, message))
    return None


def split_status(status: RequestStatusKobold) -> tuple[HordeStatus, tuple[Generation, ...]]:
    """A Horde status as the engine keeps it: the status and the generations so far."""
    return HordeStatus.from_any(status), tuple(Generation.from_any(g) for g in status.generations)


def error_info(error: HordeError) -> ErrorInfo:
    return ErrorInfo(kind=kind_of(error), message=error.message, rc=error.rc)


def key_error(message: str | None) -> ErrorInfo:
    text = message or "The bot could not read the API key to use for this generation."
    return ErrorInfo(ErrorKind.INVALID_API_KEY, text)
