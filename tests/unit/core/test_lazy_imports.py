"""``python -m bot``'s imports stay light: the Horde client, pydantic and aiohttp's server side
load when the services open (or webhook mode / metrics are on), prometheus-client only when
metrics are on, asyncpg only with a PostgreSQL database, and the texts, forms and views of a
few commands when the command is first used, not at import (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.bot_process import ROOT

# Each is loaded by the first call that needs it; the end-to-end test of that feature is the
# proof that the first use still works (a PostgreSQL bot: tests/e2e/test_failover.py and
# test_shared_governor.py; the commands: test_history, test_status, test_message_menus,
# test_styles, test_sponsor).
LATER = (
    "pydantic",
    "bot.horde.models",
    "bot.horde.client",
    "aiohttp.web",
    "prometheus_client",
    "bot.metrics.definitions",
    "asyncpg",
    "bot.storage.postgres",
    "bot.generation.shared_governor",
    "bot.ui.history_render",
    "bot.ui.status_render",
    "bot.ui.message_prompt",
    "bot.ui.style_modal",
    "bot.ui.sponsor_views",
)

PROBE = (
    "import importlib, json, sys, bot.__main__; from bot.bot import EXTENSIONS; "
    "[importlib.import_module(name) for name in EXTENSIONS]; "
    f"print(json.dumps(sorted(m for m in {LATER!r} if m in sys.modules)))"
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
