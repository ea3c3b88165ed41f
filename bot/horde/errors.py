"""Errors raised by the Horde client, and the mapping from an HTTP answer to one of them.

Every failure the client can meet (an error body, an HTML page from a proxy, a dropped
connection, a timeout, a client-side limit check) surfaces as a :class:`HordeError` subclass,
so callers never have to catch aiohttp or asyncio exceptions. The client reports what the
server said (``status``, ``rc``, ``message``, ``errors``); callers decide what it means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "KUDOS_RCS",
    "Forbidden",
    "GenerationFaulted",
    "GenerationTimeout",
    "HordeError",
    "HordeUnavailable",
    "HordeValidationError",
    "InvalidAPIKey",
    "KudosError",
    "MaintenanceMode",
    "NotFound",
    "RateLimited",
    "TooManyPrompts",
    "error_from_response",
]

_MAX_MESSAGE = 300

# Return codes of the kudos families in rc_table.md: KudosUpfront (403) and the
# KudosValidationError family raised by /kudos/transfer and /kudos/award (400).
KUDOS_RCS: frozenset[str] = frozenset(
    {
        "KudosUpfront",
        "SharedKeyInsufficientKudos",
        "KudosValidationError",
        "EducationCannotSendKudos",
        "FaultWhenKudosReceiving",
        "FaultWhenKudosSending",
        "IdempotencyKeyConflict",
        "InvalidKudosTransferAmount",
        "InvalidTargetUsername",
        "KudosTransferFromAnon",
        "KudosTransferNotEnough",
        "KudosTransferToAnon",
        "KudosTransferToSelf",
        "NegativeKudosTransfer",
        "SharedKeyExpired",
        "SourceAccountFlagged",
        "TargetAccountFlagged",
        "TooFastKudosTransfers",
        "InvalidAwardUsername",
        "KudosAwardToAnon",
    }
)

_FLASK_404_HINT = "You have requested this URI"


class HordeError(Exception):
    """Base of every client error.

    ``status`` is the HTTP status (None for client-side checks and transport failures),
    ``rc`` the Horde's return code (an open string, None when the body had none),
    ``errors`` the per-field problems of a validation failure, ``retry_after`` the seconds
    the server asked us to wait (from ``Retry-After``), when it said.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        rc: str | None = None,
        errors: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = _shorten(message)
        self.status = status
        self.rc = rc
        self.errors: dict[str, str] = dict(errors or {})
        self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self) -> str:
        tags = [t for t in (self.rc, f"HTTP {self.status}" if self.status else None) if t]
        return f"{self.message} ({', '.join(tags)})" if tags else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, rc={self.rc!r}, "
            f"message={self.message!r})"
        )


class HordeValidationError(HordeError):
    """The request was refused as invalid: a client-side limit check or an HTTP 400."""


class InvalidAPIKey(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 401: the API key is missing or malformed."""


class TooManyPrompts(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 429 with an rc: too many outstanding generations for this user."""


class RateLimited(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 429 without an rc: the per-IP/per-key rate limiter; see ``retry_after``."""


class KudosError(HordeError):
    """A kudos problem: KudosUpfront (403) or a refused kudos transfer (400)."""


class NotFound(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 404 (or 410) with an rc: the server's answer about a thing (RequestNotFound, …)."""


class Forbidden(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 403 other than the kudos ones (NotModerator, TimeoutIP, WrongCredentials, …)."""


class MaintenanceMode(HordeError):  # noqa: N818 - names are the public contract
    """rc MaintenanceMode (400 on the wire): the Horde accepts no new requests."""


class HordeUnavailable(HordeError):  # noqa: N818 - names are the public contract
    """The Horde could not be used: 5xx, non-JSON bodies, 404 without an rc, network errors."""


class GenerationFaulted(HordeError):  # noqa: N818 - names are the public contract
    """A generation faulted on the Horde (its workers failed it)."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


class GenerationTimeout(HordeError):  # noqa: N818 - names are the public contract
    """A generation did not finish in time; it was cancelled on the Horde."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


def _shorten(message: str) -> str:
    message = " ".join(message.split())
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


def _strip_flask_hint(message: str) -> str:
    index = message.find(_FLASK_404_HINT)
    return message[:index].rstrip(" .") + "." if index > 0 else message


def _class_for(status: int, rc: str | None) -> type[HordeError]:
    """Map on the rc when there is one, on the HTTP status otherwise."""
    if rc is not None:
        by_rc = _class_for_rc(rc)
        if by_rc is not None:
            return by_rc
    if status == 400:
        return HordeValidationError
    if status == 401:
        return InvalidAPIKey
    if status == 403:
        return Forbidden
    if status in (404, 410):
        return NotFound if rc else HordeUnavailable
    if status == 429:
        return TooManyPrompts if rc else RateLimited
    if status >= 500:
        return HordeUnavailable
    return HordeError


def _class_for_rc(rc: str) -> type[HordeError] | None:
    if rc == "MaintenanceMode":
        return MaintenanceMode
    if rc == "InvalidAPIKey":
        return InvalidAPIKey
    if rc == "TooManyPrompts":
        return TooManyPrompts
    if rc in KUDOS_RCS:
        return KudosError
    return None


def error_from_response(
    status: int,
    body: Any,
    *,
    retry_after: float | None = None,
    secrets: tuple[str, ...] = (),
) -> HordeError:
    """Build the error for a non-2xx answer; ``body`` is the parsed JSON or None.

    ``secrets`` (the key sent with the request) are blanked out of the message, in case a
    server or proxy ever echoes them.
    """
    rc: str | None = None
    errors: dict[str, str] = {}
    message = ""
    if isinstance(body, Mapping):
        raw_rc = body.get("rc")
        rc = str(raw_rc) if raw_rc not in (None, "") else None
        message = str(body.get("message") or "")
        raw_errors = body.get("errors")
        if isinstance(raw_errors, Mapping):
            errors = {str(k): str(v) for k, v in raw_errors.items()}
    if not message:
        message = _default_message(status, json_body=isinstance(body, Mapping))
    if status in (404, 410):
        message = _strip_flask_hint(message)
    if errors:
        details = "; ".join(f"{k}: {v}" for k, v in errors.items())
        message = f"{message}: {details}"
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
            errors = {k: v.replace(secret, "***") for k, v in errors.items()}
    cls = _class_for(status, rc)
    return cls(message, status=status, rc=rc, errors=errors, retry_after=retry_after)


def _default_message(status: int, *, json_body: bool) -> str:
    if status == 404 and not json_body:
        return "The AI Horde has no such endpoint; check the Horde API URL."
    if status >= 500:
        return "The AI Horde is unavailable right now."
    if not json_body:
        return "The AI Horde answered with an unexpected non-JSON body."
    return "The AI Horde refused the request."
