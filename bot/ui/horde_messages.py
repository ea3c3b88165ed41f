"""Plain-words explanations of Horde errors, shared by every command and by job replies.

A live :class:`HordeError` (a command's call failed) and a stored job failure (the engine's
``ErrorInfo``: kind, rc, message) are described by the same :func:`describe_failure`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.generation.errors import ErrorKind, kind_of
from bot.generation.state import Payer
from bot.horde import errors as horde_errors
from bot.horde.errors import HordeError
from bot.style_catalog import StyleLimitReached

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
    # Wordings keyed by the Horde's own rc name the resource (team, worker, user); they come
    # before the class-based wordings of styles and keys, which cover the generic rcs.
    by_rc = _WRITE_SIDE_A_BY_RC.get((error.rc or "").rstrip("."))
    if by_rc is not None:
        return by_rc
    styles_and_keys = describe_styles_and_keys_refusal(error)
    if styles_and_keys is not None:
        return styles_and_keys
    fallback = ErrorKind.FORBIDDEN if error.status == 403 else ErrorKind.OTHER
    return describe_failure(kind_of(error, fallback), error.rc, error.message, error.errors)


def describe_failure(
    kind: str,
    rc: str | None,
    message: str,
    errors: Mapping[str, str] | None = None,
    *,
    payer: Payer | None = None,
) -> str:
    """The same words from what the engine stores of a failure (kind, rc, message).

    ``payer`` (whose key paid: own, sponsor, default) makes advice about limits, kudos and
    refused keys fit the key that paid; None keeps the general words.
    """
    if payer is not None:
        advice = _payer_advice(kind, rc, payer)
        if advice is not None:
            return advice
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


# --- advice that depends on whose key paid (issue 13 part B) -------------------------------

_PAYER_ADVICE: dict[tuple[str, Payer], str] = {
    (ErrorKind.TOO_MANY_PROMPTS, Payer.OWN): (
        "You already have as many generations queued on the Horde as your account allows "
        "(the limit of your own key). Wait for one to finish; trusted accounts get more."
    ),
    (ErrorKind.TOO_MANY_PROMPTS, Payer.SPONSOR): (
        "This server's sponsor key already has as many generations queued as its account "
        "allows. Wait for one to finish, or `/login` with your own key to use your own limit."
    ),
    (ErrorKind.TOO_MANY_PROMPTS, Payer.DEFAULT): (
        "The bot's shared key already has as many generations queued as the Horde allows "
        "(everyone without their own key uses it). Wait a moment, or `/login` with your own key."
    ),
    (ErrorKind.INVALID_API_KEY, Payer.OWN): (
        "The Horde did not accept the API key you registered. `/login` again with a current key."
    ),
    (ErrorKind.INVALID_API_KEY, Payer.SPONSOR): (
        "The Horde no longer accepts this server's sponsor key, so the bot stops using it until "
        "a moderator sets a new one. Try again (the bot's default key is used now), or "
        "`/login` with your own key."
    ),
    (ErrorKind.INVALID_API_KEY, Payer.DEFAULT): (
        "The Horde did not accept the API key the bot uses for members without their own. "
        "Tell the bot's operator, or `/login` with your own key."
    ),
}

_PAYER_KUDOS: dict[Payer, str] = {
    Payer.OWN: (
        "This request is too large to run without kudos up front, and your account has too "
        "few. Try a smaller `max_length`, or earn kudos (e.g. by running a worker)."
    ),
    Payer.SPONSOR: (
        "This request is too large for this server's sponsor key to pay up front. Try a "
        "smaller `max_length`, or `/login` with a Horde account that has kudos."
    ),
    Payer.DEFAULT: (
        "This request is too large to run without kudos up front. Try a smaller "
        "`max_length`, or `/login` with a Horde account that has kudos."
    ),
}

_SHARED_KEY_SPENT: dict[str, str] = {
    "SharedKeyEmpty": "has no kudos left",
    "SharedKeyExpired": "has expired",
}


def _payer_advice(kind: str, rc: str | None, payer: Payer) -> str | None:
    """Words for the failures whose cure depends on the key that paid, else None."""
    code = (rc or "").rstrip(".")
    if code == "KudosUpfront":
        return _PAYER_KUDOS[payer]
    if code in _SHARED_KEY_SPENT:
        spent = _SHARED_KEY_SPENT[code]
        if payer is Payer.SPONSOR:
            return (
                f"This server's sponsor key (a shared key) {spent}, so the bot stops using it "
                "until a moderator sets a new one. Try again (the bot's default key is used "
                "now), or `/login` with your own key."
            )
        return f"The shared key that paid {spent}. `/login` with another key."
    return _PAYER_ADVICE.get((kind, payer))


# --- refusals of styles, shared keys and sponsor keys (issue 13 part B) --------------------

# By the client's typed error, most specific first: the Horde reuses rcs across resources
# (a fourth shared key is a plain 403 "Forbidden"), the client's class says which it was.
_STYLES_AND_KEYS: tuple[tuple[type[HordeError], str], ...] = (
    (
        horde_errors.SharedKeyTooMany,
        "Your Horde account already has as many shared keys as it may (3, or 10 for trusted "
        "accounts). Delete one with `/sharedkey delete` first.",
    ),
    (
        horde_errors.SharedKeyNotFound,
        "The Horde no longer has that shared key (it was deleted). See `/sharedkey list`.",
    ),
    (horde_errors.SharedKeyExpired, "That shared key has expired."),
    (horde_errors.SharedKeyEmpty, "That shared key has no kudos left."),
    (
        horde_errors.NotOwner,
        "That belongs to another Horde account: only its owner (or a Horde moderator) "
        "can change it.",
    ),
    (
        horde_errors.NameAlreadyExists,
        "That name is already taken on the Horde. Pick another one.",
    ),
    (horde_errors.Profanity, "The Horde refused a word in that text as profanity. Reword it."),
    (horde_errors.TooLong, "The Horde refused that text as too long. Shorten it."),
    (
        horde_errors.RequiresCustomizer,
        "Creating styles needs a Horde account with the customizer role (ask the Horde's "
        "moderators), or a trusted account.",
    ),
    (
        horde_errors.NotTrusted,
        "The Horde allows this only for trusted accounts (they earn trust by running "
        "workers, or ask the Horde's moderators).",
    ),
)

_STYLES_AND_KEYS_BY_RC: dict[str, str] = {
    "StyleNotFound": "The Horde has no such style (it may have been deleted).",
    "StylePromptMissingVars": (
        "A style's prompt must contain `{p}`, where the member's prompt goes."
    ),
    "StyleMismatch": "That is an image style; the bot only uses text styles.",
    "SharedKeyAssignedStyles": "That shared key is attached to styles; detach it first.",
}


def describe_styles_and_keys_refusal(error: HordeError) -> str | None:
    """Plain words for a refusal of a style, shared-key or sponsor-key request, else None."""
    if isinstance(error, StyleLimitReached):
        return STYLE_LIMIT_REACHED
    code = (error.rc or "").rstrip(".")
    if code in _STYLES_AND_KEYS_BY_RC:
        return _STYLES_AND_KEYS_BY_RC[code]
    for cls, words in _STYLES_AND_KEYS:
        if isinstance(error, cls):
            return words
    return None


STYLE_LIMIT_REACHED = (
    "The Horde's own limit on style requests from this bot is reached for now (about 20 an "
    "hour, shared by everyone using the bot). Try again later."
)
