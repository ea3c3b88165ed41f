"""Each member's own workers (id and name), cached briefly per member.

``/workers manage`` autocompletes from here: the list comes from the member's own account
(``worker_ids`` of ``/v2/users/{id}`` read with their key), which costs one request plus one per
worker, so it is read at most once per ``max_age`` per member and never per keystroke. Changes
made through the bot (rename, delete) are applied to the cached list at once, since the Horde's
own reads lag ~30 s behind. Discord-free.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.horde.errors import NotFound

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import WorkerDetails

__all__ = ["MAX_OWN_WORKERS", "OwnWorker", "OwnWorkersCache"]

log = logging.getLogger(__name__)

CACHE_SECONDS = 120.0
MAX_OWN_WORKERS = 25


@dataclass(frozen=True, slots=True)
class OwnWorker:
    id: str
    name: str


class OwnWorkersCache:
    """member id → (fetched at, their workers)."""

    def __init__(self, horde: HordeClient, clock: Clock, max_age: float = CACHE_SECONDS) -> None:
        self._horde = horde
        self._clock = clock
        self._max_age = max_age
        self._entries: dict[int, tuple[float, list[OwnWorker]]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def get(self, member_id: int, apikey: str) -> list[OwnWorker]:
        """The member's workers, read from the Horde when the cached list is too old."""
        async with self._locks.setdefault(member_id, asyncio.Lock()):
            entry = self._entries.get(member_id)
            now = self._clock.monotonic()
            if entry is not None and now - entry[0] < self._max_age:
                return entry[1]
            details = await self.read(apikey)
            workers = sorted(
                (OwnWorker(w.id, w.name or "?") for w in details if w.id), key=_by_name
            )
            self._entries[member_id] = (now, workers)
            return workers

    def cached(self, member_id: int) -> list[OwnWorker] | None:
        """What is cached for the member, whatever its age (None before the first read)."""
        entry = self._entries.get(member_id)
        return entry[1] if entry is not None else None

    async def read(self, apikey: str) -> list[WorkerDetails]:
        """The account's workers in full, straight from the Horde (no cache)."""
        user = await self._horde.find_user(apikey=apikey)
        ids = user.worker_ids[:MAX_OWN_WORKERS]
        results = await asyncio.gather(
            *(self._horde.worker(i, apikey=apikey) for i in ids), return_exceptions=True
        )
        found: list[WorkerDetails] = []
        for worker_id, result in zip(ids, results, strict=True):
            if not isinstance(result, BaseException):
                found.append(result)
            elif isinstance(result, NotFound):
                log.info("Worker %s of a member's account no longer exists", worker_id)
            elif isinstance(result, BaseException):
                raise result
        return found

    def renamed(self, member_id: int, worker_id: str, name: str) -> None:
        """Apply a rename the Horde accepted."""
        self._replace(member_id, worker_id, OwnWorker(worker_id, name))

    def deleted(self, member_id: int, worker_id: str) -> None:
        """Drop a worker the Horde deleted."""
        self._replace(member_id, worker_id, None)

    def _replace(self, member_id: int, worker_id: str, new: OwnWorker | None) -> None:
        entry = self._entries.get(member_id)
        if entry is None:
            return
        kept = [w for w in entry[1] if w.id != worker_id]
        if new is not None:
            kept.append(new)
        self._entries[member_id] = (entry[0], sorted(kept, key=_by_name))


def _by_name(worker: OwnWorker) -> str:
    return worker.name.casefold()
