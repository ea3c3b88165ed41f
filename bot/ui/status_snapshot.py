"""The Horde at a glance, fetched in one go and cached to spare the Horde (``/status``).

Discord-free: :mod:`bot.ui.status_render` turns a :class:`HordeSnapshot` into an embed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.horde.errors import HordeError

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import (
        ActiveModel,
        Heartbeat,
        HordeModes,
        HordePerformance,
        Newspiece,
        StatsTxtTotals,
        TxtModelStats,
    )

log = logging.getLogger(__name__)

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class HordeSnapshot:
    """What /status shows. A part that could not be fetched is None (or empty).

    ``modes`` is None when unknown: the Horde answers 403 to keys that are not a moderator's
    and we send none, but it may still refuse.
    """

    fetched_at: float
    heartbeat: Heartbeat | None
    performance: HordePerformance | None
    modes: HordeModes | None
    models: list[ActiveModel] = field(default_factory=list)
    news: list[Newspiece] = field(default_factory=list)
    totals: StatsTxtTotals | None = None
    model_stats: TxtModelStats | None = None


async def fetch_snapshot(horde: HordeClient, clock: Clock) -> HordeSnapshot:
    """Ask the Horde for everything at once; one failing part does not spoil the rest.

    Raises the heartbeat's :class:`HordeError` only when nothing at all could be fetched.
    """
    # Imported here, not at start-up: the models bring pydantic (docs/performance.md §5).
    from bot.horde.models import (
        Heartbeat,
        HordeModes,
        HordePerformance,
        StatsTxtTotals,
        TxtModelStats,
    )

    heartbeat, performance, modes, models, news, totals, model_stats = await asyncio.gather(
        horde.heartbeat(),
        horde.performance(),
        horde.modes(),
        horde.models(type="text"),
        horde.news(),
        horde.text_stats_totals(),
        horde.text_stats_models(),
        return_exceptions=True,
    )
    parts = (heartbeat, performance, modes, models, news, totals, model_stats)
    for part in parts:
        if isinstance(part, BaseException) and not isinstance(part, HordeError):
            raise part
    if all(isinstance(part, HordeError) for part in parts):
        assert isinstance(heartbeat, HordeError)
        raise heartbeat
    names = ("heartbeat", "performance", "modes", "models", "news", "totals", "model stats")
    for name, part in zip(names, parts, strict=True):
        if isinstance(part, HordeError):
            log.info("Horde status part %s unavailable: %r", name, part)
    return HordeSnapshot(
        fetched_at=clock.time(),
        heartbeat=heartbeat if isinstance(heartbeat, Heartbeat) else None,
        performance=performance if isinstance(performance, HordePerformance) else None,
        modes=modes if isinstance(modes, HordeModes) else None,
        models=sorted(models, key=_model_rank) if isinstance(models, list) else [],
        news=sorted(news, key=_news_date, reverse=True) if isinstance(news, list) else [],
        totals=totals if isinstance(totals, StatsTxtTotals) else None,
        model_stats=model_stats if isinstance(model_stats, TxtModelStats) else None,
    )


def _model_rank(model: ActiveModel) -> tuple[int, float, str]:
    # Most workers first; ties broken by the longest queue, then by name.
    return (-model.count, -model.queued, (model.name or "").casefold())


def _news_date(piece: Newspiece) -> str:
    return piece.date_published or ""


class StatusCache:
    """One snapshot shared by every /status and Refresh for ``max_age`` seconds."""

    def __init__(self, horde: HordeClient, clock: Clock, max_age: float = CACHE_SECONDS) -> None:
        self._horde = horde
        self._clock = clock
        self._max_age = max_age
        self._snapshot: HordeSnapshot | None = None
        self._taken_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> HordeSnapshot:
        """The cached snapshot, fetched again when older than ``max_age``."""
        async with self._lock:
            now = self._clock.monotonic()
            if self._snapshot is None or now - self._taken_at >= self._max_age:
                snapshot = await fetch_snapshot(self._horde, self._clock)
                self._snapshot, self._taken_at = snapshot, now
            return self._snapshot
