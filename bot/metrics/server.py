"""``/metrics`` over HTTP (Prometheus text format), served on the bot's own event loop.

An aiohttp server rather than prometheus-client's thread-based one: it starts and stops with
the process's run (no stray thread at exit) and aiohttp is already a dependency.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.config import ConfigError
from bot.metrics import record
from bot.metrics.definitions import REGISTRY

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)


async def _metrics(_request: web.Request) -> web.Response:
    from aiohttp import web

    return web.Response(
        body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


@contextlib.asynccontextmanager
async def serve(listen: tuple[str, int]) -> AsyncIterator[None]:
    """Serve ``http://host:port/metrics`` while the block runs (and record from now on)."""
    # aiohttp's server side is imported only when metrics are on (start-up time).
    from aiohttp import web

    record.enable()
    host, port = listen
    app = web.Application()
    app.router.add_get("/metrics", _metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(
                "METRICS_LISTEN", f"cannot listen on {host}:{port} ({reason})"
            ) from None
        log.info("Serving Prometheus metrics on http://%s:%d/metrics", host, port)
        yield
    finally:
        await runner.cleanup()
