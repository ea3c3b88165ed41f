"""The ``/metrics`` body: Prometheus text format 0.0.4, the bytes ``generate_latest`` writes.

Why not ``prometheus_client.generate_latest`` itself: it sorts, checks and escapes every label
of every sample on every scrape (about 5 µs a sample, 60 % of the CPU a scrape costs the bot,
performance.md §6), while the bot's label sets hardly change between scrapes. This renders
the same bytes from the same ``registry.collect()``, keeping each label set's text once it has
been written. ``tests/unit/core/test_exposition.py`` compares it byte for byte with
``generate_latest`` on the bot's whole registry, so a prometheus-client upgrade that changes
the format makes it fail.

Only what the bot's registry holds is rendered this way: legacy-valid metric and label names,
no timestamps, no OpenMetrics-only samples (``*_created`` is disabled in
:mod:`bot.metrics.definitions`). Anything else goes through ``generate_latest`` unchanged.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.utils import floatToGoString

# Prometheus text type names of the metric types prometheus-client reports.
_TYPES = {"counter": "counter", "gauge": "gauge", "histogram": "histogram", "summary": "summary"}
# Label set (as collected) → its rendered ``{k="v",…}``; label values are bounded (see
# bot.metrics.definitions), so this stays small.
_LABELS: dict[tuple[tuple[str, str], ...], str] = {}
_LABEL_CACHE_LIMIT = 10_000


def render(registry: CollectorRegistry) -> bytes:
    """What ``generate_latest(registry)`` returns, faster for the bot's own metrics."""
    output: list[str] = []
    for metric in registry.collect():
        kind = _TYPES.get(metric.type)
        if kind is None:
            return generate_latest(registry)
        name = f"{metric.name}_total" if kind == "counter" else metric.name
        doc = metric.documentation.replace("\\", r"\\").replace("\n", r"\n")
        output.append(f"# HELP {name} {doc}\n# TYPE {name} {kind}\n")
        # generate_latest moves these to families of their own; none in the bot's registry.
        moved = (f"{metric.name}_created", f"{metric.name}_gsum", f"{metric.name}_gcount")
        for sample in metric.samples:
            if sample.timestamp is not None or sample.name in moved:
                return generate_latest(registry)
            labels = _label_text(sample.labels) if sample.labels else ""
            value = floatToGoString(sample.value)  # type: ignore[no-untyped-call]
            output.append(f"{sample.name}{labels} {value}\n")
    return "".join(output).encode()


def _label_text(labels: dict[str, str]) -> str:
    key = tuple(labels.items())
    text = _LABELS.get(key)
    if text is None:
        pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
        text = f"{{{pairs}}}"
        if len(_LABELS) < _LABEL_CACHE_LIMIT:
            _LABELS[key] = text
    return text


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
