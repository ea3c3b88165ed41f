"""Smoke run of every benchmark at tiny sizes: each runs and yields its table rows.

Timings are never asserted (they depend on the machine); only that ``python -m bench
--quick`` finishes, writes its report where it is told, and that every section produced its
figures with a target verdict.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(the report file's text, stdout) of one quick run."""
    out = tmp_path_factory.mktemp("bench") / "performance.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(encoding="utf-8"), done.stdout


def rows(text: str, section: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"| {section} |")]


def test_report_describes_the_machine(report: tuple[str, str]) -> None:
    text, _ = report
    for item in ("- CPU:", "- cores:", "- Python:", "- discord.py:", "- aiohttp:", "- pydantic:"):
        assert item in text


def test_request_economy_has_requests_and_delay_for_each_profile(report: tuple[str, str]) -> None:
    found = rows(report[0], "1")
    for profile in ("0 s queue + 10 s", "60 s queue + 20 s", "10 min queue + 30 s"):
        assert any("Horde requests per generation, " + profile in r for r in found)
        assert any("added delay" in r and profile in r for r in found)


def test_edit_economy_has_edits_per_profile_and_the_burst_429_count(
    report: tuple[str, str],
) -> None:
    found = rows(report[0], "2")
    assert sum("edits per generation" in r for r in found) == 3
    assert any("429s from Discord" in r for r in found)


def test_scale_has_memory_cpu_and_lag(report: tuple[str, str]) -> None:
    found = rows(report[0], "3")
    for figure in ("memory growth per 1 000", "CPU per generation", "event-loop lag p99"):
        assert any(figure in r for r in found)


def test_client_overhead_compares_with_bare_aiohttp(report: tuple[str, str]) -> None:
    found = rows(report[0], "4")
    assert any("generate_status calls per second" in r and "bare" in r for r in found)


def test_startup_compares_process_and_import_times(report: tuple[str, str]) -> None:
    found = rows(report[0], "5")
    assert any("start → ready" in r and "bare discord.py" in r for r in found)
    assert any("import time" in r and "import discord" in r for r in found)


def test_operating_overhead_compares_metrics_and_json_logs_on_with_off(
    report: tuple[str, str],
) -> None:
    found = rows(report[0], "6")
    assert any("CPU per generation, metrics + JSON logs" in r and "metrics off" in r for r in found)


def test_every_targeted_row_has_a_verdict(report: tuple[str, str]) -> None:
    text, stdout = report
    table = [line for line in text.splitlines() if line.startswith("| ") and "|---" not in line]
    targeted = [r for r in table[1:] if "(reported)" not in r]
    assert targeted
    assert all(r.rstrip().endswith(("| met |", "| **not met** |")) for r in targeted)
    assert table[1] in stdout  # the same table is printed


def test_several_processes_reports_the_failover_time(report: tuple[str, str]) -> None:
    found = rows(report[0], "7")
    assert any("failover SIGKILL → completed reply" in r and "median" in r for r in found)


def test_shared_budget_reports_both_windows_the_rate_and_429s(report: tuple[str, str]) -> None:
    found = rows(report[0], "8")
    for figure in ("any 1 s window", "any 60 s window", "submit rate held", "429s"):
        assert any(figure in r for r in found)


def test_backends_compare_postgresql_with_sqlite(report: tuple[str, str]) -> None:
    found = rows(report[0], "9")
    assert any("CPU per generation, PostgreSQL vs SQLite" in r and "SQLite:" in r for r in found)
    assert any("memory growth per 1 000 in flight, PostgreSQL" in r for r in found)
