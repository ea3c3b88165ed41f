"""Per-guild moderation settings, allowed channels and blocked members."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from bot.clock import SYSTEM_CLOCK, Clock
from bot.storage.database import Database


@dataclass(frozen=True)
class GuildSettings:
    """A guild's settings; a guild that never changed anything gets these defaults."""

    guild_id: int
    allowed_channel_ids: frozenset[int] = frozenset()  # empty: every channel
    nsfw_only: bool = False
    max_in_flight_per_member: int | None = None  # None: the bot-wide MAX_GENERATIONS_PER_USER
    max_length_cap: int | None = None
    cooldown_seconds: int = 0
    default_model: str | None = None
    default_max_length: int | None = None
    log_channel_id: int | None = None


@dataclass(frozen=True)
class BlockedUser:
    guild_id: int
    user_id: int
    blocked_by: int
    reason: str | None
    blocked_at: float


# Columns update() may change, with the check each value must pass.
_OPTIONAL_POSITIVE = ("max_in_flight_per_member", "max_length_cap", "default_max_length")
UPDATABLE_GUILD_SETTINGS = _UPDATABLE = frozenset(
    {*_OPTIONAL_POSITIVE, "nsfw_only", "cooldown_seconds", "default_model", "log_channel_id"}
)


def _check_change(name: str, value: Any) -> Any:
    """Validate one update() value; return what is stored. Raises ValueError/TypeError."""
    if name not in _UPDATABLE:
        raise TypeError(f"unknown guild setting {name!r}")
    if name == "nsfw_only":
        if not isinstance(value, bool):
            raise TypeError("nsfw_only must be a bool")
        return int(value)
    if name == "default_model":
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError("default_model must be a non-empty string or None")
        return value
    if name == "cooldown_seconds":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("cooldown_seconds must be an int >= 0")
        return value
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ValueError(f"{name} must be a positive int or None")
    return value


class GuildSettingsRepository:
    """Reads and changes ``guild_settings`` and ``guild_channels``."""

    def __init__(self, db: Database, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._db = db
        self._clock = clock

    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings (defaults when it has none)."""
        channels = await self._db.fetchall(
            "SELECT channel_id FROM guild_channels WHERE guild_id = ?", (guild_id,)
        )
        allowed = frozenset(int(row[0]) for row in channels)
        row = await self._db.fetchone(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return GuildSettings(guild_id, allowed_channel_ids=allowed)
        return GuildSettings(
            guild_id=guild_id,
            allowed_channel_ids=allowed,
            nsfw_only=bool(row["nsfw_only"]),
            max_in_flight_per_member=row["max_in_flight_per_member"],
            max_length_cap=row["max_length_cap"],
            cooldown_seconds=row["cooldown_seconds"],
            default_model=row["default_model"],
            default_max_length=row["default_max_length"],
            log_channel_id=row["log_channel_id"],
        )

    async def update(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Set the named fields (e.g. ``nsfw_only=True``, ``max_length_cap=None``); return all.

        Raises TypeError for an unknown field name, ValueError for a value out of range.
        """
        stored = {name: _check_change(name, value) for name, value in changes.items()}
        if stored:
            columns = sorted(stored)
            # Column names come from the _UPDATABLE whitelist, never from input.
            sql = (
                f"INSERT INTO guild_settings (guild_id, updated_at, {', '.join(columns)})"  # noqa: S608
                f" VALUES (?, ?, {', '.join('?' for _ in columns)})"
                " ON CONFLICT (guild_id) DO UPDATE SET updated_at = excluded.updated_at, "
                + ", ".join(f"{column} = excluded.{column}" for column in columns)
            )
            params = [guild_id, self._clock.time(), *(stored[column] for column in columns)]
            await self._db.execute(sql, params)
        return await self.get(guild_id)

    async def add_channel(self, guild_id: int, channel_id: int) -> bool:
        """Allow /generate in ``channel_id``; False if it already was."""
        added = await self._db.execute(
            "INSERT INTO guild_channels (guild_id, channel_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (guild_id, channel_id),
        )
        return added > 0

    async def remove_channel(self, guild_id: int, channel_id: int) -> bool:
        """Stop allowing ``channel_id``; False if it was not in the list."""
        removed = await self._db.execute(
            "DELETE FROM guild_channels WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        return removed > 0

    async def clear_channels(self, guild_id: int) -> int:
        """Allow every channel again; return how many entries were removed."""
        return await self._db.execute("DELETE FROM guild_channels WHERE guild_id = ?", (guild_id,))


class BlockedUserRepository:
    """Members a guild's moderators have blocked from the bot's commands."""

    def __init__(self, db: Database, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._db = db
        self._clock = clock

    async def block(
        self, guild_id: int, user_id: int, by_user_id: int, reason: str | None = None
    ) -> bool:
        """Block ``user_id`` in the guild; False if already blocked (the reason is updated)."""
        was_blocked = await self.is_blocked(guild_id, user_id)
        await self._db.execute(
            """
            INSERT INTO blocked_users (guild_id, user_id, blocked_by, reason, blocked_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, user_id) DO UPDATE SET
                blocked_by = excluded.blocked_by, reason = excluded.reason
            """,
            (guild_id, user_id, by_user_id, reason, self._clock.time()),
        )
        return not was_blocked

    async def unblock(self, guild_id: int, user_id: int) -> bool:
        """Lift a block; False if the member was not blocked."""
        removed = await self._db.execute(
            "DELETE FROM blocked_users WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return removed > 0

    async def is_blocked(self, guild_id: int, user_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM blocked_users WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return row is not None

    async def list(self, guild_id: int) -> builtins.list[BlockedUser]:
        """The guild's blocked members, oldest block first."""
        rows = await self._db.fetchall(
            "SELECT guild_id, user_id, blocked_by, reason, blocked_at FROM blocked_users"
            " WHERE guild_id = ? ORDER BY blocked_at, user_id",
            (guild_id,),
        )
        return [BlockedUser(**dict(row)) for row in rows]
