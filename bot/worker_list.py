"""The Horde's active text workers, cached briefly and shared by every command that lists them.

/workers (lists, autocomplete) and /chat (the context size a model's workers accept) read
the same ``GET /v2/workers?type=text``: one cache spares the bot's shared per-IP budget. The
Horde itself rebuilds the list only every 10-30 s, so a minute-old list is as good as new.
Discord-free.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import BadInput
from bot.horde.errors import NotFound
from bot.horde_ids import looks_like_id

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import WorkerDetails


__all__ = ["CACHE_SECONDS", "WorkerListCache", "online_first", "resolve_worker"]

CACHE_SECONDS = 60.0


class WorkerListCache:
    """The active text workers, fetched at most once per ``max_age`` seconds."""

    def __init__(self, horde: HordeClient, clock: Clock, max_age: float = CACHE_SECONDS) -> None:
        self._horde = horde
        self._clock = clock
        self._max_age = max_age
        self._workers: list[WorkerDetails] = []
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> list[WorkerDetails]:
        """The cached list, refreshed first when older than ``max_age``."""
        async with self._lock:
            now = self._clock.monotonic()
            if self._fetched_at is None or now - self._fetched_at >= self._max_age:
                workers = await self._horde.workers(type="text")
                self._workers = sorted(workers, key=online_first)
                self._fetched_at = now
            return self._workers

    @property
    def last(self) -> list[WorkerDetails]:
        """The last list fetched (empty before the first), whatever its age."""
        return self._workers


def online_first(worker: WorkerDetails) -> tuple[bool, str]:
    """Sort key: online workers first, then by name."""
    return (not worker.online, (worker.name or "").casefold())


async def resolve_worker(horde: HordeClient, cache: WorkerListCache, query: str) -> WorkerDetails:
    """A worker by id (what autocomplete sends) or by exact name; a plain refusal otherwise."""
    if not query:
        raise BadInput("Give a worker name or id.")
    try:
        if looks_like_id(query):
            return await horde.worker(query)
        for cached in await cache.get():
            if (cached.name or "").casefold() == query.casefold():
                return cached
        return await horde.worker_by_name(query)
    except NotFound:
        shown = query.replace("`", "'")[:100]
        raise BadInput(f"The Horde has no worker called `{shown}`.") from None
