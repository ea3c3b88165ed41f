"""The bot's webhook listener: plain HTTP on ``HORDE_WEBHOOK_LISTEN`` behind a TLS proxy.

Every POST is judged by the :class:`~bot.webhooks.registry.WebhookRegistry` from the last
segment of its path (the proxy forwards path and query unchanged); an accepted call only wakes
the poller for that job. Nothing here logs a path: it is the job's secret. The aiohttp access
log is off for the same reason.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.config import ConfigError
from bot.webhooks.registry import Verdict, WebhookRegistry

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["MAX_BODY_BYTES", "serve_webhooks"]

log = logging.getLogger(__name__)

# The Horde's body is one generation's text and metadata; anything bigger is not from it.
MAX_BODY_BYTES = 64 * 1024


async def _call(registry: WebhookRegistry, request: web.Request) -> web.Response:
    from aiohttp import web

    token = request.path.rstrip("/").rpartition("/")[2]
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        registry.counts[Verdict.TOO_LARGE] += 1
        log.info("webhook call refused: body over %d bytes", MAX_BODY_BYTES)
        raise
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    verdict, key = registry.claim(token, body)
    if key is None:
        log.info("webhook call ignored (%s)", verdict)
        return web.Response(status=404 if verdict is not Verdict.MALFORMED else 400)
    log.debug("webhook call for job %s; confirming with a status read", key)
    return web.Response(status=200, text="ok")


def make_app(registry: WebhookRegistry) -> web.Application:
    # aiohttp's server side is imported only when webhook mode is on (start-up time).
    from aiohttp import web

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/{tail:.*}", functools.partial(_call, registry))
    return app


@contextlib.asynccontextmanager
async def serve_webhooks(
    listen: tuple[str, int] | None,
    registry: WebhookRegistry | None,
) -> AsyncIterator[int | None]:
    """Listen while the block runs (yields the bound port); nothing when webhooks are off."""
    if listen is None or registry is None:
        yield None
        return
    from aiohttp import web

    host, port = listen
    runner = web.AppRunner(make_app(registry), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(
                "HORDE_WEBHOOK_LISTEN", f"cannot listen on {host}:{port} ({reason})"
            ) from None
        bound = runner.addresses[0][1] if runner.addresses else port
        log.info("Listening for Horde webhooks on %s:%d", host, bound)
        yield bound
    finally:
        await runner.cleanup()
