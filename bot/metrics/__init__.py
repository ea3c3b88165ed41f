"""Prometheus metrics (off unless ``METRICS_LISTEN`` is set); see docs/operations.md.

* :mod:`bot.metrics.definitions` — every metric, in one registry;
* :mod:`bot.metrics.record` — the functions code calls when something happens;
* :mod:`bot.metrics.traces` — HTTP request counting for the Horde and Discord sessions;
* :mod:`bot.metrics.server` — the ``/metrics`` endpoint.
"""

from __future__ import annotations

import aiohttp

from bot.config import Settings
from bot.metrics.record import error_answered
from bot.metrics.server import serve_metrics
from bot.metrics.traces import discord_trace, horde_trace

__all__ = ["discord_trace_for", "error_answered", "horde_traces_for", "serve_metrics"]


def horde_traces_for(settings: Settings) -> list[aiohttp.TraceConfig]:
    """Trace configs for the Horde session: none when metrics are off (no cost at all)."""
    return [horde_trace()] if settings.metrics_listen is not None else []


def discord_trace_for(settings: Settings) -> aiohttp.TraceConfig | None:
    """The trace config for discord.py's REST session, None when metrics are off."""
    return discord_trace() if settings.metrics_listen is not None else None
