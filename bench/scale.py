"""§3 Scale: 100, 1 000 and 2 000 generations in flight, each size in a fresh process.

A fresh process per size keeps memory figures honest (freed arenas are not handed back to
the OS) and keeps the CPU counters of one size out of the next. The child is
:mod:`bench.scale_child`; the fake Horde runs in yet another process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bench.hordeproc import child_environ
from bench.report import Row

__all__ = ["run"]

MB = 1024 * 1024


async def measure(n: int, window: float) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.scale_child",
        str(n),
        str(window),
        env=child_environ(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"scale child {n} failed: {err.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def rows_for(result: dict[str, Any]) -> list[Row]:
    n = int(result["n"])
    growth = (result["rss1"] - result["rss0"]) / n * 1000 / MB
    engine = result["engine_cpu"] / n
    back_to_back = result["bare_cpu"] / n
    bare = result.get("bare_timed_cpu", result["bare_cpu"]) / n
    requests = result["requests"]
    per_gen = sum(requests.values()) / n
    sql = result["sql_statements"] / n
    handoffs = result.get("sqlite_handoffs", 0) / n
    main_share = result["engine_main_thread_cpu"] / result["engine_cpu"]
    idle, loaded = result["idle_lag_p99"], result["lag_p99"]
    return [
        Row(
            "3",
            f"memory growth per 1 000 in flight, {n} in flight",
            f"{growth:.1f} MB (RSS {result['rss0'] / MB:.0f} → {result['rss1'] / MB:.0f} MB)",
            "same process before submitting",
            None,
            "< 50 MB",
            growth < 50,
            "",
        ),
        Row(
            "3",
            f"CPU per generation, {n} generations",
            f"{engine * 1000:.2f} ms ({per_gen:.1f} Horde requests, {sql:.1f} SQL statements "
            f"in {handoffs:.1f} SQLite-thread hand-offs each; {main_share:.0%} on the "
            "event-loop thread)",
            f"bare aiohttp, same requests at the same times: {bare * 1000:.2f} ms (back to "
            f"back: {back_to_back * 1000:.2f} ms, {engine / back_to_back:.2f}x)",
            engine / bare if bare else None,
            "< 3x",
            engine / bare < 3 if bare else None,
            SCALE_CPU_WHY,
        ),
        Row(
            "3",
            f"event-loop lag p99, {n} in flight",
            f"{loaded * 1000:.1f} ms",
            f"same process idle: {idle * 1000:.1f} ms (before submitting: "
            f"{result['idle_lag_p99_before'] * 1000:.1f} ms)",
            loaded / idle if idle else None,
            "— (reported)",
            None,
        ),
    ]


SCALE_CPU_WHY = (
    "each generation now costs 7 SQL statements in about 6.5 SQLite-thread hand-offs (one "
    "aiosqlite call per statement, the status writes of one poll round in one executemany; "
    "before issue 16, 12 hand-offs for 7 statements in the quick run that now needs 5 for "
    "6), which cut the CPU per generation by about a quarter at 1 000 and 2 000 in flight. "
    "Fitting cost = v + F/N over the three sizes gives a fixed cost F of about 0.2 CPU-s per "
    "run (scheduler and worker tasks, the SQLite thread, the lag monitor's share that is "
    "subtracted as an estimate) and v of about 2.8 ms per generation; the bare loop costs "
    "0.7-1.0 ms, so < 3x needs v under about 2.2 ms even with F = 0: the per-generation work "
    "beyond HTTP (status parsing, JSON of stored statuses, snapshots to the listener) would "
    "have to shrink by a further quarter. Single runs on this shared machine swing by a "
    "factor of up to two (see the A/B pairs in docs/performance.md)."
)


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    sizes = (20,) if quick else (100, 1000, 2000)
    window = 0.5 if quick else 10.0
    rows: list[Row] = []
    for n in sizes:
        rows += rows_for(await measure(n, window))
    note = (
        "§3: per size a fresh process runs the engine (governor, shared poller, notifier, "
        "SQLite job store) with production polling (2-15 s) and a counting listener; the fake "
        "Horde runs in another process with paused workers, so every generation stays queued "
        "until released. Memory is RSS after gc before submitting vs once all N are submitted "
        "and polled. CPU is process time (threads included) from the first submit to the last "
        "delivery (after one untimed generation: a process pays its first-use costs, such "
        "as building the Horde models, once), less the lag monitor's share (the process's "
        f"CPU rate while idle with the monitor running × the {window:g} s window), against a "
        "bare aiohttp loop (json decoded) making the same submits and status reads to the "
        "same server, each sent at the moment the engine sent its own (offset from the first "
        "submit). The production schedule spreads a hundred jobs' polls over seconds, so "
        "most are sent alone after an idle pause, which costs about three times a request "
        "sent back to back on this machine (the loop, the socket and the server wake for "
        "it): the timed replay pays that too. The same requests back to back, 4 at a time "
        "(the baseline before issue 16's second session), are shown beside it. Lag: how late a 10 ms sleep wakes, p99 over "
        f"{window:g} s with all N in flight vs the same process idle once all are delivered "
        "(the machine is shared, so single windows are noisy). The submit governor's limits "
        "are raised so N requests reach the Horde at once. CPU ratios move between runs on "
        "a shared machine: four full runs while this benchmark was written gave 2.7-3.9x at "
        "1 000 and 2 000, so the < 3x target is borderline, not comfortably met."
    )
    return rows, [note]
