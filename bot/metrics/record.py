"""What the bot's code calls to move a metric: one small function per event.

Callers pass plain values (a kind, a state, seconds); the shard label is filled in here. The
functions are safe to call whether or not ``METRICS_LISTEN`` is set. Until :func:`enable` (the
metrics endpoint and the tests' scrapes call it) they do nothing and
prometheus-client is not even imported: a bot without metrics pays neither its import time
nor a label lookup per event. Gauges that are set rather than moved (the engine's live jobs,
whether the Horde answers) are remembered and exported once metrics are enabled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import aiohttp

from bot.metrics.paths import discord_family, discord_route, horde_endpoint

_shard = "0"
_CLASS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")
_RC = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_SCOPES = frozenset({"user", "global", "shared"})
# Latency is kept per endpoint for the generation path only (submit, status polls): every label
# set of a histogram is a dozen series each scrape renders, and the rest are rare calls.
_TIMED_ENDPOINTS = frozenset({"/v2/generate/text/async", "/v2/generate/text/status/{id}"})

# bot.metrics.definitions once metrics are enabled (None: every record call returns at once).
_m: ModuleType | None = None
# Label children by (metric, label values): ``labels()`` takes a lock and checks every
# value on each call; the children never go away (nothing here removes a label set).
_children: dict[tuple[int | str, ...], Any] = {}
# Gauges set before metrics were enabled, exported by enable().
_engine_sources: dict[str, tuple[Callable[[], float], Callable[[], float]]] = {}
_reachable: bool | None = None


def enable() -> None:
    """Start recording (idempotent): import the registry, export the remembered gauges."""
    global _m
    if _m is not None:
        return
    from bot.metrics import definitions

    _m = definitions
    for kind, (in_flight, queued) in _engine_sources.items():
        _set_engine_gauges(kind, in_flight, queued)
    if _reachable is not None:
        horde_reachable(_reachable)


def enabled() -> bool:
    return _m is not None


def child(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, looked up once per label set."""
    key: tuple[int | str, ...] = (id(metric), *labels)  # metrics live as long as the process
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found


def set_shard(label: str) -> None:
    """The shards this process serves, e.g. "0" or "0-3" (the multi-process deployment)."""
    global _shard
    _shard = label


def shard() -> str:
    return _shard


# --- generation engine -----------------------------------------------------------------------
def observe_engine(
    kind: str, *, in_flight: Callable[[], float], queued: Callable[[], float]
) -> None:
    """Read the in-flight and queued gauges from the engine at scrape time.

    The engine's own counts of its live jobs, rather than increments and decrements on every
    path a job can take: they cannot drift when a path forgets one.
    """
    _engine_sources[kind] = (in_flight, queued)
    if _m is not None:
        _set_engine_gauges(kind, in_flight, queued)


def _set_engine_gauges(
    kind: str, in_flight: Callable[[], float], queued: Callable[[], float]
) -> None:
    assert _m is not None
    child(_m.IN_FLIGHT, _shard, kind).set_function(in_flight)
    child(_m.QUEUED, _shard, kind).set_function(queued)


def generation_finished(kind: str, state: str) -> None:
    """A generation reached its final state (done, faulted, cancelled, expired, failed)."""
    if _m is not None:
        child(_m.GENERATIONS, _shard, kind, state).inc()


def submit_waited(seconds: float) -> None:
    """How long a submit waited for the submit governor."""
    if _m is not None:
        child(_m.SUBMIT_WAIT, _shard).observe(seconds)


def poll_scheduled(seconds: float) -> None:
    """The interval chosen before the next status poll."""
    if _m is not None:
        child(_m.POLL_INTERVAL, _shard).observe(seconds)


def delivery_fell_back(reason: str) -> None:
    """A result was delivered another way (new message, file) than editing the reply."""
    if _m is not None:
        child(_m.DELIVERY_FALLBACKS, _shard, reason).inc()


def chat_turn(outcome: str) -> None:
    """A chat turn ended: answered, no_reply (its generation ended without text) or
    not_started (it could not be sent)."""
    if _m is not None:
        child(_m.CHAT_TURNS, _shard, outcome).inc()


def horde_reachable(up: bool) -> None:
    """Whether the AI Horde currently answers (set by whatever notices it going and coming)."""
    global _reachable
    _reachable = up
    if _m is not None:
        child(_m.HORDE_REACHABLE, _shard).set(1 if up else 0)


# --- errors (wired in the command tree) ------------------------------------------------------
def error_answered(error: BaseException, *, where: str = "command") -> None:
    """An error was turned into a reply to a member; counted by the error's class name."""
    if _m is not None:
        name = type(error).__name__
        child(_m.ERRORS, _shard, where, name if _CLASS_NAME.match(name) else "other").inc()


# --- HTTP: the Horde client and discord.py's session report each request -------------------
# Called by the code that makes the request (bot.horde._transport, bot.metrics.discord_http)
# rather than by aiohttp trace hooks: once a session has any trace config, aiohttp builds a
# parameter object and awaits a signal at every step of every request (performance.md §6).
def horde_answered(method: str, path: str, status: int, seconds: float, body: str) -> None:
    """The AI Horde answered ``method /v2/{path}`` with ``status`` after ``seconds`` (to its
    headers); ``body`` is the answer's text, read for the ``rc`` of an error answer."""
    if _m is not None:
        endpoint = horde_endpoint(f"/v2/{path}")
        child(_m.HORDE_REQUESTS, _shard, method, endpoint, str(status)).inc()
        timed = endpoint if endpoint in _TIMED_ENDPOINTS else "other"
        child(_m.HORDE_LATENCY, _shard, method, timed).observe(seconds)
        if status >= 400:
            child(_m.HORDE_ERRORS, _shard, endpoint, str(status), rc_of(body)).inc()


def horde_no_answer(method: str, path: str, error: BaseException) -> None:
    """A request to the AI Horde got no HTTP answer, because of ``error``."""
    if _m is not None:
        status = no_answer_status(error)
        child(_m.HORDE_REQUESTS, _shard, method, horde_endpoint(f"/v2/{path}"), status).inc()


def no_answer_status(error: BaseException) -> str:
    """The status label of a request that got no HTTP answer: ``timeout``, ``unreachable``
    (no connection was made) or ``error``."""
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "unreachable"
    return "error"


def rc_of(body: str | bytes) -> str:
    """The ``rc`` of a Horde error body, "none" when it has none (or is not JSON)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return "none"
    rc = parsed.get("rc") if isinstance(parsed, dict) else None
    if not isinstance(rc, str) or not rc:
        return "none"
    return rc if _RC.match(rc) else "other"


def discord_answered(
    method: str, path: str, status: int, seconds: float, scope: str | None
) -> None:
    """Discord answered a REST request (or the gateway upgrade) on ``path`` after ``seconds``;
    ``scope`` is its ``X-RateLimit-Scope`` header (read on a 429)."""
    if _m is None:
        return
    route = discord_route(path)
    child(_m.DISCORD_REQUESTS, _shard, method, route, str(status)).inc()
    child(_m.DISCORD_LATENCY, _shard, discord_family(route)).observe(seconds)
    if status == 429:
        label = scope if scope in _SCOPES else "unknown"
        child(_m.DISCORD_RATE_LIMITED, _shard, route, label).inc()
    elif method == "PATCH" and "/messages/" in route and status < 300:
        target = "interaction" if route.startswith("/webhooks/") else "channel"
        child(_m.DISCORD_EDITS, _shard, target).inc()


def discord_no_answer(method: str, path: str, error: BaseException) -> None:
    """A Discord request got no HTTP answer, because of ``error``."""
    if _m is not None:
        status = no_answer_status(error)
        child(_m.DISCORD_REQUESTS, _shard, method, discord_route(path), status).inc()
