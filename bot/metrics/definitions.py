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
)

from bot import __version__

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU seconds, memory, open fds of this process
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

_NS = "horde_bot"
SHARD = "shard"
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

BUILD_INFO = Gauge(
    f"{_NS}_build_info", "Always 1; the version as a label", ["version"], registry=REGISTRY
)
BUILD_INFO.labels(version=__version__).set(1)

# --- generations (engine; phase 2 wires the calls) ---------------------------------------
GENERATIONS = Counter(
    f"{_NS}_generations",
    "Generations that reached a final state, by kind (generate, chat) and state",
    [SHARD, "kind", "state"],
    registry=REGISTRY,
)
IN_FLIGHT = Gauge(
    f"{_NS}_generations_in_flight",
    "Generations submitted to the Horde and not yet final",
    [SHARD, "kind"],
    registry=REGISTRY,
)
QUEUED = Gauge(
    f"{_NS}_generations_queued",
    "Generations waiting in the bot's own queue (submit governor, Horde unreachable)",
    [SHARD, "kind"],
    registry=REGISTRY,
)
SUBMIT_WAIT = Histogram(
    f"{_NS}_submit_wait_seconds",
    "Time a submit waited for the bot-wide submit governor",
    [SHARD],
    buckets=(0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)
POLL_INTERVAL = Histogram(
    f"{_NS}_poll_interval_seconds",
    "Interval chosen between two status polls of one generation",
    [SHARD],
    buckets=(0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 15.0, 30.0, 60.0),
    registry=REGISTRY,
)
DELIVERY_FALLBACKS = Counter(
    f"{_NS}_delivery_fallbacks",
    "Results delivered another way than editing the original reply, by reason",
    [SHARD, "reason"],
    registry=REGISTRY,
)
CHAT_TURNS = Counter(
    f"{_NS}_chat_turns", "Chat turns answered, by outcome", [SHARD, "outcome"], registry=REGISTRY
)
HORDE_REACHABLE = Gauge(
    f"{_NS}_horde_reachable",
    "1 while the AI Horde answers, 0 while it is unreachable",
    [SHARD],
    registry=REGISTRY,
)

# --- AI Horde HTTP (aiohttp trace on the bot's one Horde session) ---------------------------
HORDE_REQUESTS = Counter(
    f"{_NS}_horde_requests",
    "Requests to the AI Horde by endpoint template and HTTP status (timeout, unreachable, "
    "error when no answer came)",
    [SHARD, "method", "endpoint", "status"],
    registry=REGISTRY,
)
HORDE_ERRORS = Counter(
    f"{_NS}_horde_errors",
    "Error answers of the AI Horde by endpoint template, status and rc (none: no rc given)",
    [SHARD, "endpoint", "status", "rc"],
    registry=REGISTRY,
)
HORDE_LATENCY = Histogram(
    f"{_NS}_horde_request_seconds",
    "Time from sending a request to the AI Horde to its response headers",
    [SHARD, "method", "endpoint"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)

# --- Discord REST (aiohttp trace on discord.py's session) ---------------------------------
DISCORD_REQUESTS = Counter(
    f"{_NS}_discord_requests",
    "Discord REST requests by route template and HTTP status",
    [SHARD, "method", "route", "status"],
    registry=REGISTRY,
)
DISCORD_RATE_LIMITED = Counter(
    f"{_NS}_discord_rate_limited",
    "Discord 429 answers by route template and scope (user, global, shared)",
    [SHARD, "route", "scope"],
    registry=REGISTRY,
)
DISCORD_EDITS = Counter(
    f"{_NS}_discord_edits",
    "Message edits sent to Discord (progress updates, results), by target",
    [SHARD, "target"],
    registry=REGISTRY,
)
DISCORD_LATENCY = Histogram(
    f"{_NS}_discord_request_seconds",
    "Time from sending a Discord REST request to its response headers",
    [SHARD, "method", "route"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)

# --- errors --------------------------------------------------------------------------------
ERRORS = Counter(
    f"{_NS}_errors",
    "Errors answered to members, by where they happened and the error's class",
    [SHARD, "where", "error_class"],
    registry=REGISTRY,
)
