"""Reading Prometheus text format in tests (what a ``/metrics`` scrape returns)."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import definitions, record

record.enable()  # in-process tests read what the engine records (the bot does: METRICS_LISTEN)


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels`` (0 when none)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def scrape_registry() -> str:
    """What this process's ``/metrics`` would serve now (in-process tests)."""
    return generate_latest(definitions.REGISTRY).decode()
