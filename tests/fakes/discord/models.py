"""State objects of the fake Discord (users, guilds, channels, messages) and their wire payloads."""

from __future__ import annotations

import asyncio
import copy
import datetime
import time
from dataclasses import dataclass, field
from typing import Any

import discord

DISCORD_EPOCH_MS = 1_420_070_400_000
ALL_PERMISSIONS = discord.Permissions.all().value
# What a freshly invited bot is typically granted by the README's invite link, plus thread rights.
DEFAULT_BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    use_application_commands=True,
).value

EPHEMERAL = 1 << 6
LOADING = 1 << 7


def iso(ts: float) -> str:
    """An ISO-8601 timestamp as Discord sends it."""
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat()


class OffsetClock:
    """Real time plus an offset that tests move forward (token lifetimes, ack deadlines).

    Satisfies ``bot.clock.Clock``.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def advance(self, seconds: float) -> None:
        """Jump forward ``seconds`` (nothing sleeps)."""
        self.offset += seconds


class Snowflakes:
    """Increasing Discord-style ids whose timestamp part is the creation time of the fake."""

    def __init__(self) -> None:
        self._next = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22

    def __call__(self) -> int:
        self._next += 1
        return self._next

    def on_shard(self, shard: int, shard_count: int) -> int:
        """A new id whose guild would live on ``shard`` (``(id >> 22) % shard_count``)."""
        if not 0 <= shard < shard_count:
            raise ValueError(f"shard {shard} is not one of {shard_count} shards")
        millis = (self._next >> 22) + 1
        millis += (shard - millis) % shard_count
        self._next = millis << 22
        return self()


@dataclass(eq=False)
class FakeUser:
    """A Discord user (a guild member when added through ``FakeDiscord.add_member``)."""

    id: int
    name: str
    bot: bool = False
    dms_open: bool = True  # False: DMs to this user fail with 403 code 50007

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(eq=False)
class FakeGuild:
    """A guild; ``permissions[user_id]`` is each member's guild-wide permission value."""

    id: int
    name: str
    owner_id: int
    channel_ids: list[int] = field(default_factory=list)
    permissions: dict[int, int] = field(default_factory=dict)
    role_ids: dict[int, int] = field(default_factory=dict)  # member id -> its permission role
    # Servers without the bot: False when the server disables "Use External Apps" (Discord then
    # makes every response of a user-installed app ephemeral).
    external_apps: bool = True

    def member_permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        return self.permissions.get(user_id, 0)

    def roles_payload(self) -> list[dict[str, Any]]:
        everyone = _role(self.id, "@everyone", 0, 0)
        return [everyone] + [
            _role(rid, f"perms-{uid}", self.permissions[uid], 1)
            for uid, rid in self.role_ids.items()
        ]


def _role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


@dataclass(eq=False)
class FakeChannel:
    """A text channel (type 0), public/private thread (11/12), DM (1) or group DM (3)."""

    id: int
    name: str
    type: int = 0
    guild_id: int | None = None
    nsfw: bool = False
    position: int = 0
    parent_id: int | None = None
    owner_id: int | None = None
    recipient: FakeUser | None = None  # DMs: the other user
    recipients: list[FakeUser] = field(default_factory=list)  # group DMs: everyone in it
    archived: bool = False
    locked: bool = False
    writable: bool = True  # False: the bot's sends answer 403 Missing Permissions
    created: float = field(default_factory=time.time)

    def payload(self) -> dict[str, Any]:
        if self.type == 1:
            assert self.recipient is not None
            return {"id": str(self.id), "type": 1, "recipients": [self.recipient.payload()]}
        if self.type == 3:
            return {
                "id": str(self.id),
                "type": 3,
                "name": self.name,
                "icon": None,
                "owner_id": str(self.owner_id),
                "recipients": [u.payload() for u in self.recipients],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "nsfw": self.nsfw,
            "permission_overwrites": [],
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.type in (10, 11, 12):
            data.update(
                owner_id=str(self.owner_id),
                message_count=0,
                member_count=1,
                total_message_sent=0,
                thread_metadata={
                    "archived": self.archived,
                    "locked": self.locked,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(self.created),
                },
            )
        return data


@dataclass(eq=False)
class FakeAttachment:
    """A file stored with a message, with its bytes."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def payload(self, cdn_url: str, channel_id: int) -> dict[str, Any]:
        url = f"{cdn_url}/attachments/{channel_id}/{self.id}/{self.filename}"
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data


@dataclass(eq=False)
class FakeMessage:
    """A message as the fake stores it; ``history`` keeps a snapshot of every version."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    guild_id: int | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    deleted: bool = False
    edits: int = 0
    created: float = field(default_factory=time.time)
    edited: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while this is a deferred "thinking…" placeholder."""
        return bool(self.flags & LOADING)

    def snapshot(self) -> None:
        """Record the current state in ``history``."""
        self.history.append(
            {
                "content": self.content,
                "embeds": copy.deepcopy(self.embeds),
                "components": copy.deepcopy(self.components),
                "attachments": [a.filename for a in self.attachments],
                "flags": self.flags,
            }
        )

    def iter_components(self) -> list[dict[str, Any]]:
        """Every component, action rows and their children flattened."""
        found: list[dict[str, Any]] = []
        stack = list(reversed(self.components))
        while stack:
            comp = stack.pop()
            found.append(comp)
            children = list(comp.get("components", []))
            if "component" in comp:
                children.append(comp["component"])
            if "accessory" in comp:
                children.append(comp["accessory"])
            stack.extend(reversed(children))
        return found

    def buttons(self) -> list[str]:
        """Labels of all buttons, in order."""
        return [c.get("label", "") for c in self.iter_components() if c.get("type") == 2]

    def text(self) -> str:
        """Content and every embed's visible text joined by newlines (for ``in`` assertions)."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [embed.get("author", {}).get("name", "")]
            for fld in embed.get("fields", []):
                parts += [fld.get("name", ""), fld.get("value", "")]
            parts += [embed.get("footer", {}).get("text", "")]
        return "\n".join(p for p in parts if p)

    def payload(self, author: FakeUser, cdn_url: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0 if self.message_reference is None else 19,
            "author": author.payload(),
            "content": self.content,
            "timestamp": iso(self.created),
            "edited_timestamp": None if self.edited is None else iso(self.edited),
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload(cdn_url, self.channel_id) for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        return data


@dataclass
class RecordedCall:
    """One REST request the bot made (``json`` is the JSON body or ``payload_json``)."""

    method: str
    path: str
    json: Any
    files: list[FakeAttachment]
    time: float
    status: int = 0
    query: dict[str, str] = field(default_factory=dict)
