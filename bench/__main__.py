"""``python -m bench [--quick] [--out PATH] [--only 1,2,3,…]``: run, print, write the report."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import (
    backends,
    client,
    contention,
    discord_burst,
    economy,
    failover,
    operations,
    scale,
    startup,
)
from bench.report import Row, render, table, write

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "performance.md"

Section = Callable[[bool], Awaitable[tuple[list[Row], list[str]]]]
SECTIONS: dict[str, tuple[str, list[Section]]] = {
    "1": ("Horde request economy + §2 edit economy", [economy.run]),
    "2": ("Discord 429s under a burst", [discord_burst.run]),
    "3": ("scale", [scale.run]),
    "4": ("client overhead", [client.run]),
    "5": ("start-up", [startup.run]),
    "6": ("operating overhead (metrics, JSON logs)", [operations.run]),
    "7": ("several processes: failover", [failover.run]),
    "8": ("several processes: shared submit budget", [contention.run]),
    "9": ("PostgreSQL vs SQLite", [backends.run]),
}
IN_PROCESS = ("1", "2")


async def _run_section(key: str, quick: bool) -> tuple[list[Row], list[str]]:
    title, sections = SECTIONS[key]
    print(f"running §{key} {title}…", file=sys.stderr, flush=True)
    rows: list[Row] = []
    notes: list[str] = []
    for section in sections:
        found, explained = await section(quick)
        rows += found
        notes += explained
    return rows, notes


async def run_all(quick: bool, only: list[str]) -> tuple[list[Row], list[str]]:
    """Sections one after the other.

    --quick runs the in-process bot sections (§1, §2: one after the other, since each points
    discord.py at its own fake Discord) side by side with the subprocess ones; timings do
    not matter there.
    """
    if not quick:
        results = [await _run_section(key, quick) for key in only]
    else:
        in_process = [key for key in only if key in IN_PROCESS]

        async def chain() -> list[tuple[list[Row], list[str]]]:
            return [await _run_section(key, quick) for key in in_process]

        chained = asyncio.create_task(chain())
        others = await asyncio.gather(
            *(_run_section(key, quick) for key in only if key not in IN_PROCESS)
        )
        results = [*(await chained), *others]
    rows = [row for found, _ in results for row in found]
    notes = [note for _, explained in results for note in explained]
    return sorted(rows, key=lambda r: r.section), notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the report goes")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, e.g. 1,4")
    args = parser.parse_args(argv)
    only = [key.strip() for key in args.only.split(",") if key.strip()]
    unknown = [key for key in only if key not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    rows, notes = asyncio.run(run_all(args.quick, only))
    text = render(rows, quick=args.quick, seconds=time.monotonic() - started, notes=notes)
    write(args.out, text)
    print(table(rows))
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
