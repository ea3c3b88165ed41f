"""The command tree: one error path for every application command.

Order of handling in :meth:`HordeCommandTree.on_error`:
1. unwrap ``CommandInvokeError`` to the error the command raised;
2. :class:`bot.errors.UserFacingError` → its own message;
3. :class:`bot.horde.errors.HordeError` → plain words from :mod:`bot.ui.horde_messages`;
4. discord.py check failures (permissions, cooldowns, guild only, transformers) → a short note;
5. anything else → logged with its traceback under a short error id that the member sees.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.horde.errors import HordeError
from bot.ui.horde_messages import describe_horde_error
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


class HordeCommandTree(app_commands.CommandTree[Any]):
    """A command tree that answers every failure in plain words."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        cause: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError):
            cause = error.original
        await reply(interaction, self.describe(interaction, cause))

    def describe(self, interaction: discord.Interaction[Any], error: BaseException) -> str:
        """The message for ``error``; unexpected errors are logged under a short id."""
        if isinstance(error, UserFacingError):
            return error.user_message
        if isinstance(error, HordeError):
            return describe_horde_error(error)
        if isinstance(error, app_commands.AppCommandError):
            known = describe_check_failure(error)
            if known is not None:
                return known
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("Unexpected error %s in /%s", error_id, command, exc_info=error)
        return f"Something went wrong on my side (error id `{error_id}`). It has been logged."
