"""The package's shape: every module imports on its own, and no module looks cogs up by name.

Each module is imported in a fresh interpreter, so an import cycle that only bites when a
particular module is imported first (a partially initialised module) fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _modules(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


MODULES = _modules("bot") + _modules("cogs")


def test_every_module_is_listed() -> None:
    assert "bot.generation.repository" in MODULES
    assert "cogs.generate" in MODULES


def test_each_module_imports_alone_in_a_fresh_interpreter() -> None:
    # One child per module (a shared interpreter would hide cycles); run them in parallel.
    children = {
        module: subprocess.Popen(
            [sys.executable, "-c", f"import {module}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for module in MODULES
    }
    failed = {}
    for module, child in children.items():
        _, err = child.communicate(timeout=120)
        if child.returncode != 0:
            failed[module] = err.strip().splitlines()[-1:]
    assert failed == {}


@pytest.mark.parametrize("path", sorted((ROOT / "bot").rglob("*.py")), ids=str)
def test_no_module_in_bot_looks_up_a_cog_by_name(path: Path) -> None:
    assert re.search(r"get_cog\(", path.read_text()) is None


def test_ui_never_imports_the_bot_class() -> None:
    importers = [
        path.name
        for path in sorted((ROOT / "bot" / "ui").rglob("*.py"))
        if re.search(r"^\s*(from bot\.bot import|import bot\.bot)", path.read_text(), re.M)
    ]
    assert importers == []


def test_nothing_outside_the_engine_imports_its_repository() -> None:
    pattern = re.compile(r"bot\.generation\.repository|bot\.storage\.jobs")
    outside = [
        str(path.relative_to(ROOT))
        for package in ("bot", "cogs")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "generation" not in path.parts
        and path.name != "app.py"
        and pattern.search(path.read_text())
    ]
    assert outside == []
