"""Plain-words explanations of Horde errors, shared by every command and by job replies.

A live :class:`HordeError` (a command's call failed) and a stored job failure (the engine's
``ErrorInfo``: kind, rc, message) are described by the same :func:`describe_failure`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.generation.errors import ErrorKind, kind_of
from bot.horde.errors import HordeError

# Messages keyed on the Horde's return code, checked before the error class.
_BY_RC: dict[str, str] = {
    "KudosUpfront": (
        "This request is too large to run without kudos up front. Try a smaller "
        "`max_length`, or `/login` with a Horde account that has kudos."
    ),
    "CorruptPrompt": "The Horde refused this prompt as against its terms of use.",
    "TokenOverflow": "`max_length` must not be larger than `max_context_length`.",
    "MissingPrompt": "The prompt is empty.",
    "NoValidWorkers": "No worker on the Horde can serve this request right now.",
    "TimeoutIP": "The Horde has temporarily blocked requests from this bot's address.",
    "UserNotFound": "The Horde does not know that user.",
    "WorkerNotFound": "The Horde does not know that worker.",
    "RequestNotFound": "The Horde no longer has this request (it expired after 20 minutes).",
    "KudosTransferToSelf": "You cannot send kudos to yourself.",
    "KudosTransferNotEnough": "You do not have enough kudos for that.",
    "NegativeKudosTransfer": "The amount must be a positive number of kudos.",
    "KudosTransferFromAnon": "The anonymous account cannot send kudos. `/login` first.",
    "InvalidTargetUsername": "That Horde username does not exist (it looks like `alias#123`).",
    "TooFastKudosTransfers": "You sent kudos to this user less than a minute ago. Wait a minute.",
    "NotModerator": "Only Horde moderators can do that.",
    "AnonForbidden": "The anonymous account cannot do that. `/login` first.",
}


def describe_horde_error(error: HordeError) -> str:
    """Return one or two short sentences telling a member what went wrong and what to do."""
    fallback = ErrorKind.FORBIDDEN if error.status == 403 else ErrorKind.OTHER
    return describe_failure(kind_of(error, fallback), error.rc, error.message, error.errors)


def describe_failure(
    kind: str, rc: str | None, message: str, errors: Mapping[str, str] | None = None
) -> str:
    """The same words from what the engine stores of a failure (kind, rc, message)."""
    if rc and rc.rstrip(".") in _BY_RC:
        return _BY_RC[rc.rstrip(".")]
    fixed = _BY_KIND.get(kind)
    if fixed is not None:
        return fixed
    if kind == ErrorKind.VALIDATION:
        details = "; ".join(f"{field}: {problem}" for field, problem in (errors or {}).items())
        return f"The Horde rejected the request: {details or message}"
    if kind == ErrorKind.KUDOS:
        return f"Kudos problem: {message}"
    if kind == ErrorKind.NOT_FOUND:
        return f"Not found on the Horde: {message}"
    if kind == ErrorKind.FORBIDDEN:
        return f"The Horde refused this: {message}"
    return f"The Horde answered with an error: {message}"


# Messages keyed on the kind of failure, when its words do not depend on the message.
_BY_KIND: dict[str, str] = {
    ErrorKind.TOO_MANY_PROMPTS: (
        "You already have as many generations queued on the Horde as your account allows. "
        "Wait for one to finish, or `/login` with your own key."
    ),
    ErrorKind.RATE_LIMITED: "The Horde is rate limiting this bot right now. Try again in a moment.",
    ErrorKind.INVALID_API_KEY: (
        "The Horde did not accept the API key. Check it, then `/login` again."
    ),
    ErrorKind.MAINTENANCE: (
        "The Horde is in maintenance mode and accepts no new requests. Try again later."
    ),
    ErrorKind.FAULTED: (
        "The workers failed to generate this text. Try again, perhaps with another model."
    ),
    ErrorKind.TIMEOUT: "The Horde took too long, so the request was cancelled.",
    ErrorKind.UNAVAILABLE: "The AI Horde cannot be reached right now. Try again in a few minutes.",
}


# --- The write side, part A: workers, teams, users, worker messages, modes (issue 13) ---------
# Kept in one block of its own so other write-side wordings can sit beside it without clashing.
_PROFANE = "The Horde's profanity filter refused that text. Reword it and try again."
_WRITE_SIDE_A_BY_RC: dict[str, str] = {
    "NotOwner": "Only its owner (or a Horde moderator) can change that on the Horde.",
    "NotUserOrMod": "Only that account itself or a Horde moderator can change that.",
    "NotAdmin": "Only the Horde's admins can change that.",
    "WorkerNameAlreadyExists": "Another worker on the Horde already has that name. Pick another.",
    "TeamNameAlreadyExists": "A team with that name already exists on the Horde. Pick another.",
    "NameAlreadyExists": "That name is already taken on the Horde. Pick another.",
    "ProfaneWorkerName": _PROFANE,
    "ProfaneWorkerInfo": _PROFANE,
    "ProfaneTeamName": _PROFANE,
    "ProfaneTeamInfo": _PROFANE,
    "ProfaneUserContact": _PROFANE,
    "ProfaneUserName": _PROFANE,
    "Profanity": _PROFANE,
    "TooLongWorkerName": "That worker name is too long for the Horde. Use a shorter one.",
    "TooLongUserName": "That name is too long for the Horde. Use a shorter one.",
    "TooLong": "That text is too long for the Horde. Shorten it.",
    "Locked": (
        "The Horde will not delete this worker yet: it worked on a job in the last 20 minutes. "
        "Stop the worker (or put it in maintenance) and try again in 20 minutes."
    ),
    "UntrustedTeamCreation": "Only trusted Horde accounts can create teams.",
    "TeamNotFound": "The Horde has no such team.",
    "WorkermessageNotFound": "The Horde has no such worker message.",
    "NoWorkerModSelected": "Nothing to change: give the worker something new.",
    "NoTeamModSelected": "Nothing to change: give the team a new name or info.",
    "NoUserModSelected": "Nothing to change: pick at least one field to set.",
    "NoHordeModSelected": "Nothing to change: pick a mode to set.",
    "MessagesOnlyOwnWorkers": "You can only send messages to your own workers.",
}
_BY_RC.update(_WRITE_SIDE_A_BY_RC)
