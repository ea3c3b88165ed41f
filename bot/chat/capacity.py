"""How much context and reply the workers serving a model accept, from ``/v2/workers``.

A chat asks for the context size that at least half of the model's workers support: asking
for the largest would leave the request to the few biggest workers; asking for the
smallest would waste the history most workers could read. The worker list is the bot's
shared one (:mod:`bot.worker_list`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.chat.formats import strip_backend
from bot.horde.errors import HordeError
from bot.worker_list import WorkerListCache

if TYPE_CHECKING:
    from bot.horde.models import WorkerDetails

__all__ = ["DEFAULT_CONTEXT", "Capacity", "WorkerCapacity"]

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 2048  # the Horde's default max_context_length
DEFAULT_MAX_LENGTH = 512


@dataclass(frozen=True, slots=True)
class Capacity:
    max_context_length: int
    max_length: int


class WorkerCapacity:
    """Looks up :class:`Capacity` per model; never raises (defaults when unknown)."""

    def __init__(self, workers: WorkerListCache) -> None:
        self._workers = workers

    async def for_model(self, model: str | None) -> Capacity:
        workers = await self._current()
        if model:
            wanted = strip_backend(model).lower()
            workers = [
                w for w in workers if any(strip_backend(m).lower() == wanted for m in w.models)
            ]
        contexts = sorted((w.max_context_length or 0 for w in workers), reverse=True)
        lengths = sorted((w.max_length or 0 for w in workers), reverse=True)
        contexts = [c for c in contexts if c > 0]
        lengths = [n for n in lengths if n > 0]
        if not contexts:
            return Capacity(DEFAULT_CONTEXT, DEFAULT_MAX_LENGTH)
        half = len(contexts) // 2
        return Capacity(
            max_context_length=contexts[half],
            max_length=lengths[len(lengths) // 2] if lengths else DEFAULT_MAX_LENGTH,
        )

    async def _current(self) -> list[WorkerDetails]:
        try:
            return await self._workers.get()
        except HordeError as exc:
            log.warning("Could not list the text workers: %s", exc)
            return self._workers.last
