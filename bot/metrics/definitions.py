"""Every metric the bot exports, in one registry (Prometheus text format at ``/metrics``).

Names follow Prometheus conventions (``horde_bot_`` prefix, ``_total`` counters, ``_seconds``
histograms). Every metric carries a ``shard`` label: the Discord shards this process serves,
so several processes (see the PostgreSQL issue) can be scraped side by side; one process
serving everything reports ``shard="0"``.

Label values are bounded and never secret: endpoint and route labels are path templates built
from allow-listed words (``bot.metrics.paths``), error classes are class names, rc values are
the Horde's short codes. No key, token, prompt, username or id is ever a label value.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

from bot import __version__

# No ``*_created`` sample beside every counter and histogram: Prometheus does not use them
# (they are an OpenMetrics extra), and each series costs every scrape (performance.md §6).
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU seconds, memory, open fds of this process
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

_NS = "horde_bot"
SHARD = "shard"
# Few buckets: every bucket of every label set is a series each scrape renders (about 8 µs
# apiece; performance.md §6), and no documented alert reads a histogram. These still tell a fast
# answer from a slow one from a stuck one; the sum gives the mean exactly.
_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


def _counter(name: str, doc: str, *labels: str) -> Counter:
    return Counter(f"{_NS}_{name}", doc, [SHARD, *labels], registry=REGISTRY)


def _gauge(name: str, doc: str, *labels: str) -> Gauge:
    return Gauge(f"{_NS}_{name}", doc, [SHARD, *labels], registry=REGISTRY)


def _histogram(name: str, doc: str, *labels: str, buckets: tuple[float, ...]) -> Histogram:
    return Histogram(f"{_NS}_{name}", doc, [SHARD, *labels], buckets=buckets, registry=REGISTRY)


BUILD_INFO = Gauge(
    f"{_NS}_build_info", "Always 1; the version as a label", ["version"], registry=REGISTRY
)
BUILD_INFO.labels(version=__version__).set(1)

# --- generations (engine; phase 2 wires the calls) ---------------------------------------
GENERATIONS = _counter(
    "generations",
    "Generations that reached a final state, by kind (generate, chat) and state",
    "kind",
    "state",
)
IN_FLIGHT = _gauge(
    "generations_in_flight", "Generations submitted to the Horde and not yet final", "kind"
)
QUEUED = _gauge(
    "generations_queued",
    "Generations waiting in the bot's own queue (submit governor, Horde unreachable)",
    "kind",
)
SUBMIT_WAIT = _histogram(
    "submit_wait_seconds",
    "Time a submit waited for the bot-wide submit governor",
    buckets=(0.0, 0.5, 2.0, 10.0, 60.0, 300.0),  # 0: did not wait at all
)
POLL_INTERVAL = _histogram(
    "poll_interval_seconds",
    "Interval chosen between two status polls of one generation",
    buckets=(1.0, 2.0, 5.0, 15.0, 60.0),
)
DELIVERY_FALLBACKS = _counter(
    "delivery_fallbacks",
    "Results delivered another way than editing the original reply, by reason",
    "reason",
)
CHAT_TURNS = _counter("chat_turns", "Chat turns answered, by outcome", "outcome")
HORDE_REACHABLE = _gauge(
    "horde_reachable", "1 while the AI Horde answers, 0 while it is unreachable"
)

# --- AI Horde HTTP (counted by the Horde client's transport) ----------------------------------
HORDE_REQUESTS = _counter(
    "horde_requests",
    "Requests to the AI Horde by endpoint template and HTTP status (timeout, unreachable, "
    "error when no answer came)",
    "method",
    "endpoint",
    "status",
)
HORDE_ERRORS = _counter(
    "horde_errors",
    "Error answers of the AI Horde by endpoint template, status and rc (none: no rc given)",
    "endpoint",
    "status",
    "rc",
)
HORDE_LATENCY = _histogram(
    "horde_request_seconds",
    "Time from sending a request to the AI Horde to its response headers, by endpoint template "
    "for submits and status polls (other: every other endpoint)",
    "method",
    "endpoint",
    buckets=_LATENCY_BUCKETS,
)

# --- Discord REST (counted on discord.py's session: bot.metrics.discord_http) ---------------
DISCORD_REQUESTS = _counter(
    "discord_requests",
    "Discord REST requests by route template and HTTP status",
    "method",
    "route",
    "status",
)
DISCORD_RATE_LIMITED = _counter(
    "discord_rate_limited",
    "Discord 429 answers by route template and scope (user, global, shared)",
    "route",
    "scope",
)
DISCORD_EDITS = _counter(
    "discord_edits",
    "Message edits Discord accepted (progress updates, results), by target",
    "target",
)
DISCORD_LATENCY = _histogram(
    "discord_request_seconds",
    "Time from sending a Discord REST request to its response headers, by family "
    "(interactions: replies; webhooks: their edits and follow-ups; channels; other)",
    "family",
    buckets=_LATENCY_BUCKETS,
)

# --- errors --------------------------------------------------------------------------------
ERRORS = _counter(
    "errors",
    "Errors answered to members, by where they happened and the error's class",
    "where",
    "error_class",
)
