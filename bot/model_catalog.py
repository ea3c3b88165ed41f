"""The Horde's active text models, cached briefly, for /generate's autocomplete and checks.

Autocomplete fires on every keystroke; asking the Horde each time would spend the bot's
shared per-IP budget, so the list is kept for ``ttl`` seconds (60 by default) on the injected
clock. Concurrent callers share one fetch. Discord-free.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import SYSTEM_CLOCK, Clock
from bot.horde.errors import HordeError

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import ActiveModel


__all__ = ["ModelCatalog", "ModelChoice"]

log = logging.getLogger(__name__)

DEFAULT_TTL = 60.0
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
MAX_CHOICE_NAME = 100  # …each label at most 100 characters


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """One autocomplete choice: ``label`` is shown, ``value`` is the model name sent."""

    label: str
    value: str


class ModelCatalog:
    """A ≤ ``ttl``-second cache of ``GET /v2/status/models?type=text``."""

    def __init__(
        self, horde: HordeClient, clock: Clock = SYSTEM_CLOCK, *, ttl: float = DEFAULT_TTL
    ):
        self._horde = horde
        self._clock = clock
        self._ttl = ttl
        self._models: list[ActiveModel] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def models(self) -> list[ActiveModel]:
        """Active text models, busiest first; raises the client's error when none is cached."""
        async with self._lock:
            now = self._clock.monotonic()
            if self._models is None or now - self._fetched_at >= self._ttl:
                try:
                    fetched = await self._horde.models(type="text", retries=0)
                except HordeError:
                    if self._models is None:
                        raise
                    # A stale list beats none while the Horde is briefly unreachable.
                    log.warning("Could not refresh the text model list; using the cached one")
                    return self._models
                self._models = sorted(
                    (m for m in fetched if m.name and m.count > 0),
                    key=lambda m: (-m.count, -m.jobs, m.name or ""),
                )
                self._fetched_at = now
            return self._models

    async def find(self, name: str) -> ActiveModel | None:
        """The active model called ``name`` (exact match first, then case-insensitive)."""
        models = await self.models()
        for model in models:
            if model.name == name:
                return model
        folded = name.casefold()
        return next((m for m in models if (m.name or "").casefold() == folded), None)

    async def choices(self, current: str) -> list[ModelChoice]:
        """Up to 25 choices whose name contains ``current``, labelled with load."""
        try:
            models = await self.models()
        except HordeError:
            return []
        needle = current.strip().casefold()
        found = [m for m in models if needle in (m.name or "").casefold()]
        return [_choice(m) for m in found[:MAX_CHOICES]]


def _choice(model: ActiveModel) -> ModelChoice:
    name = model.name or ""
    workers = f"{model.count} worker{'s' if model.count != 1 else ''}"
    suffix = f" — {workers}, {int(model.jobs)} queued"  # jobs: queued requests
    room = MAX_CHOICE_NAME - len(suffix)
    shown = name if len(name) <= room else name[: max(room - 1, 1)] + "…"
    return ModelChoice(label=f"{shown}{suffix}", value=name[:MAX_CHOICE_NAME])
