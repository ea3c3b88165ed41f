"""The Horde's teams, cached and shared by every command that looks a team up by name.

``/team`` autocompletes and the worker panel's Team modal read the same ``GET /v2/teams``:
one cache spares the bot's per-IP budget and lets autocomplete answer without a Horde request
per keystroke. Changes made through the bot are applied to the cached list at once.
Discord-free.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.clock import Clock

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import TeamDetails

__all__ = ["CACHE_SECONDS", "TeamListCache"]

CACHE_SECONDS = 300.0


class TeamListCache:
    """The Horde's teams, fetched at most once per ``max_age`` seconds."""

    def __init__(self, horde: HordeClient, clock: Clock, max_age: float = CACHE_SECONDS) -> None:
        self._horde = horde
        self._clock = clock
        self._max_age = max_age
        self._teams: list[TeamDetails] = []
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> list[TeamDetails]:
        async with self._lock:
            now = self._clock.monotonic()
            if self._fetched_at is None or now - self._fetched_at >= self._max_age:
                teams = await self._horde.teams()
                self._teams = sorted(teams, key=lambda t: (t.name or "").casefold())
                self._fetched_at = now
            return self._teams

    @property
    def last(self) -> list[TeamDetails]:
        """The last list fetched, whatever its age (autocomplete's fallback)."""
        return self._teams

    async def find(self, wanted: str) -> TeamDetails | None:
        """A team by id or by name (case-insensitive), from the cached list."""
        for team in await self.get():
            if team.id == wanted or (team.name or "").casefold() == wanted.casefold():
                return team
        return None

    def changed(self, team: TeamDetails) -> None:
        """Apply a creation or edit the Horde accepted."""
        self._teams = sorted(
            [t for t in self._teams if t.id != team.id] + [team],
            key=lambda t: (t.name or "").casefold(),
        )

    def deleted(self, team_id: str) -> None:
        self._teams = [t for t in self._teams if t.id != team_id]
