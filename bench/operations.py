"""§6 Operating overhead: CPU per generation with metrics and JSON logs on vs off.

The same scripted generations run through a real ``python -m bot`` child, pointed at the
fakes, three ways: as deployed by default (``METRICS_LISTEN`` unset, text logs; run twice,
the second a control showing the method's own noise); with
``METRICS_LISTEN`` set, ``LOG_FORMAT=json`` and ``/metrics`` scraped at the interval of the
scrape configuration docs/operations.md gives (30 s: the targeted row); and the same scraped
every second (reported: a scrape is a cost per second, not per generation, so this row shows
what an operator who scrapes that often pays at this bench's rate of about two generations a
second). The figure is the child's CPU time (user + system, from /proc) from its first measured
``/generate`` to its last delivered result, per generation. The runs of a round go at once, each
against fakes of its own, so that they meet the same load of the shared machine; a ratio is
the median of the rounds' ratios, over 8 rounds.
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
ROUNDS = 8
# docs/operations.md's scrape configuration (scrape_interval: 30s); Prometheus' own default is 60 s.
DOCUMENTED_SCRAPE_SECONDS = 30.0
STRESS_SCRAPE_SECONDS = 1.0
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


async def _scrape_every(url: str, seconds: float) -> None:
    """Scrape at once (pessimistic, its phase is random), then every ``seconds``."""
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    await response.read()
            await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def _scraping(url: str, every: float | None) -> AsyncIterator[None]:
    task = asyncio.create_task(_scrape_every(url, every)) if every else None
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


@dataclass(frozen=True)
class _World:
    """Fakes of one variant's own: the runs of a round go on at once, each against its own."""

    horde: FakeHorde
    discord: FakeDiscord
    members: list[FakeUser]
    channel: FakeChannel

    @classmethod
    async def start(cls) -> _World:
        horde = FakeHorde()
        horde.rate_limits = False
        await horde.start()
        discord_fake = FakeDiscord()
        await discord_fake.start()
        horde.add_worker("w1", models=[MODEL], seconds_per_job=0.3, threads=50)
        guild = discord_fake.add_guild("Bench")
        channel = discord_fake.add_channel(guild, "general", nsfw=False)
        members = [discord_fake.add_member(guild, f"member{i}", permissions=0) for i in range(4)]
        return cls(horde, discord_fake, members, channel)

    async def close(self) -> None:
        await self.discord.stop()
        await self.horde.close()


async def _one_run(
    world: _World, *, scrape_every: float | None, generations: int, start: asyncio.Barrier
) -> _Run:
    """One child run: its CPU per generation (and per scrape when metrics are on).

    ``scrape_every`` None: metrics off and text logs (the default deployment); else metrics
    and JSON logs on, ``/metrics`` scraped at that interval. The measured window opens when every
    run of the round has warmed up (``start``), so the runs share the machine's load."""
    port = free_port()
    extra = dict(CHILD_SETTINGS)
    metrics = scrape_every is not None
    if metrics:
        extra["METRICS_LISTEN"] = f"127.0.0.1:{port}"
        extra["LOG_FORMAT"] = "json"
    url = f"http://127.0.0.1:{port}/metrics"
    discord_fake, members, channel = world.discord, world.members, world.channel
    with tempfile.TemporaryDirectory(prefix="bench-ops-") as tmp:
        data = Path(tmp)
        env = child_env(
            bot_env(data, world.horde.base_url, **extra), fake_discord_url=discord_fake.base_url
        )
        proc = await BotProcess(env, data).start()
        try:
            await proc.wait_for_line("Logged in as", timeout=60)
            assert proc.proc is not None
            pid = proc.proc.pid
            # One untimed generation first: lazy imports and first-use caches.
            await final(await generate(discord_fake, members[0], channel, "warm up"), timeout=60)
            await start.wait()
            async with _scraping(url, scrape_every):
                cpu0, started = _cpu_seconds(pid), time.monotonic()
                await _generate_all(discord_fake, members, channel, generations)
                cpu, wall = _cpu_seconds(pid) - cpu0, time.monotonic() - started
            per_scrape = await _cpu_per_scrape(pid, url) if metrics else None
        finally:
            await proc.kill()
    return _Run(cpu / generations, generations / wall, per_scrape)


# The runs of a round: the scrape interval with metrics and JSON logs on; None: the
# default deployment, both off.
_VARIANTS: dict[str, float | None] = {
    "off": None,
    "control": None,  # a second run as "off": the method's own noise, shown beside the figures
    "documented": DOCUMENTED_SCRAPE_SECONDS,
    "stress": STRESS_SCRAPE_SECONDS,
}


async def _concurrent_rounds(rounds: int, generations: int) -> dict[str, list[_Run]]:
    """``rounds`` rounds of one run per variant, all at once, each with its own fakes.

    At once rather than in turn (until 2026-12-06): the machine is shared and its load drifts
    within seconds, so runs in turn read ±15 % apart in CPU per generation however alike;
    runs side by side meet the same load. Each child is idle most of the time (about 3 % of a
    core), so they hardly load each other."""
    worlds = {name: await _World.start() for name in _VARIANTS}
    try:
        runs: dict[str, list[_Run]] = {name: [] for name in _VARIANTS}
        for _ in range(rounds):
            start = asyncio.Barrier(len(_VARIANTS))
            results = await asyncio.gather(
                *(
                    _one_run(worlds[name], scrape_every=every, generations=generations, start=start)
                    for name, every in _VARIANTS.items()
                )
            )
            for name, result in zip(_VARIANTS, results, strict=True):
                runs[name].append(result)
        return runs
    finally:
        for world in worlds.values():
            await world.close()


def _cpu(runs: list[_Run]) -> float:
    return statistics.median(r.cpu_per_generation for r in runs)


def _ratios(off: list[_Run], on: list[_Run]) -> list[float]:
    """Round by round: the runs of a round met the same load, so each round is one pair."""
    return sorted(b.cpu_per_generation / a.cpu_per_generation for a, b in zip(off, on, strict=True))


def _span(ratios: list[float]) -> str:
    return f"{ratios[0]:.2f}-{ratios[-1]:.2f}"


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    rounds, generations = (1, 3) if quick else (ROUNDS, 80)
    runs = await _concurrent_rounds(rounds, generations)
    off, control = runs["off"], runs["control"]
    documented, stress = runs["documented"], runs["stress"]
    # Every run with metrics measured it after its generations; all of them count.
    scrape = statistics.median(r.cpu_per_scrape or 0.0 for r in documented + stress)
    rate = statistics.median(r.generations_per_second for r in stress)
    baseline = f"metrics off, text logs: {_cpu(off) * 1000:.1f} ms"
    ratio = statistics.median(_ratios(off, documented))
    target_row = Row(
        "6",
        f"CPU per generation, metrics + JSON logs, scraped every {DOCUMENTED_SCRAPE_SECONDS:.0f} s "
        "(docs/operations.md's scrape configuration)",
        f"{_cpu(documented) * 1000:.1f} ms",
        baseline,
        ratio,
        "< 1.05x",
        ratio < TARGET,
        f"the median of {rounds} rounds' ratios; rounds read {_span(_ratios(off, documented))}, "
        "and a second metrics-off run beside the first read "
        f"{statistics.median(_ratios(off, control)):.2f} ({_span(_ratios(off, control))}): "
        "the method's own noise. Measured apart (performance-history.md, 2026-12-06, fourth "
        "session): counting about 11 requests a generation costs about 0.07 ms, three JSON log "
        "lines less, a scrape at this interval under 0.1 ms; the rest of what the on-runs "
        "read above off (0.5 ms in that run) was not located.",
    )
    stress_row = Row(
        "6",
        "CPU per generation, metrics + JSON logs, scraped every second",
        f"{_cpu(stress) * 1000:.1f} ms",
        baseline,
        statistics.median(_ratios(off, stress)),
        "— (reported)",
        None,
    )
    return [target_row, stress_row], [_note(runs, rounds, generations, scrape, rate)]


def _note(
    runs: dict[str, list[_Run]], rounds: int, generations: int, scrape: float, rate: float
) -> str:
    off = runs["off"]
    spread = ", ".join(
        "/".join(f"{r.cpu_per_generation * 1000:.1f}" for r in round_)
        for round_ in zip(*runs.values(), strict=True)
    )
    spans = "; ".join(f"{name} {_span(_ratios(off, runs[name]))}" for name in list(runs)[1:])
    return (
        f"§6: {rounds} round(s) of four `python -m bot` runs side by side, each against fakes "
        "of its own: metrics off and text logs, twice (the second is a control: the method's "
        f"noise); metrics and JSON logs on, scraped every {DOCUMENTED_SCRAPE_SECONDS:.0f} s; the "
        f"same scraped every second. {generations} generations a run in waves of {WAVE} (after "
        "one untimed warm-up generation), 4 members, one fake worker; the scraper scrapes once "
        "at the start, then at its interval. CPU is the child's user + system time from /proc "
        "between its first measured /generate and its last delivered result; a ratio is the "
        "median of the rounds' ratios (each round's runs met the same load). Ms per generation, "
        f"round by round ({'/'.join(runs)}): {spread}; rounds' ratios against off: {spans}. "
        f"A scrape costs the bot {scrape * 1000:.2f} ms of CPU, measured afterwards, 200 "
        "scrapes back to back (about 95 series rendered by prometheus-client's "
        "`generate_latest`, one HTTP request); in a running bot, about 2 ms. This run delivers "
        f"about {rate:.1f} generations a second, so scraping every second adds about 1 ms per "
        "generation here: a cost per second, which a busier bot spreads over more generations "
        f"and the documented {DOCUMENTED_SCRAPE_SECONDS:.0f} s interval divides by "
        f"{DOCUMENTED_SCRAPE_SECONDS:.0f}. Until 2026-12-06 (fourth session) the targeted row "
        "was the one scraped every second (1.10x in its last run) and the runs went one after "
        "the other, off then on: their CPU per generation drifted with the shared machine's "
        "load (off runs alone read 10.8-16.9 ms in one run, pairs ±15 %). Side by side the "
        "rounds spread less, but not always by much (the control's rounds: 0.99-1.04 in one "
        "run, 0.88-1.12 in another): the control's figures above are this run's noise. What "
        "the metrics cost changed on 2026-12-06 "
        "(performance-history.md): the Horde client counts its own requests and discord.py's "
        "session is wrapped, instead of aiohttp trace configs (about 40 µs a request, hooked or "
        "not); histograms have fewer buckets (95 series instead of 123)."
    )
