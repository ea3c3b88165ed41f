"""Domain errors of the generation engine, and the kinds of failure a job can end with.

:class:`TooManyInFlight` and :class:`ServiceClosed` are raised to callers;
:class:`ErrorKind` names what ended a job badly (``JobSnapshot.error.kind``), so the UI can
map it to plain words without knowing HTTP or the Horde client.
"""

from __future__ import annotations

from enum import StrEnum

from bot.errors import UserFacingError
from bot.horde.errors import (
    Forbidden,
    GenerationFaulted,
    GenerationTimeout,
    HordeError,
    HordeUnavailable,
    HordeValidationError,
    InvalidAPIKey,
    KudosError,
    MaintenanceMode,
    NotFound,
    RateLimited,
    TooManyPrompts,
)

__all__ = [
    "ErrorKind",
    "GenerationError",
    "JobNotFound",
    "ResultUndeliverable",
    "ServiceClosed",
    "TooManyInFlight",
    "kind_of",
]


class ErrorKind(StrEnum):
    """Why a job failed, faulted or expired (``ErrorInfo.kind``)."""

    TOO_MANY_PROMPTS = "too_many_prompts"  # 429 TooManyPrompts: the Horde account's limit
    INVALID_API_KEY = "invalid_api_key"  # 401
    KUDOS = "kudos"  # 403 KudosUpfront and friends
    VALIDATION = "validation"  # 400: CorruptPrompt, TokenOverflow, payload validation…
    MAINTENANCE = "maintenance"  # rc MaintenanceMode
    FORBIDDEN = "forbidden"  # other 403s (TimeoutIP, …)
    NOT_FOUND = "not_found"  # 404 with an rc on submit (e.g. WorkerNotFound)
    UNAVAILABLE = "unavailable"  # 5xx / network, after the automatic retries
    RATE_LIMITED = "rate_limited"  # 429 without rc, after the automatic retries
    EXPIRED = "expired"  # the Horde forgot the request (404 RequestNotFound)
    FAULTED = "faulted"  # the Horde's workers failed the request
    TIMEOUT = "timeout"  # the client's own wait gave up and cancelled it
    OTHER = "other"  # any other answer of the Horde (never stored by the engine)
    INTERNAL = "internal"  # a bug on our side; logged with a traceback


class GenerationError(UserFacingError):
    """Base of the engine's domain errors (their message is safe to show)."""


class TooManyInFlight(GenerationError):  # noqa: N818 - the promised name
    """The member already has ``limit`` generations queued or running."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} generation{'s' if limit != 1 else ''} running. "
            "Wait for one to finish or cancel it."
        )
        self.limit = limit


class JobNotFound(GenerationError):  # noqa: N818 - the promised name
    """No job with this id exists (purged, or never made)."""

    def __init__(self, job_id: int) -> None:
        super().__init__("That generation no longer exists.")
        self.job_id = job_id


class ServiceClosed(GenerationError):  # noqa: N818 - the promised name
    """The bot is shutting down and accepts no new generation."""

    def __init__(self) -> None:
        super().__init__("The bot is restarting; please try again in a minute.")


class ResultUndeliverable(Exception):  # noqa: N818 - says what happened, not a failure of ours
    """Raised by a listener for a terminal snapshot that can reach nobody, for good.

    (E.g. the interaction token expired and Discord refuses a DM: 50007.) The engine then
    settles the job as delivered-but-undelivered: it is not tried again at each resume, and
    the member finds the result in their history.
    """


def kind_of(error: HordeError, default: ErrorKind = ErrorKind.UNAVAILABLE) -> ErrorKind:
    """The :class:`ErrorKind` of a Horde client error (``default`` for a bare HordeError)."""
    for cls, kind in _KINDS:
        if isinstance(error, cls):
            return kind
    return default


_KINDS: tuple[tuple[type[HordeError], ErrorKind], ...] = (
    (MaintenanceMode, ErrorKind.MAINTENANCE),
    (TooManyPrompts, ErrorKind.TOO_MANY_PROMPTS),
    (RateLimited, ErrorKind.RATE_LIMITED),
    (InvalidAPIKey, ErrorKind.INVALID_API_KEY),
    (KudosError, ErrorKind.KUDOS),
    (HordeValidationError, ErrorKind.VALIDATION),
    (Forbidden, ErrorKind.FORBIDDEN),
    (NotFound, ErrorKind.NOT_FOUND),
    (HordeUnavailable, ErrorKind.UNAVAILABLE),
    (GenerationFaulted, ErrorKind.FAULTED),
    (GenerationTimeout, ErrorKind.TIMEOUT),
)
