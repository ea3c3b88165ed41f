"""Where the bot's commands work: server installs, user installs, DMs and group DMs.

A member can install the bot to their own account; its commands then work in DMs, group
DMs and servers the bot is not a member of. What a command may do depends on where it runs:

- a server the bot is in: the server's rules (blocks, channels, limits) apply, and the bot
  may post in the channel (e.g. the 15-minute fallback of a /generate reply);
- the bot's DM, a group DM, a DM between members, a server without the bot: no server
  rules exist (they can only be set with ``/mod``, which needs the bot there), and the bot
  can only answer through the interaction (its response and follow-ups) — anything later
  goes to the member's own DMs.

Discord honours install types and contexts only on global commands (see
``HordeBot.sync_commands``).
"""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord import app_commands

__all__ = [
    "bot_is_member",
    "bot_may_post_here",
    "everywhere",
    "rules_guild_id",
]

T = TypeVar("T")


def everywhere(command: T) -> T:
    """Decorator (commands, groups, context menus): installable to a server and to a
    member's account; usable in servers, the bot's DM, group DMs and DMs between members."""
    command = app_commands.allowed_installs(guilds=True, users=True)(command)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)


def bot_is_member(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction comes from a server the bot is a member of.

    ``interaction.guild`` is not enough: discord.py builds a partial guild for servers the
    bot is not in. The client's own cache holds exactly the servers the bot joined (each
    shard holds its own servers, and a server's interactions arrive on its shard).
    """
    guild_id = interaction.guild_id
    return guild_id is not None and interaction.client.get_guild(guild_id) is not None


def rules_guild_id(interaction: discord.Interaction[Any]) -> int | None:
    """The server whose rules apply here: None in DMs and in servers without the bot."""
    return interaction.guild_id if bot_is_member(interaction) else None


def bot_may_post_here(interaction: discord.Interaction[Any]) -> bool:
    """Whether the bot may post a new message in the interaction's channel.

    Only in a server it is a member of; anywhere else Discord refuses (and a member's DM
    with the bot is not a place to post a reply "in the channel" either: the member's DMs
    are the fallback there).
    """
    return bot_is_member(interaction)
