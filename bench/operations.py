"""§6 Operating overhead: CPU per generation with metrics and JSON logs on vs off.

The same scripted generations run through a real ``python -m bot`` child, pointed at the
fakes, once as deployed by default (``METRICS_LISTEN`` unset, text logs) and once with
``METRICS_LISTEN`` set, ``LOG_FORMAT=json`` and a ``/metrics`` scrape every second. The figure
is the child's CPU time (user + system, from /proc) from its first measured ``/generate`` to its
last delivered result, per generation. Runs alternate off/on (the machine is shared, its load
drifts); the ratio is of the medians, over 8 pairs: single pairs swing by ±15 % on a shared
machine, too much for a 5 % target to be judged on a few.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.report import Row
from tests.e2e.bot_process import BotProcess, bot_env, child_env, free_port
from tests.e2e.generate_support import MODEL, final, generate
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeUser
from tests.fakes.horde import FakeHorde

__all__ = ["run"]

TARGET = 1.05
PAIRS = 8
# Generations in flight at once: the fake Horde, like the real one, refuses a user (all of
# them share the anonymous key here) too many queued prompts.
WAVE = 20
# Limits raised so the waves reach the Horde at once; polling tightened to keep runs short.
CHILD_SETTINGS = {
    "MAX_GENERATIONS_PER_USER": "100",
    "HORDE_SUBMITS_PER_SECOND": "100",
    "HORDE_SUBMITS_PER_MINUTE": "6000",
    "POLL_MIN_SECONDS": "0.2",
    "POLL_MAX_SECONDS": "1",
}
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


async def _scrape_every_second(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    await response.read()
            await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def _scraping(url: str | None) -> AsyncIterator[None]:
    task = asyncio.create_task(_scrape_every_second(url)) if url else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@dataclass(frozen=True)
class _Run:
    cpu_per_generation: float  # seconds
    generations_per_second: float  # wall clock, over the measured generations
    cpu_per_scrape: float | None  # seconds; measured after the generations, runs with metrics


async def _generate_all(
    discord_fake: FakeDiscord, members: list[FakeUser], channel: FakeChannel, generations: int
) -> None:
    for wave in range(0, generations, WAVE):
        interactions = [
            await generate(discord_fake, members[i % len(members)], channel, f"Tale {i}")
            for i in range(wave, min(generations, wave + WAVE))
        ]
        await asyncio.gather(*(final(ia, timeout=120) for ia in interactions))


async def _cpu_per_scrape(pid: int, url: str, scrapes: int = 200) -> float:
    """CPU the bot spends per ``/metrics`` scrape, scraped back to back while idle.

    200 scrapes (50 before 2026-12-06): /proc counts CPU in 10 ms ticks, so 50 scrapes of about
    1.2 ms read in steps of 0.2 ms."""
    async with aiohttp.ClientSession() as session:
        cpu0 = _cpu_seconds(pid)
        for _ in range(scrapes):
            async with session.get(url) as response:
                await response.read()
        return (_cpu_seconds(pid) - cpu0) / scrapes


async def _one_run(
    discord_fake: FakeDiscord,
    horde: FakeHorde,
    members: list[FakeUser],
    channel: FakeChannel,
    *,
    metrics: bool,
    json_logs: bool,
    scrape: bool,
    generations: int,
) -> _Run:
    """One child run: its CPU per generation (and per scrape when metrics are on)."""
    port = free_port()
    extra = dict(CHILD_SETTINGS)
    if metrics:
        extra["METRICS_LISTEN"] = f"127.0.0.1:{port}"
    if json_logs:
        extra["LOG_FORMAT"] = "json"
    url = f"http://127.0.0.1:{port}/metrics"
    with tempfile.TemporaryDirectory(prefix="bench-ops-") as tmp:
        data = Path(tmp)
        env = child_env(
            bot_env(data, horde.base_url, **extra), fake_discord_url=discord_fake.base_url
        )
        proc = await BotProcess(env, data).start()
        try:
            await proc.wait_for_line("Logged in as", timeout=60)
            assert proc.proc is not None
            pid = proc.proc.pid
            # One untimed generation first: lazy imports and first-use caches.
            await final(await generate(discord_fake, members[0], channel, "warm up"), timeout=60)
            async with _scraping(url if metrics and scrape else None):
                cpu0, started = _cpu_seconds(pid), time.monotonic()
                await _generate_all(discord_fake, members, channel, generations)
                cpu, wall = _cpu_seconds(pid) - cpu0, time.monotonic() - started
            per_scrape = await _cpu_per_scrape(pid, url) if metrics else None
        finally:
            await proc.kill()
    return _Run(cpu / generations, generations / wall, per_scrape)


async def _alternating_runs(runs: int, generations: int) -> tuple[list[_Run], list[_Run]]:
    """``runs`` pairs of runs, off then on (drifting load hits both alike)."""
    horde = FakeHorde()
    horde.rate_limits = False
    await horde.start()
    discord_fake = FakeDiscord()
    await discord_fake.start()
    try:
        horde.add_worker("w1", models=[MODEL], seconds_per_job=0.3, threads=50)
        guild = discord_fake.add_guild("Bench")
        channel = discord_fake.add_channel(guild, "general", nsfw=False)
        members = [discord_fake.add_member(guild, f"member{i}", permissions=0) for i in range(4)]
        off: list[_Run] = []
        on: list[_Run] = []
        for _ in range(runs):
            for observed, into in ((False, off), (True, on)):
                run = await _one_run(
                    discord_fake,
                    horde,
                    members,
                    channel,
                    metrics=observed,
                    json_logs=observed,
                    scrape=observed,
                    generations=generations,
                )
                into.append(run)
        return off, on
    finally:
        await discord_fake.stop()
        await horde.close()


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    runs, generations = (1, 3) if quick else (PAIRS, 80)
    off, on = await _alternating_runs(runs, generations)
    base = statistics.median(r.cpu_per_generation for r in off)
    observed = statistics.median(r.cpu_per_generation for r in on)
    scrape = statistics.median(r.cpu_per_scrape or 0.0 for r in on)
    rate = statistics.median(r.generations_per_second for r in on)
    ratio = observed / base
    row = Row(
        "6",
        "CPU per generation, metrics + JSON logs + a scrape every second",
        f"{observed * 1000:.1f} ms",
        f"metrics off, text logs: {base * 1000:.1f} ms",
        ratio,
        "< 1.05x",
        ratio < TARGET,
        f"of the {(observed - base) * 1000:.1f} ms added per generation, one scrape a second "
        f"explains about {scrape / rate * 1000:.1f} ms at its back-to-back cost (one scrape costs "
        f"the bot {scrape * 1000:.1f} ms of CPU: about 95 series rendered, one HTTP request; "
        f"this run delivers about {rate:.1f} generations a second). Measured apart "
        "(2026-12-06, two A/B runs, performance-history.md): a scrape once a second in a busy "
        "bot costs about twice its back-to-back figure (cold caches), about 2 ms, or 0.9 ms "
        "per generation here; without the scrape, neither metrics nor JSON logs showed a "
        "measurable cost (counting requests is about 0.15 ms per generation: 11 requests). "
        "Single pairs swing by ±15 % on this machine, so a 5 % target sits inside one run's "
        "noise: alternating A/B runs of the new code read 1.05-1.15. What would meet it "
        "reliably: a cheaper scrape in a running bot (fewer series: the Discord latency per "
        "family and the GC and platform collectors are 37 of the 95), or Prometheus' usual "
        "15-30 s interval, at which the scrape falls under 0.1 ms per generation.",
    )
    spread = ", ".join(
        f"{a.cpu_per_generation * 1000:.1f}/{b.cpu_per_generation * 1000:.1f}"
        for a, b in zip(off, on, strict=True)
    )
    ratios = sorted(
        b.cpu_per_generation / a.cpu_per_generation for a, b in zip(off, on, strict=True)
    )
    note = (
        f"§6: {runs} alternating pair(s) of `python -m bot` runs, {generations} generations "
        f"each in waves of {WAVE} (after one untimed warm-up generation), 4 members, one fake "
        "worker; CPU is the child's user + system time from /proc between its first measured "
        "/generate and its last delivered result; the scrape cost is measured afterwards, 200 "
        f"scrapes back to back. Off/on ms per generation, run by run: {spread} (pair ratios "
        f"{ratios[0]:.2f}-{ratios[-1]:.2f}). {PAIRS} pairs since 2026-12-06 (5 before): "
        "single pairs swing by ±15 % on a shared machine. What the metrics cost changed on "
        "2026-12-06 "
        "(performance-history.md): the Horde client counts its own requests and discord.py's "
        "session is wrapped, instead of aiohttp trace configs (about 40 µs a request, hooked or "
        "not, about 11 requests per generation here); histograms have fewer buckets (95 series "
        "instead of 123, a scrape about 1.05 ms instead of 1.4 back to back). JSON logs cost "
        "nothing measurable (3 lines per generation)."
    )
    return [row], [note]
