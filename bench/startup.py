"""§5 Start-up: ``python -m bot`` to ready vs a bare discord.py client; import times.

Both processes reach the fake Discord through ``tests/fakes/subprocess_site`` (as the
start-up tests do), with the same environment basics; "ready" is the bot's "Logged in as"
log line (its ``on_ready``) and the bare client's ``on_ready`` print. Runs alternate; the
figure is the ratio of medians. One untimed run of each comes first (it creates the
database, the key file and the command-sync marker, as a first deployment would).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Row
from tests.e2e.bot_process import ROOT, bot_env, child_env
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

__all__ = ["run"]

BOT_READY = "Logged in as"
DISCORD = "import discord"
# What ``python -m bot`` imports before it runs: the entry point and every default cog.
EVERYTHING = (
    "import importlib, bot.__main__; from bot.bot import EXTENSIONS; "
    "[importlib.import_module(name) for name in EXTENSIONS]"
)
BARE_READY = "BARE-READY"


async def _time_to_line(args: list[str], env: dict[str, str], needle: str, cwd: Path) -> float:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(60):
            async for raw in proc.stdout:
                line = raw.decode(errors="replace")
                seen.append(line)
                if needle in line:
                    return time.perf_counter() - started
        raise RuntimeError(f"{args} exited before {needle!r}: {''.join(seen)[-2000:]}")
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def _ready_times(runs: int) -> tuple[list[float], list[float]]:
    horde = FakeHorde()
    await horde.start()
    discord_fake = FakeDiscord()
    await discord_fake.start()
    try:
        guild = discord_fake.add_guild("Bench")
        discord_fake.add_channel(guild, "general", nsfw=False)
        with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
            data = Path(tmp)
            env = child_env(bot_env(data, horde.base_url), fake_discord_url=discord_fake.base_url)
            bot_args, bare_args = ["-m", "bot"], ["-m", "bench.bare_client"]
            if runs > 1:  # the first deployment (database, key, command sync): untimed
                await _time_to_line(bot_args, env, BOT_READY, data)
                await _time_to_line(bare_args, env, BARE_READY, data)
            bot_times, bare_times = [], []
            for _ in range(runs):
                bare_times.append(await _time_to_line(bare_args, env, BARE_READY, data))
                bot_times.append(await _time_to_line(bot_args, env, BOT_READY, data))
            return bot_times, bare_times
    finally:
        await discord_fake.stop()
        await horde.close()


async def _import_time(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = child_env({})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return float(out.decode().strip())


async def _import_times(modules: tuple[str, ...], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {m: [] for m in modules}
    for _ in range(runs):
        for module in modules:
            times[module].append(await _import_time(module))
    return {m: statistics.median(t) for m, t in times.items()}


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    runs = 1 if quick else 5
    bot_times, bare_times = await _ready_times(runs)
    bot_ready, bare_ready = statistics.median(bot_times), statistics.median(bare_times)
    imports = await _import_times((DISCORD, EVERYTHING), 1 if quick else 7)
    rows = [
        Row(
            "5",
            "`python -m bot` start → ready",
            f"{bot_ready:.2f} s",
            f"bare discord.py client: {bare_ready:.2f} s",
            bot_ready / bare_ready,
            "≤ 1.5x",
            bot_ready / bare_ready <= 1.5,
            "the bot imports more (pydantic models, aiosqlite, cryptography) and opens and "
            "migrates its database before logging in.",
        ),
        _import_row(
            "`import bot` as `python -m bot` loads it (bot.__main__ + default cogs)",
            imports[EVERYTHING],
            imports[DISCORD],
        ),
    ]
    note = (
        f"§5: {runs} alternating start(s) of each after one untimed first start; the median "
        "wall time from spawning the process to ready. Both wait discord.py's default "
        "guild_ready_timeout (2 s without GUILD_CREATE) before on_ready, which is in both "
        "figures. Import times: median over fresh interpreters, timed inside the child "
        "around the import statement only. A bare `import bot` loads only the 8-line package "
        "(< 1 ms), so the figure is everything `python -m bot` imports before it starts."
    )
    return rows, [note]


def _import_row(figure: str, ours: float, discord_time: float) -> Row:
    return Row(
        "5",
        f"{figure} import time",
        f"{ours * 1000:.0f} ms",
        f"`import discord`: {discord_time * 1000:.0f} ms",
        ours / discord_time,
        "≤ 1.5x",
        ours / discord_time <= 1.5,
        "bot.horde's client and pydantic models, aiohttp's server side, prometheus-client "
        "(METRICS_LISTEN), asyncpg (a PostgreSQL DATABASE_URL) and a few commands' texts "
        "and forms load when first needed. What is left beyond discord.py is needed before "
        "the bot is ready: 54 frozen dataclasses (~30 ms on Python 3.11, each compiled "
        "from generated source), the cogs' commands (~12 ms), discord.ext.commands (~9 "
        "ms), cryptography and python-dotenv for the settings; plus the process's first "
        "full garbage collection (~15-20 ms), which `import discord` alone stops just "
        "short of. On the shared 2-core machine readings move by ±0.05 between runs: "
        "rerun before acting on a miss of a few percent.",
    )
