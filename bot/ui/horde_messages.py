"""Plain-words explanations of Horde errors, shared by every command and by /generate."""

from __future__ import annotations

from bot.horde.errors import (
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
    if error.rc and error.rc.rstrip(".") in _BY_RC:
        return _BY_RC[error.rc.rstrip(".")]
    if isinstance(error, TooManyPrompts):
        return (
            "You already have as many generations queued on the Horde as your account allows. "
            "Wait for one to finish, or `/login` with your own key."
        )
    if isinstance(error, RateLimited):
        return "The Horde is rate limiting this bot right now. Try again in a moment."
    if isinstance(error, InvalidAPIKey):
        return "The Horde did not accept the API key. Check it, then `/login` again."
    if isinstance(error, MaintenanceMode):
        return "The Horde is in maintenance mode and accepts no new requests. Try again later."
    if isinstance(error, HordeValidationError):
        details = "; ".join(f"{field}: {problem}" for field, problem in error.errors.items())
        return f"The Horde rejected the request: {details or error.message}"
    if isinstance(error, KudosError):
        return f"Kudos problem: {error.message}"
    if isinstance(error, GenerationFaulted):
        return "The workers failed to generate this text. Try again, perhaps with another model."
    if isinstance(error, GenerationTimeout):
        return "The Horde took too long, so the request was cancelled."
    if isinstance(error, NotFound):
        return f"Not found on the Horde: {error.message}"
    if isinstance(error, HordeUnavailable):
        return "The AI Horde cannot be reached right now. Try again in a few minutes."
    if error.status == 403:
        return f"The Horde refused this: {error.message}"
    return f"The Horde answered with an error: {error.message}"
