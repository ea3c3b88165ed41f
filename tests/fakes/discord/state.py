"""The fake's world: users, guilds, channels, messages (changed through message_changes.py)."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tests.fakes.discord.errors import ApiError, unknown
from tests.fakes.discord.interactions import origin_fields
from tests.fakes.discord.message_changes import MessageChanges
from tests.fakes.discord.models import (
    DEFAULT_BOT_PERMISSIONS,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    FakeUser,
    OffsetClock,
    RecordedCall,
    Snowflakes,
    iso,
)

if TYPE_CHECKING:
    from tests.fakes.discord.gateway import Gateway
    from tests.fakes.discord.interactions import FakeInteraction

__all__ = ["ApiError", "FakeState", "unknown"]

T = TypeVar("T")
POLL_INTERVAL = 0.01


class FakeState(MessageChanges):
    """Everything the fake knows; REST handlers, the gateway and tests all go through here."""

    gateway: Gateway

    def __init__(self, token: str, bot_permissions: int = DEFAULT_BOT_PERMISSIONS) -> None:
        self.token = token
        self.clock = OffsetClock()
        self.new_id = Snowflakes()
        self.application_id = self.new_id()
        self.bot_user = FakeUser(self.application_id, "Horde Text Bot", bot=True)
        self.app_owner = FakeUser(self.new_id(), "app-owner")
        self.bot_permissions = bot_permissions
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}  # guilds the bot is in
        self.foreign_guilds: dict[int, FakeGuild] = {}  # servers where only user installs reach
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.dm_channel_ids: dict[int, int] = {}
        self.calls: list[RecordedCall] = []
        self.unhandled: list[str] = []
        self.synced_commands: dict[str | int, list[dict[str, Any]]] = {}
        self.sync_count = 0
        self.tree_commands: dict[str | int, list[dict[str, Any]]] = {}
        self.cdn_url = ""  # set once the server listens
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        for user in (self.bot_user, self.app_owner):
            self.users[user.id] = user

    # --- building the world -------------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        """A user outside any guild (e.g. someone the bot only DMs)."""
        user = FakeUser(self.new_id(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str = "Test Guild", *, owner: str = "owner", shard: int | None = None
    ) -> FakeGuild:
        """A guild the bot is in; its owner (a member with every permission) is created too.

        ``shard``: pick the guild's id so it lives on that shard of ``gateway.shard_count``
        (otherwise every guild of a test tends to land on the same shard).
        """
        owner_user = self.add_user(owner)
        guild_id = self.new_id() if shard is None else self.new_id.on_shard(shard, self._shards())
        guild = FakeGuild(guild_id, name, owner_user.id)
        self.guilds[guild.id] = guild
        self._set_member(guild, owner_user, 0)
        self._set_member(guild, self.bot_user, self.bot_permissions)
        if self.gateway.connected:
            self._spawn(self.gateway.dispatch("GUILD_CREATE", self.guild_create_payload(guild)))
        return guild

    def add_channel(
        self, guild: FakeGuild, name: str, *, nsfw: bool = False, writable: bool = True
    ) -> FakeChannel:
        """A text channel in ``guild`` (``writable=False``: the bot gets 403 when sending)."""
        channel = FakeChannel(
            self.new_id(), name, 0, guild.id, nsfw, position=len(guild.channel_ids)
        )
        channel.writable = writable
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        if self.gateway.connected and guild.id in self.guilds:
            self._spawn(self.gateway.dispatch("CHANNEL_CREATE", channel.payload()))
        return channel

    def add_member(self, guild: FakeGuild, name: str, *, permissions: int = 0) -> FakeUser:
        """A new user who is a member of ``guild`` with these guild-wide permissions."""
        user = self.add_user(name)
        self._set_member(guild, user, permissions)
        return user

    def _set_member(self, guild: FakeGuild, user: FakeUser, permissions: int) -> None:
        guild.permissions[user.id] = permissions
        guild.role_ids[user.id] = self.new_id()

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use)."""
        cid = self.dm_channel_ids.get(user.id)
        if cid is None:
            channel = FakeChannel(self.new_id(), "", 1, recipient=user)
            self.channels[channel.id] = channel
            self.dm_channel_ids[user.id] = cid = channel.id
        return self.channels[cid]

    def new_attachment(self, filename: str, data: bytes | str) -> FakeAttachment:
        """A file as a user would upload it (content type from the name, as Discord guesses)."""
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        raw = data.encode() if isinstance(data, str) else data
        return FakeAttachment(self.new_id(), filename, raw, ctype)

    def add_thread(
        self,
        parent: FakeChannel,
        name: str,
        *,
        owner: FakeUser | None = None,
        thread_id: int | None = None,
        private: bool = False,
    ) -> FakeChannel:
        """A thread under ``parent`` (used by the REST routes; tests may call it too)."""
        thread = FakeChannel(
            thread_id or self.new_id(),
            name,
            12 if private else 11,
            parent.guild_id,
            parent.nsfw,
            parent_id=parent.id,
            owner_id=(owner or self.bot_user).id,
        )
        self.channels[thread.id] = thread
        return thread

    # --- queries ------------------------------------------------------------------------------

    def messages_in(self, channel: FakeChannel | int) -> list[FakeMessage]:
        """Messages in a channel, oldest first, deleted ones left out."""
        cid = channel if isinstance(channel, int) else channel.id
        return [m for m in self.messages.values() if m.channel_id == cid and not m.deleted]

    def dms_with(self, user: FakeUser) -> list[FakeMessage]:
        """Messages in the bot's DM channel with ``user``."""
        cid = self.dm_channel_ids.get(user.id)
        return [] if cid is None else self.messages_in(cid)

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        """The channel's guild, with or without the bot (None for DMs and group DMs)."""
        return None if channel.guild_id is None else self.guild_by_id(channel.guild_id)

    def guild_by_id(self, guild_id: int) -> FakeGuild | None:
        return self.guilds.get(guild_id) or self.foreign_guilds.get(guild_id)

    def bot_can_see(self, channel: FakeChannel) -> bool:
        """True for channels of the bot's guilds and its own DMs; False for group DMs, DMs
        between other users and servers without the bot (Discord answers 403 50001 there)."""
        if channel.guild_id is not None:
            return channel.guild_id in self.guilds
        return self.dm_channel_ids.get(channel.recipient.id if channel.recipient else 0) == (
            channel.id
        )

    def _shards(self) -> int:
        return self.gateway.shard_count

    def channel_or_404(self, channel_id: int) -> FakeChannel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise unknown("Channel")
        return channel

    def message_or_404(self, channel_id: int, message_id: int) -> FakeMessage:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted or msg.channel_id != channel_id:
            raise unknown("Message")
        return msg

    # --- waiting ------------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everyone waiting in ``wait_for`` (called after every change)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy and return its value (TimeoutError otherwise)."""
        async with asyncio.timeout(timeout):
            while True:
                result = predicate()
                if result:
                    return result
                # Also poll, so predicates on the bot's own state (not only the fake's) work.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), POLL_INTERVAL)

    async def wait_for_message(
        self,
        channel: FakeChannel | int,
        predicate: Callable[[FakeMessage], bool] = lambda m: True,
        timeout: float = 5.0,
    ) -> FakeMessage:
        """The newest message in ``channel`` satisfying ``predicate``, waiting for it."""

        def find() -> FakeMessage | None:
            return next((m for m in reversed(self.messages_in(channel)) if predicate(m)), None)

        return await self.wait_for(find, timeout)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- payloads -----------------------------------------------------------------------------

    def member_payload(
        self,
        guild: FakeGuild,
        user: FakeUser,
        *,
        with_user: bool = True,
        channel_permissions: bool = False,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(guild.role_ids[user.id])],
            "joined_at": iso(self.clock.time()),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
        }
        if with_user:
            data["user"] = user.payload()
        if channel_permissions:
            data["permissions"] = str(guild.member_permissions(user.id))
        return data

    def guild_create_payload(self, guild: FakeGuild) -> dict[str, Any]:
        members = [self.member_payload(guild, self.users[uid]) for uid in guild.permissions]
        channels = [self.channels[cid].payload() for cid in guild.channel_ids]
        threads = [
            c.payload()
            for c in self.channels.values()
            if c.guild_id == guild.id and c.type in (11, 12) and not c.archived
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "roles": guild.roles_payload(),
            "channels": channels,
            "threads": threads,
            "members": members,
            "member_count": len(members),
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "joined_at": iso(self.clock.time()),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_timeout": 300,
        }

    def message_payload(self, msg: FakeMessage) -> dict[str, Any]:
        author = self.users.get(msg.author_id, self.bot_user)
        data = msg.payload(author, self.cdn_url)
        origin = None if msg.interaction_id is None else self.interactions.get(msg.interaction_id)
        if origin is not None:
            data.update(origin_fields(origin))
        return data
