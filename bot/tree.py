"""The command tree: one error path for every application command.

Before any command runs, :meth:`HordeCommandTree.interaction_check` refuses members a
moderator blocked in this server (``/mod`` stays usable, so a block can be undone).

Order of handling in :meth:`HordeCommandTree.on_error`:
1. unwrap ``CommandInvokeError`` to the error the command raised;
2. :class:`bot.errors.UserFacingError` → its own message;
3. :class:`bot.horde.errors.HordeError` → plain words from :mod:`bot.ui.horde_messages`;
4. discord.py check failures (permissions, cooldowns, guild only, transformers) → a short note;
5. anything else → logged with its traceback under a short error id that the member sees,
   and the id is posted to the server's log channel when one is set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot import metrics
from bot.errors import BlockedMember, UserFacingError, new_error_id
from bot.horde.errors import HordeError
from bot.policy import ensure_not_blocked
from bot.reach import rules_guild_id
from bot.ui.horde_messages import describe_horde_error
from bot.ui.modlog import post_to_log_channel
from bot.ui.replies import reply

log = logging.getLogger(__name__)


def describe_check_failure(error: app_commands.AppCommandError) -> str | None:
    """A short message for discord.py's own check and conversion errors, if it is one."""
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {needed} permission in this channel."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return f"`{error.value}` is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None


# Commands a blocked member may still use: moderators must be able to undo a block.
UNBLOCKABLE_COMMANDS = frozenset({"mod"})


class HordeCommandTree(app_commands.CommandTree[Any]):
    """A command tree that answers every failure in plain words."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        command = interaction.command
        if command is None or command.qualified_name.split()[0] in UNBLOCKABLE_COMMANDS:
            return True
        services = getattr(interaction.client, "services", None)
        if services is None:
            return True
        try:
            await ensure_not_blocked(services, rules_guild_id(interaction), interaction.user.id)
        except BlockedMember as refusal:
            if interaction.type is discord.InteractionType.autocomplete:
                return False
            await reply(interaction, refusal.user_message)
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        cause: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError):
            cause = error.original
        answer = explain(cause)
        _log_unexpected(interaction, cause, answer)
        await reply(interaction, answer.message)
        if answer.error_id is not None:
            command = interaction.command.qualified_name if interaction.command else "?"
            await post_to_log_channel(
                interaction.client,
                rules_guild_id(interaction),  # a server without the bot has no log channel
                f"Unexpected error `{answer.error_id}` in `/{command}` (details in the bot's log).",
            )


UNEXPECTED_PREFIX = "Something went wrong on my side"


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """What a member is told about an error; ``error_id`` is set for unexpected ones."""

    message: str
    error_id: str | None = None


def explain(error: BaseException) -> ErrorAnswer:
    """The answer for ``error`` (no side effects: the caller logs unexpected ones)."""
    if isinstance(error, UserFacingError):
        return ErrorAnswer(error.user_message)
    if isinstance(error, HordeError):
        return ErrorAnswer(describe_horde_error(error))
    if isinstance(error, app_commands.AppCommandError):
        known = describe_check_failure(error)
        if known is not None:
            return ErrorAnswer(known)
    error_id = new_error_id()
    return ErrorAnswer(
        f"{UNEXPECTED_PREFIX} (error id `{error_id}`). It has been logged.", error_id
    )


def _log_unexpected(
    interaction: discord.Interaction[Any], error: BaseException, answer: ErrorAnswer
) -> None:
    metrics.error_answered(error)
    if answer.error_id is not None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "Unexpected error %s in /%s",
            answer.error_id,
            command,
            exc_info=error,
            extra={"error_id": answer.error_id},
        )


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer an error raised outside the command tree (a button, a modal) as the tree would."""
    answer = explain(error)
    _log_unexpected(interaction, error, answer)
    await reply(interaction, answer.message)
