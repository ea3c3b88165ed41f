"""One scale measurement in a fresh process: ``python -m bench.scale_child N WINDOW [DB_URL]``.

Prints one JSON line. The engine (governor, poller, notifier, SQLite job store) carries N
generations against a fake Horde in another process; the listener only counts. Then the same
number of submits and status reads is replayed with bare aiohttp for the CPU baseline.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from cryptography.fernet import Fernet

from bench import replay
from bench.hordeproc import BENCH_KEY, MODEL, HordeProcess
from bot.generation import GenerationRequest, GenerationService, JobSnapshot, Poller, SubmitGovernor
from bot.generation.repository import JobRepository
from bot.horde import HordeClient
from bot.secrets import KeyVault
from bot.storage.database import Database

LAG_TICK = 0.01
CONCURRENCY = 4  # the poller's worker pool; the bare replay uses the same


class Tally:
    """What the listeners saw and what went over the wire."""

    def __init__(self) -> None:
        self.updates = 0
        self.terminal = 0
        self.statements = 0  # SQL statements the job store ran
        self.handoffs = 0  # calls handed to aiosqlite's thread (each wakes the event loop)
        self.requests: Counter[str] = Counter()
        self.sent: list[tuple[float, str]] = []  # (monotonic time, method) of each request
        self.expected = 0  # terminal updates that complete the timed run (0: not timing)
        self.all_terminal = asyncio.Event()  # set by the listener, so no check wakes the loop

    def count_statement(self, _sql: str) -> None:
        self.statements += 1

    def count_handoffs(self, conn: Any) -> None:
        """Count every call aiosqlite queues for its thread (instrumentation of ``_execute``)."""
        queue = conn._execute

        async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.handoffs += 1
            return await queue(fn, *args, **kwargs)

        conn._execute = counted

    def trace(self) -> aiohttp.TraceConfig:
        trace = aiohttp.TraceConfig()

        async def start(_s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
            self.requests[params.method] += 1
            self.sent.append((time.monotonic(), params.method))

        trace.on_request_start.append(start)
        return trace


class CountingListener:
    def __init__(self, tally: Tally) -> None:
        self._tally = tally

    async def on_update(self, snapshot: JobSnapshot) -> None:
        self._tally.updates += 1
        if snapshot.terminal:
            self._tally.terminal += 1
            if self._tally.terminal == self._tally.expected:
                self._tally.all_terminal.set()


def rss_bytes() -> int:
    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


async def lag_p99(seconds: float) -> tuple[float, float]:
    """(p99 of how late a 10 ms sleep wakes up over ``seconds``, process CPU per second)."""
    lags: list[float] = []
    cpu0 = time.process_time()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        await asyncio.sleep(LAG_TICK)
        lags.append(time.perf_counter() - start - LAG_TICK)
    rate = (time.process_time() - cpu0) / seconds
    p99 = statistics.quantiles(lags, n=100)[98] if len(lags) > 2 else max(lags, default=0.0)
    return p99, rate


def build_service(client: HordeClient, db: Database, n: int) -> tuple[GenerationService, Poller]:
    """The engine as ``bot.app`` builds it, but with submit limits raised to reach N at once."""
    governor = SubmitGovernor(per_second=10 * n, per_minute=100 * n)
    poller = Poller(client, poll_min=2.0, poll_max=15.0)
    jobs = JobRepository(db, KeyVault([Fernet.generate_key().decode()]))
    service = GenerationService(client, governor, poller, jobs, max_in_flight_per_user=10**9)
    return service, poller


async def submit_all(service: GenerationService, n: int, tally: Tally) -> None:
    for i in range(n):
        request = GenerationRequest(
            prompt=f"scale {i}", user_id=1 + i % 500, params={"max_length": 64}, models=(MODEL,)
        )
        await service.submit(request, apikey=BENCH_KEY, listener=CountingListener(tally))


async def warm_up(service: GenerationService, tally: Tally) -> Counter[str]:
    """One untimed generation, submitted, polled once and cancelled; returns the requests it
    took. A process pays its first-use costs once (pydantic builds the Horde models on first
    use, the lazy imports behind them), not per generation; §6 warms up the same way."""
    seen = Tally()
    request = GenerationRequest(
        prompt="warm up", user_id=0, params={"max_length": 64}, models=(MODEL,)
    )
    job_id = await service.submit(
        request, apikey=BENCH_KEY, listener=CountingListener(seen), max_in_flight=1
    )
    await wait_for(lambda: (s := service.snapshot(job_id)) is not None and s.eta is not None, 30)
    await service.cancel(job_id)
    await wait_for(lambda: seen.terminal == 1, 30)
    return Counter(tally.requests)


async def wait_for(check: Any, limit: float) -> None:
    end = time.monotonic() + limit
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("scale run did not reach its state in time")
        await asyncio.sleep(0.05)


async def engine_run(
    base_url: str, horde: HordeProcess, n: int, window: float, db_url: str | None = None
) -> dict[str, Any]:
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        db = await Database.open(db_url or Path(tmp) / "bot.db")
        async with aiohttp.ClientSession(trace_configs=[tally.trace()]) as session:
            service, poller = build_service(HordeClient(base_url=base_url, session=session), db, n)
            await service.start()
            if db.dialect == "sqlite":  # (bench/backends.py also runs it on PostgreSQL)
                await db.conn.set_trace_callback(tally.count_statement)
                tally.count_handoffs(db.conn)
            warm_requests = await warm_up(service, tally)
            before_lag, idle_rate = await lag_p99(min(window, 3.0))
            rss0 = rss_bytes()
            statements0, handoffs0 = tally.statements, tally.handoffs
            cpu0, main0 = time.process_time(), time.thread_time()
            sent_from, started = len(tally.sent), time.monotonic()
            tally.expected = tally.terminal + n
            await submit_all(service, n, tally)
            await wait_for(lambda: poller.tracked == n, 60 + n / 20)
            harness0 = time.process_time()
            rss1 = rss_bytes()  # a full gc.collect(): the harness's, not the engine's, CPU
            harness_cpu = time.process_time() - harness0
            loaded_lag, _ = await lag_p99(window)
            await horde.release()
            await asyncio.wait_for(tally.all_terminal.wait(), 120)
            await asyncio.sleep(0.2)  # let the deliveries be recorded
            # The lag monitor is instrumentation: take its (idle-measured) CPU back out,
            # and the memory figure's collection with it.
            monitor_cpu = idle_rate * window
            engine_cpu = time.process_time() - cpu0 - monitor_cpu - harness_cpu
            main_cpu = time.thread_time() - main0 - monitor_cpu - harness_cpu
            statements = tally.statements - statements0
            handoffs = tally.handoffs - handoffs0
            after_lag, _ = await lag_p99(min(window, 3.0))
            await service.close()
        await db.close()
    return {
        "n": n,
        "rss0": rss0,
        "rss1": rss1,
        "idle_lag_p99_before": before_lag,
        "idle_lag_p99": after_lag,
        "lag_p99": loaded_lag,
        "engine_cpu": engine_cpu,
        "monitor_cpu": monitor_cpu,
        "harness_cpu": harness_cpu,
        "engine_main_thread_cpu": main_cpu,
        "sql_statements": statements,
        "sqlite_handoffs": handoffs,
        "requests": dict(tally.requests - warm_requests),
        "sent": [(at - started, method) for at, method in tally.sent[sent_from:]],
        "updates": tally.updates,
    }


async def bare_run(base_url: str, posts: int, gets: int) -> float:
    """CPU seconds of the same submits and status reads with bare aiohttp (+ json)."""
    tally = Tally()  # the same trace hook as the engine's session, for a fair comparison
    gate = asyncio.Semaphore(CONCURRENCY)
    headers = {"apikey": BENCH_KEY, "Client-Agent": "bench:0:bare"}
    body = {"prompt": "bare", "params": {"max_length": 64}, "models": [MODEL]}
    async with aiohttp.ClientSession(trace_configs=[tally.trace()]) as session:
        cpu0 = time.process_time()

        async def post() -> str:
            async with (
                gate,
                session.post(
                    f"{base_url}/v2/generate/text/async", json=body, headers=headers
                ) as response,
            ):
                return str((await response.json())["id"])

        ids = await asyncio.gather(*(post() for _ in range(posts)))

        async def get(request_id: str) -> None:
            async with (
                gate,
                session.get(
                    f"{base_url}/v2/generate/text/status/{request_id}", headers=headers
                ) as response,
            ):
                await response.json()

        await asyncio.gather(*(get(ids[i % len(ids)]) for i in range(gets)))
        return time.process_time() - cpu0


async def main(n: int, window: float, db_url: str | None = None) -> None:
    async with HordeProcess(workers=50, seconds_per_job=0.02, paused=True) as horde:
        result = await engine_run(horde.base_url, horde, n, window, db_url)
        requests = result["requests"]
        result["bare_cpu"] = await bare_run(
            horde.base_url, requests.get("POST", 0), requests.get("GET", 0)
        )
        result["bare_timed_cpu"] = await replay.timed(
            horde.base_url, result["sent"], Tally().trace()
        )
    del result["sent"]
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:4]))
