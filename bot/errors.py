"""Domain errors that cogs raise and the command tree turns into short ephemeral replies.

Cogs never format error replies themselves: they raise one of these (or let a
:class:`bot.horde.errors.HordeError` propagate) and :class:`bot.tree.HordeCommandTree`
answers the interaction in plain words, whatever state the interaction is in.
"""

from __future__ import annotations

import secrets

# 8 hex characters: short enough for a member to quote, unique enough to find one traceback.
ERROR_ID_BYTES = 4


def new_error_id() -> str:
    """A fresh id tying what a member or operator sees to the one log record of a fault."""
    return secrets.token_hex(ERROR_ID_BYTES)


class UserFacingError(Exception):
    """An error whose message is safe and meant to be shown to the member as is."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class BadInput(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The member's input was refused before anything was done or stored."""


class NotLoggedIn(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The command needs the member's own Horde key."""

    def __init__(self) -> None:
        super().__init__("You have not registered a Horde API key yet. Use `/login` first.")


class KeyNeedsRelogin(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The stored key no longer decrypts (the bot's encryption key changed)."""

    def __init__(self) -> None:
        super().__init__(
            "Your stored Horde API key can no longer be read by this bot "
            "(its encryption key changed). Please `/login` again."
        )


class BlockedMember(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """A moderator of this server blocked the member from using the bot."""

    def __init__(self) -> None:
        super().__init__("A moderator of this server has blocked you from using this bot.")


class NotAllowedHere(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The command may not run in this channel (moderator restrictions)."""


class CooldownActive(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The member must wait before using the command again."""

    def __init__(self, retry_at: float) -> None:
        super().__init__(f"Slow down a little: you can use this again <t:{int(retry_at)}:R>.")
        self.retry_at = retry_at


class NotPermitted(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The member lacks a permission the action needs."""
