"""The fast /metrics renderer writes exactly what prometheus-client's generate_latest writes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.metrics import definitions, record
from bot.metrics.exposition import render


def test_the_bots_registry_renders_byte_for_byte_as_generate_latest() -> None:
    record.enable()
    record.horde_answered("GET", "generate/text/status/abc", 200, 0.3, "")
    record.horde_answered("POST", "generate/text/async", 403, 0.2, '{"rc": "KudosUpfront"}')
    record.discord_answered("PATCH", "/api/v10/webhooks/1/t/messages/@original", 429, 0.1, "user")
    record.poll_scheduled(2.0)
    record.generation_finished("generate", "done")
    ours = _steady(render(definitions.REGISTRY))
    assert ours == _steady(generate_latest(definitions.REGISTRY))
    assert any(line.startswith("horde_bot_horde_request_seconds_bucket{") for line in ours)


def _steady(text: bytes) -> list[str]:
    """The lines, without the values that move between two collections (CPU, memory, GC)."""
    live = ("process_", "python_gc_")
    lines = text.decode().splitlines()
    return [line.rsplit(" ", 1)[0] if line.startswith(live) else line for line in lines]


def test_label_values_are_escaped_as_generate_latest_escapes_them() -> None:
    registry = CollectorRegistry()
    counter = Counter("odd", "A doc with \\ and\na newline", ["where"], registry=registry)
    counter.labels('quote " backslash \\ newline \n').inc()
    Gauge("plain", "no labels", registry=registry).set(1.5)
    Histogram("h", "h", buckets=(0.5, float("inf")), registry=registry).observe(0.25)
    assert render(registry) == generate_latest(registry)
