"""Prometheus metrics (off unless ``METRICS_LISTEN`` is set); see docs/operations.md.

* :mod:`bot.metrics.definitions` — every metric, in one registry;
* :mod:`bot.metrics.record` — the functions code calls when something happens;
* :mod:`bot.metrics.traces` — HTTP request counting for the Horde and Discord sessions;
* :mod:`bot.metrics.server` — the ``/metrics`` endpoint.

Only :mod:`~bot.metrics.record` is imported up front; the others (and prometheus-client) load
when metrics are on (docs/performance.md §5).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.metrics.record import error_answered

if TYPE_CHECKING:
    import aiohttp

    from bot.config import Settings

__all__ = ["discord_trace_for", "error_answered", "horde_traces_for", "serve_metrics"]


def horde_traces_for(settings: Settings) -> list[aiohttp.TraceConfig]:
    """Trace configs for the Horde session: none when metrics are off (no cost at all)."""
    if settings.metrics_listen is None:
        return []
    from bot.metrics.traces import horde_trace

    return [horde_trace()]


def discord_trace_for(settings: Settings) -> aiohttp.TraceConfig | None:
    """The trace config for discord.py's REST session, None when metrics are off."""
    if settings.metrics_listen is None:
        return None
    from bot.metrics.traces import discord_trace

    return discord_trace()


@contextlib.asynccontextmanager
async def serve_metrics(listen: tuple[str, int] | None) -> AsyncIterator[None]:
    """Serve ``http://host:port/metrics`` while the block runs; nothing when ``listen`` is None."""
    if listen is None:
        yield
        return
    from bot.metrics.server import serve

    async with serve(listen):
        yield
