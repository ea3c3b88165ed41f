"""Where an interaction comes from, and where Discord offers a command (user installs, contexts).

An interaction carries ``context`` (0 a server, 1 the bot's DM, 2 a group DM or a DM between
other users) and ``authorizing_integration_owners`` (``{"0": guild_id}`` for a guild install —
``"0"`` in the bot's DM — and ``{"1": user_id}`` for a user install). A command is offered in a
context when its ``contexts`` and ``integration_types`` allow it; Discord honours both only on
global commands, and a ``null`` ``contexts`` means servers plus the bot's DM (servers only when
``dm_permission`` is false).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import discord

from tests.fakes.discord.models import FakeChannel, FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2  # interaction contexts
GUILD_INSTALL, USER_INSTALL = 0, 1  # integration types
Install = Literal["guild", "user", "both"]
# What Discord grants an app where its bot cannot be: attach files, embed links, mention everyone,
# external emojis.
OUT_OF_REACH_PERMISSIONS = discord.Permissions(
    attach_files=True, embed_links=True, mention_everyone=True, use_external_emojis=True
).value


@dataclass(frozen=True)
class Reach:
    """The context fields of one interaction."""

    context: int
    owners: dict[str, str]  # authorizing_integration_owners
    install: Install
    app_permissions: int
    force_ephemeral: bool = False  # a server that disables "Use External Apps"

    @property
    def installs(self) -> set[int]:
        return {int(key) for key in self.owners}


def reach_of(
    state: FakeState, user: FakeUser, channel: FakeChannel, install: Install | None
) -> Reach:
    """Context and authorizing owners of ``user`` acting in ``channel``.

    ``install=None`` picks what a member would have: the guild install in the bot's servers, the
    user install everywhere else. A guild install cannot reach a group DM or a server without the
    bot (ValueError: the test asks for something Discord cannot send).
    """
    guild = state.guild_of(channel)
    if guild is not None and guild.id in state.guilds:
        chosen: Install = install or "guild"
        return Reach(GUILD, _owners(chosen, str(guild.id), user), chosen, state.bot_permissions)
    if guild is None and state.bot_can_see(channel):
        chosen = install or "user"
        return Reach(BOT_DM, _owners(chosen, "0", user), chosen, state.bot_permissions)
    if install not in (None, "user"):
        raise ValueError("only a user install reaches a group DM or a server without the bot")
    context = GUILD if guild is not None else PRIVATE_CHANNEL
    ephemeral = guild is not None and not guild.external_apps
    return Reach(context, _owners("user", "", user), "user", OUT_OF_REACH_PERMISSIONS, ephemeral)


def _owners(install: Install, guild_owner: str, user: FakeUser) -> dict[str, str]:
    owners = {}
    if install in ("guild", "both"):
        owners[str(GUILD_INSTALL)] = guild_owner
    if install in ("user", "both"):
        owners[str(USER_INSTALL)] = str(user.id)
    return owners


def allowed_contexts(command: dict[str, Any]) -> list[int]:
    """Where Discord offers a stored global command (a null ``contexts`` is not "everywhere")."""
    contexts = command.get("contexts")
    if contexts is not None:
        return list(contexts)
    return [GUILD] if command.get("dm_permission") is False else [GUILD, BOT_DM]


def allowed_installs(command: dict[str, Any]) -> list[int]:
    return list(command.get("integration_types") or [GUILD_INSTALL])


def is_offered(
    command: dict[str, Any],
    scope: str | int,
    context: int,
    installs: set[int],
    guild_id: int | None,
) -> bool:
    """Would a member's Discord client offer this command here, through one of ``installs``?"""
    if scope != "global":  # guild commands: only in their guild, through the guild install
        return context == GUILD and guild_id == scope and GUILD_INSTALL in installs
    return context in allowed_contexts(command) and bool(installs & set(allowed_installs(command)))


def check_offered(
    command: dict[str, Any] | None, scope: str | int, reach: Reach, guild_id: int | None
) -> None:
    """ValueError when a member could not run this command here (Discord would not offer it)."""
    if command is None or is_offered(command, scope, reach.context, reach.installs, guild_id):
        return
    raise ValueError(
        f"Discord does not offer {command['name']!r} in context {reach.context} through a "
        f"{reach.install} install (contexts {allowed_contexts(command)}, "
        f"integration_types {allowed_installs(command)})"
    )
