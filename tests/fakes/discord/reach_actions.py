"""Reach: places a user-installed app works without its bot (group DMs, DMs between users, servers
without the bot), message context menus, where Discord offers each command, and the bot's DMs.

World::

    other = fake.add_foreign_guild("Elsewhere")        # the bot is NOT in it: no gateway events
    lounge = fake.add_channel(other, "lounge")         # add_channel/add_member work on it
    carol = fake.add_member(other, "carol")
    group = fake.add_group_dm(alice, bob, name="pals")   # a group DM (channel type 3)
    pair = fake.add_private_dm(alice, bob)               # a DM between two users (type 1)

``fake.send_slash(..., channel=lounge | group | pair)`` then fires the command from there, with
``context`` (0 / 2) and ``authorizing_integration_owners`` ``{"1": user_id}``; ``channel=None``
is the user's DM with the bot (context 1). The bot's own REST calls into such channels answer
403 code 50001 Missing Access; only the interaction callback, ``@original`` and at most five
follow-ups work (a sixth answers 400 code 40094).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.discord.actions import UserActions
from tests.fakes.discord.interactions import APPLICATION_COMMAND, FakeInteraction
from tests.fakes.discord.models import FakeChannel, FakeGuild, FakeMessage, FakeUser, RecordedCall
from tests.fakes.discord.reach import (
    GUILD_INSTALL,
    USER_INSTALL,
    Install,
    check_offered,
    is_offered,
    reach_of,
)
from tests.fakes.discord.slash_routes import find_schema

MESSAGE_COMMAND = 3
INSTALLS = {"guild": {GUILD_INSTALL}, "user": {USER_INSTALL}, "both": {GUILD_INSTALL, USER_INSTALL}}


class ReachActions(UserActions):
    """Mixed into ``FakeDiscord``."""

    # --- building the world -------------------------------------------------------------------

    def add_foreign_guild(
        self,
        name: str = "Other Server",
        *,
        owner: str = "owner",
        external_apps: bool = True,
        shard: int | None = None,
    ) -> FakeGuild:
        """A server the bot is not in (only user installs reach it; the gateway says nothing).

        ``external_apps=False``: the server disables "Use External Apps", so Discord makes every
        response and follow-up of the app ephemeral. ``shard``: an id that WOULD map to that
        shard; its interactions still arrive on shard 0, as the bot holds no such guild.
        """
        owner_user = self.add_user(owner)
        guild_id = self.new_id() if shard is None else self.new_id.on_shard(shard, self._shards())
        guild = FakeGuild(guild_id, name, owner_user.id, external_apps=external_apps)
        self.foreign_guilds[guild.id] = guild
        self._set_member(guild, owner_user, 0)
        return guild

    def add_group_dm(self, owner: FakeUser, *others: FakeUser, name: str = "") -> FakeChannel:
        """A group DM (channel type 3) of ``owner`` and ``others``; the bot is not in it."""
        channel = FakeChannel(
            self.new_id(), name, 3, owner_id=owner.id, recipients=[owner, *others]
        )
        self.channels[channel.id] = channel
        return channel

    def add_private_dm(self, user: FakeUser, other: FakeUser) -> FakeChannel:
        """A DM between two users (type 1, as ``user`` sees it); the bot is not in it."""
        channel = FakeChannel(self.new_id(), "", 1, recipient=other)
        self.channels[channel.id] = channel
        return channel

    # --- message context menus ----------------------------------------------------------------

    async def send_message_command(
        self,
        name: str,
        target: FakeMessage,
        *,
        user: FakeUser,
        install: Install | None = None,
        check_context: bool = True,
    ) -> FakeInteraction:
        """``user`` picks Apps → ``name`` on ``target`` (an application command of type 3).

        The interaction comes from the target's channel, with ``data.target_id`` and the full
        message (content, author, attachments with their 127.0.0.1 ``url``) in
        ``data.resolved.messages``. ``check_context``: ValueError when Discord would not offer
        the menu there (its ``contexts``/``integration_types``, synced or registered).
        """
        where = self.channels[target.channel_id]
        schema, scope = find_schema(self, name, where.guild_id, MESSAGE_COMMAND)
        if check_context:
            check_offered(schema, scope, reach_of(self, user, where, install), where.guild_id)
        data: dict[str, Any] = {
            # Unsynced commands get any stable id; discord.py routes on the name and type.
            "id": str(schema["id"]) if schema and "id" in schema else str(self.application_id + 3),
            "name": name,
            "type": MESSAGE_COMMAND,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): self.message_payload(target)}},
        }
        if scope != "global":
            data["guild_id"] = str(scope)
        ia = self._new(APPLICATION_COMMAND, user, where, data, install=install)
        return await self._dispatch_interaction(ia)

    # --- what Discord offers ------------------------------------------------------------------

    def commands_offered(
        self,
        context: int,
        *,
        install: Install = "both",
        guild: FakeGuild | None = None,
        kind: int = 1,
    ) -> list[str]:
        """Names of the SYNCED commands of type ``kind`` a member's client lists in ``context``
        (0 a server, 1 the bot's DM, 2 group DMs) through ``install``; ``guild`` adds that
        guild's own commands (context 0 only)."""
        installs = INSTALLS[install]
        guild_id = None if guild is None else guild.id
        scopes: list[str | int] = ["global"] if guild_id is None else ["global", guild_id]
        return sorted(
            {
                cmd["name"]
                for scope in scopes
                for cmd in self.synced_commands.get(scope, [])
                if cmd.get("type", 1) == kind
                and is_offered(cmd, scope, context, installs, guild_id)
            }
        )

    def synced_command(
        self, name: str, *, kind: int = 1, guild: FakeGuild | None = None
    ) -> dict[str, Any] | None:
        """The stored (synced) command, as Discord would return it: ``contexts`` (None when the
        bot set none), ``integration_types`` ([0] when the bot set none), ``options``…"""
        scope: str | int = "global" if guild is None else guild.id
        return next(
            (
                c
                for c in self.synced_commands.get(scope, [])
                if c["name"] == name and c.get("type", 1) == kind
            ),
            None,
        )

    # --- the bot's DMs ------------------------------------------------------------------------

    def bot_dms(self, user: FakeUser) -> list[FakeMessage]:
        """Messages the bot posted into its DM with ``user`` through the REST API (not the
        replies to interactions run in that DM). ``user.dms_open = False`` refuses them."""
        return [m for m in self.dms_with(user) if m.interaction_id is None]

    def dm_attempts(self, user: FakeUser) -> list[RecordedCall]:
        """Every ``POST`` the bot made to its DM channel with ``user``; ``call.status`` is 403
        for the ones Discord refused (code 50007: the user does not accept DMs)."""
        cid = self.dm_channel_ids.get(user.id)
        path = f"/channels/{cid}/messages"
        return [c for c in self.calls if c.method == "POST" and c.path == path]
