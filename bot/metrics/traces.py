"""aiohttp trace hooks that count HTTP requests without touching the code that makes them.

One TraceConfig goes on the bot's one AI Horde session (``bot.app``), another on discord.py's
REST session (``HTTPClient.http_trace``, a discord.py constructor option). Labels come from
:mod:`bot.metrics.paths`, so no id, key or token ever becomes a label value.

The Horde's ``rc`` is read from the error body as the client reads it (aiohttp reports the
body it read through ``on_response_chunk_received``): the body is never read a second time.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
from prometheus_client import Counter

from bot.metrics import definitions as m
from bot.metrics.paths import discord_family, discord_route, horde_endpoint
from bot.metrics.record import child, enable, shard

_Hook = Callable[[aiohttp.ClientSession, SimpleNamespace, Any], Awaitable[None]]
_RC = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_SCOPES = frozenset({"user", "global", "shared"})


def no_answer_status(error: BaseException) -> str:
    """The status label of a request that got no HTTP answer."""
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "unreachable"
    return "error"


def rc_of(body: bytes) -> str:
    """The ``rc`` of a Horde error body, "none" when it has none (or is not JSON)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return "none"
    rc = parsed.get("rc") if isinstance(parsed, dict) else None
    if not isinstance(rc, str) or not rc:
        return "none"
    return rc if _RC.match(rc) else "other"


def _count_no_answer(counter: Counter, label: Callable[[str], str]) -> _Hook:
    """A hook counting requests that got no HTTP answer, labelled by ``label(path)``."""

    async def no_answer(
        _session: aiohttp.ClientSession,
        _ctx: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        status = no_answer_status(params.exception)
        child(counter, shard(), params.method, label(params.url.path), status).inc()

    return no_answer


# --- AI Horde ------------------------------------------------------------------------------
async def _started(
    _session: aiohttp.ClientSession, ctx: SimpleNamespace, _params: aiohttp.TraceRequestStartParams
) -> None:
    ctx.started = time.perf_counter()
    ctx.status = 0
    ctx.endpoint = ""


async def _horde_answered(
    _session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
) -> None:
    ctx.endpoint = horde_endpoint(params.url.path)
    ctx.status = params.response.status
    child(m.HORDE_REQUESTS, shard(), params.method, ctx.endpoint, str(ctx.status)).inc()
    elapsed = time.perf_counter() - ctx.started
    child(m.HORDE_LATENCY, shard(), params.method, ctx.endpoint).observe(elapsed)


async def _horde_body(
    _session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceResponseChunkReceivedParams,
) -> None:
    if ctx.status < 400 or getattr(ctx, "rc_counted", False):
        return
    ctx.rc_counted = True
    child(m.HORDE_ERRORS, shard(), ctx.endpoint, str(ctx.status), rc_of(params.chunk)).inc()


def horde_trace() -> aiohttp.TraceConfig:
    """Counts and times every request on the Horde session, and error answers by rc."""
    enable()
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_started)
    trace.on_request_end.append(_horde_answered)
    trace.on_request_exception.append(_count_no_answer(m.HORDE_REQUESTS, horde_endpoint))
    trace.on_response_chunk_received.append(_horde_body)
    return trace


# --- Discord -------------------------------------------------------------------------------
async def _discord_answered(
    _session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
) -> None:
    route = discord_route(params.url.path)
    status = params.response.status
    child(m.DISCORD_REQUESTS, shard(), params.method, route, str(status)).inc()
    elapsed = time.perf_counter() - ctx.started
    child(m.DISCORD_LATENCY, shard(), discord_family(route)).observe(elapsed)
    if status == 429:
        scope = params.response.headers.get("X-RateLimit-Scope", "")
        child(
            m.DISCORD_RATE_LIMITED, shard(), route, scope if scope in _SCOPES else "unknown"
        ).inc()
    elif params.method == "PATCH" and "/messages/" in route and status < 300:
        target = "interaction" if route.startswith("/webhooks/") else "channel"
        child(m.DISCORD_EDITS, shard(), target).inc()


def discord_trace() -> aiohttp.TraceConfig:
    """Counts and times discord.py's REST requests; 429s and message edits separately."""
    enable()
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_started)
    trace.on_request_end.append(_discord_answered)
    trace.on_request_exception.append(_count_no_answer(m.DISCORD_REQUESTS, discord_route))
    return trace
