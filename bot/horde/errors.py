"""Errors raised by the Horde client, and the mapping from an HTTP answer to one of them.

Every failure the client can meet (an error body, an HTML page from a proxy, a dropped
connection, a timeout, a client-side limit check) surfaces as a :class:`HordeError` subclass,
so callers never have to catch aiohttp or asyncio exceptions. The client reports what the
server said (``status``, ``rc``, ``message``, ``errors``); callers decide what it means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.horde.rc import RC, as_rc

__all__ = [
    "KUDOS_RCS",
    "RC",
    "CannotDeleteMod",
    "Forbidden",
    "GenerationFaulted",
    "GenerationTimeout",
    "HordeError",
    "HordeUnavailable",
    "HordeUnreachable",
    "HordeValidationError",
    "InvalidAPIKey",
    "KudosError",
    "Locked",
    "MaintenanceMode",
    "NameAlreadyExists",
    "NoValidActions",
    "NoValidWorkers",
    "NotAdmin",
    "NotFound",
    "NotModerator",
    "NotOwner",
    "NotPrivileged",
    "NotTrusted",
    "Profanity",
    "RateLimited",
    "RequiresCustomizer",
    "SharedKeyEmpty",
    "SharedKeyError",
    "SharedKeyExpired",
    "SharedKeyInsufficientKudos",
    "SharedKeyNotFound",
    "SharedKeyTooMany",
    "TimeoutIP",
    "TokenOverflow",
    "TooLong",
    "TooManyPrompts",
    "WorkerMaintenance",
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
    ``rc`` the Horde's return code — an :class:`RC` member when known (it compares equal to
    the plain string), the plain string otherwise, None when the body had none —,
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
        self.rc: RC | str | None = as_rc(rc) if rc is not None else None
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


class HordeUnreachable(HordeUnavailable):
    """No connection to the Horde could be made (DNS, refused, TLS): nothing was sent, so
    sending the same request again later can never create a duplicate."""


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


# --- errors typed by rc ------------------------------------------------------------------
# Each one subclasses the class its HTTP status mapped to before it existed, so an
# ``except Forbidden`` written earlier still catches a NotOwner.


class NotOwner(Forbidden):
    """403 NotOwner: only the owner of the worker, team, style or key may do this."""


class NotModerator(Forbidden):
    """403 NotModerator (and NotUserOrMod): a Horde moderator's key is needed."""


class NotAdmin(Forbidden):
    """403 NotAdmin: a Horde admin's key is needed (user kudos, moderator flag, …)."""


class NotPrivileged(Forbidden):
    """403 NotAllowedAwards / NotPrivileged: this account may not award kudos."""


class NotTrusted(Forbidden):
    """403 UntrustedTeamCreation / UntrustedUnsafeIP / NotTrusted: a trusted account is needed."""


class RequiresCustomizer(Forbidden):
    """403 StylesRequiresCustomizer / StylesAnonForbidden: styles need a customizer account."""


class CannotDeleteMod(Forbidden):
    """403 CannotDeleteMod / CannotWipeActiveUser: this account cannot be deleted."""


class TimeoutIP(Forbidden):
    """403 TimeoutIP (and UnsafeIP, TooManyNewIPs, TooManySameIPs): this IP is blocked."""


class WorkerMaintenance(Forbidden):
    """403 WorkerMaintenance / WorkerFlaggedMaintenance: the worker is in maintenance."""


class NameAlreadyExists(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 WorkerNameAlreadyExists / TeamNameAlreadyExists / PolymorphicNameConflict."""


class Profanity(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 Profane…: the Horde's profanity filter refused a name, info or contact text."""


class TooLong(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 TooLongUserName / TooLongWorkerName / TooLong."""


class NoValidActions(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 No…ModSelected: a modify call that changes nothing."""


class NoValidWorkers(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 NoValidWorkers: none of the requested workers can serve this request."""


class TokenOverflow(HordeValidationError):  # noqa: N818 - names are the public contract
    """400 TokenOverflow: max_length exceeds what the chosen workers can generate."""


class Locked(HordeError):  # noqa: N818 - names are the public contract
    """HTTP 423 Locked: the resource is busy (a worker that held a job in the last 20 min)."""


class SharedKeyError(HordeError):
    """Base of every shared-key problem: empty, expired, not found, too many."""


class SharedKeyEmpty(SharedKeyError, KudosError, Forbidden):  # noqa: N818 - names are the public contract
    """403 SharedKeyEmpty: the shared key has used up its kudos."""


class SharedKeyInsufficientKudos(SharedKeyError, KudosError):  # noqa: N818 - names are the public contract
    """403 SharedKeyInsufficientKudos: the shared key has too few kudos left for this job."""


class SharedKeyExpired(SharedKeyError, KudosError):  # noqa: N818 - names are the public contract
    """400 SharedKeyExpired: the shared key is past its expiry date."""


class SharedKeyNotFound(SharedKeyError, InvalidAPIKey):  # noqa: N818 - names are the public contract
    """401 InvalidAPIKey on a shared key: it was deleted or never existed."""


class SharedKeyTooMany(SharedKeyError, Forbidden):  # noqa: N818 - names are the public contract
    """403 Forbidden on creation: 3 shared keys per user (10 when trusted) already exist."""


_TYPED: tuple[tuple[type[HordeError], str], ...] = (
    (NotOwner, "NotOwner"),
    (NotModerator, "NotModerator NotUserOrMod"),
    (NotAdmin, "NotAdmin"),
    (NotPrivileged, "NotAllowedAwards NotPrivileged"),
    (NotTrusted, "UntrustedTeamCreation UntrustedUnsafeIP NotTrusted"),
    (RequiresCustomizer, "StylesRequiresCustomizer StylesAnonForbidden"),
    (CannotDeleteMod, "CannotDeleteMod CannotWipeActiveUser"),
    (TimeoutIP, "TimeoutIP UnsafeIP TooManyNewIPs TooManySameIPs"),
    (WorkerMaintenance, "WorkerMaintenance WorkerFlaggedMaintenance"),
    (NameAlreadyExists, "WorkerNameAlreadyExists TeamNameAlreadyExists PolymorphicNameConflict"),
    (NameAlreadyExists, "NameAlreadyExists"),
    (Profanity, " ".join(rc for rc in RC if rc.startswith("Profan"))),
    (TooLong, "TooLongUserName TooLongWorkerName TooLong"),
    (NoValidActions, " ".join(rc for rc in RC if rc.endswith("ModSelected")) + " NoValidActions"),
    (NoValidWorkers, "NoValidWorkers"),
    (TokenOverflow, "TokenOverflow"),
    (Locked, "Locked"),
    (SharedKeyEmpty, "SharedKeyEmpty"),
    (SharedKeyInsufficientKudos, "SharedKeyInsufficientKudos"),
    (SharedKeyExpired, "SharedKeyExpired"),
    (SharedKeyNotFound, "SharedKeyInvalid"),
)
_RC_CLASSES: dict[str, type[HordeError]] = {rc: cls for cls, rcs in _TYPED for rc in rcs.split()}
"""rc → typed class; used only when the class fits the HTTP status (see :func:`_class_for`)."""


def _shorten(message: str) -> str:
    message = " ".join(message.split())
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


def _strip_flask_hint(message: str) -> str:
    index = message.find(_FLASK_404_HINT)
    return message[:index].rstrip(" .") + "." if index > 0 else message


def _class_for(status: int, rc: str | None) -> type[HordeError]:
    """Map on the rc when there is one, on the HTTP status otherwise.

    A typed class is used only when it is a subclass of what the status alone gives, so an
    rc arriving with an unexpected status never escapes an ``except`` written for the status.
    """
    if rc is not None:
        by_rc = _class_for_rc(rc)
        if by_rc is not None:
            return by_rc
        by_status = _class_for_status(status, rc)
        typed = _RC_CLASSES.get(rc)
        if typed is not None and issubclass(typed, by_status):
            return typed
        return by_status
    return _class_for_status(status, rc)


def _class_for_status(status: int, rc: str | None) -> type[HordeError]:
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
    typed = _RC_CLASSES.get(rc)
    if typed is not None and issubclass(typed, KudosError):
        return typed  # the kudos family maps on the rc whatever the status
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
