"""What the bot's code calls to move a metric: one small function per event.

Callers pass plain values (a kind, a state, seconds); the shard label is filled in here. The
functions are cheap (a dict lookup and an addition) and safe to call whether or not
``METRICS_LISTEN`` is set: without it nothing is served, so the numbers stay in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.metrics import definitions as m

_shard = "0"
_CLASS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")


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
    m.IN_FLIGHT.labels(_shard, kind).set_function(in_flight)
    m.QUEUED.labels(_shard, kind).set_function(queued)


def generation_finished(kind: str, state: str) -> None:
    """A generation reached its final state (done, faulted, cancelled, expired, failed)."""
    m.GENERATIONS.labels(_shard, kind, state).inc()


def submit_waited(seconds: float) -> None:
    """How long a submit waited for the submit governor."""
    m.SUBMIT_WAIT.labels(_shard).observe(seconds)


def poll_scheduled(seconds: float) -> None:
    """The interval chosen before the next status poll."""
    m.POLL_INTERVAL.labels(_shard).observe(seconds)


def delivery_fell_back(reason: str) -> None:
    """A result was delivered another way (new message, file) than editing the reply."""
    m.DELIVERY_FALLBACKS.labels(_shard, reason).inc()


def chat_turn(outcome: str) -> None:
    """A chat turn ended: answered, no_reply (its generation ended without text) or
    not_started (it could not be sent)."""
    m.CHAT_TURNS.labels(_shard, outcome).inc()


def horde_reachable(up: bool) -> None:
    """Whether the AI Horde currently answers (set by whatever notices it going and coming)."""
    m.HORDE_REACHABLE.labels(_shard).set(1 if up else 0)


# --- errors (wired in the command tree) ------------------------------------------------------
def error_answered(error: BaseException, *, where: str = "command") -> None:
    """An error was turned into a reply to a member; counted by the error's class name."""
    name = type(error).__name__
    m.ERRORS.labels(_shard, where, name if _CLASS_NAME.match(name) else "other").inc()
