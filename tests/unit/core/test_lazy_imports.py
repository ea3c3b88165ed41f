"""``python -m bot``'s imports stay light: the Horde client, pydantic and aiohttp's server side
load when the services open (or webhook mode / metrics are on), prometheus-client only when
metrics are on, not at import (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.bot_process import ROOT

PROBE = (
    "import importlib, json, sys, bot.__main__; from bot.bot import EXTENSIONS; "
    "[importlib.import_module(name) for name in EXTENSIONS]; "
    "print(json.dumps(sorted(m for m in ('pydantic', 'bot.horde.models', 'bot.horde.client', "
    "'aiohttp.web', 'prometheus_client', 'bot.metrics.definitions') if m in sys.modules)))"
)

# Events recorded before metrics are enabled: a counter is not kept (metrics are off), a gauge
# that says how things are (the Horde unreachable) is exported once they are enabled.
METRICS_PROBE = """
import json, sys
from bot.metrics import record
record.horde_reachable(False)
record.generation_finished("generate", "done")
loaded_before = "prometheus_client" in sys.modules
record.enable()
from tests.metrics_text import metric_value, scrape_registry
text = scrape_registry()
print(json.dumps([
    loaded_before,
    metric_value(text, "horde_bot_horde_reachable"),
    metric_value(text, "horde_bot_generations_total", kind="generate", state="done"),
]))
"""


def test_start_up_imports_leave_the_heavy_modules_for_later() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


def test_the_package_still_offers_every_name_lazily() -> None:
    import bot.horde

    assert bot.horde.HordeClient.__name__ == "HordeClient"
    assert bot.horde.RequestStatusKobold.__name__ == "RequestStatusKobold"
    assert set(bot.horde.__all__) <= set(dir(bot.horde))


def test_metrics_load_prometheus_client_only_once_enabled() -> None:
    out = subprocess.run(
        [sys.executable, "-c", METRICS_PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [False, 0, 0]
