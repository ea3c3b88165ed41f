"""Prometheus metrics (off unless ``METRICS_LISTEN`` is set); see docs/operations.md.

* :mod:`bot.metrics.definitions` — every metric, in one registry;
* :mod:`bot.metrics.record` — the functions code calls when something happens;
* :mod:`bot.metrics.discord_http` — counting discord.py's HTTP requests (the Horde client counts
  its own, in ``bot.horde._transport``);
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
    import discord.http

    from bot.config import Settings

__all__ = ["count_discord_requests", "error_answered", "serve_metrics"]


def count_discord_requests(http: discord.http.HTTPClient, settings: Settings) -> None:
    """Count discord.py's requests from its login on; nothing at all when metrics are off."""
    if settings.metrics_listen is None:
        return
    from bot.metrics.discord_http import count_requests

    count_requests(http)


@contextlib.asynccontextmanager
async def serve_metrics(listen: tuple[str, int] | None) -> AsyncIterator[None]:
    """Serve ``http://host:port/metrics`` while the block runs; nothing when ``listen`` is None."""
    if listen is None:
        yield
        return
    from bot.metrics.server import serve

    async with serve(listen):
        yield
