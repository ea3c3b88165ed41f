"""Per-member cooldowns between generations (the ``/mod`` cooldown rule), kept in memory."""

from __future__ import annotations

from bot.clock import Clock
from bot.errors import CooldownActive

__all__ = ["CooldownTracker"]

# Direct messages have no guild; their cooldown state is kept under this key.
_NO_GUILD = 0


class CooldownTracker:
    """In-memory last use per (guild, member), on the injected clock.

    Build one per bot (``CooldownTracker(services.clock)``) and attach it as
    ``services.cooldowns``. Nothing is persisted: a restart forgets the cooldowns, which
    costs at most one early generation per member.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last_use: dict[tuple[int, int], float] = {}

    def retry_at(self, guild_id: int | None, user_id: int, seconds: float) -> float | None:
        """Wall-clock time the member may go again, or None when they may go now."""
        if seconds <= 0:
            return None
        last = self._last_use.get((guild_id or _NO_GUILD, user_id))
        if last is None:
            return None
        remaining = last + seconds - self._clock.monotonic()
        return self._clock.time() + remaining if remaining > 0 else None

    def record(self, guild_id: int | None, user_id: int) -> None:
        """Remember that the member started a generation now."""
        self._last_use[(guild_id or _NO_GUILD, user_id)] = self._clock.monotonic()

    def forget(self, guild_id: int | None, user_id: int) -> None:
        """Drop the member's last use, e.g. when the generation was refused before submitting."""
        self._last_use.pop((guild_id or _NO_GUILD, user_id), None)

    def check_and_record(self, guild_id: int | None, user_id: int, seconds: float) -> None:
        """Raise :class:`CooldownActive` when too early, otherwise record this use.

        Checking and recording in one synchronous step means two quick commands cannot
        both slip through.
        """
        retry_at = self.retry_at(guild_id, user_id, seconds)
        if retry_at is not None:
            raise CooldownActive(retry_at)
        self.record(guild_id, user_id)
