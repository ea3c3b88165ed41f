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
import secrets
from typing import Any

import discord
from discord import app_commands

from bot import metrics
from bot.errors import BlockedMember, UserFacingError
from bot.horde.errors import HordeError
from bot.policy import ensure_not_blocked
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
            await ensure_not_blocked(services, interaction.guild_id, interaction.user.id)
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
        message = self.describe(interaction, cause)
        await reply(interaction, message)
        error_id = _error_id_in(message)
        if error_id is not None:
            command = interaction.command.qualified_name if interaction.command else "?"
            await post_to_log_channel(
                interaction.client,
                interaction.guild_id,
                f"Unexpected error `{error_id}` in `/{command}` (details in the bot's log).",
            )

    def describe(self, interaction: discord.Interaction[Any], error: BaseException) -> str:
        """The message for ``error``; unexpected errors are logged under a short id."""
        metrics.error_answered(error)
        if isinstance(error, UserFacingError):
            return error.user_message
        if isinstance(error, HordeError):
            return describe_horde_error(error)
        if isinstance(error, app_commands.AppCommandError):
            known = describe_check_failure(error)
            if known is not None:
                return known
        error_id = secrets.token_hex(ERROR_ID_BYTES)
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "Unexpected error %s in /%s",
            error_id,
            command,
            exc_info=error,
            extra={"error_id": error_id},
        )
        return f"{UNEXPECTED_PREFIX} (error id `{error_id}`). It has been logged."


UNEXPECTED_PREFIX = "Something went wrong on my side"
ERROR_ID_BYTES = 4


def _error_id_in(message: str) -> str | None:
    """The error id of an "unexpected error" message, None for every other message."""
    if not message.startswith(UNEXPECTED_PREFIX):
        return None
    return message.split("`")[1]


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer an error raised outside the command tree (a button, a modal) as the tree would."""
    tree = interaction.client.tree
    if isinstance(tree, HordeCommandTree):
        message = tree.describe(interaction, error)
    else:  # a client without our tree (never in production): still answer something
        log.error("Error in a component of interaction %s", interaction.id, exc_info=error)
        message = f"{UNEXPECTED_PREFIX}. It has been logged."
    await reply(interaction, message)
