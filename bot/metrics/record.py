"""What the bot's code calls to move a metric: one small function per event.

Callers pass plain values (a kind, a state, seconds); the shard label is filled in here. The
functions are safe to call whether or not ``METRICS_LISTEN`` is set. Until :func:`enable` (the
metrics endpoint, the trace hooks and the tests' scrapes call it) they do nothing and
prometheus-client is not even imported: a bot without metrics pays neither its import time
nor a label lookup per event. Gauges that are set rather than moved (the engine's live jobs,
whether the Horde answers) are remembered and exported once metrics are enabled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

_shard = "0"
_CLASS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")

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
