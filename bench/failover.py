"""§7 several processes: failover time from SIGKILL to the completed reply.

Two ``python -m bot`` on split shards (``SHARD_COUNT=2``) share one PostgreSQL database with a
short lease. Each round: shard 1's process accepts a generation, is killed with SIGKILL while
the generation is queued on the Horde, and shard 0's process takes the lease over and completes
the same reply; shard 1's process is then started again for the next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import statistics
import tempfile
from pathlib import Path

import asyncpg
from cryptography.fernet import Fernet

from bench.report import Row
from tests.e2e.bot_process import running_child
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.postgres.jobs import wait_until_on_the_horde
from tests.postgres.server import PostgresServer

__all__ = ["run"]

LEASE = 2.0
POLL_MAX = 0.5  # running_child's POLL_MAX_SECONDS
MODEL = "koboldcpp/test-model"


async def _rounds(kills: int, url: str, key: str) -> list[float]:
    horde, discord_fake = FakeHorde(), FakeDiscord()
    await horde.start()
    await discord_fake.start()
    discord_fake.gateway.shard_count = 2
    guild = discord_fake.add_guild("shard 1", shard=1)
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    alice = discord_fake.add_member(guild, "alice", permissions=0)
    horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    env = {"ENCRYPTION_KEY": key, "DATABASE_URL": url, "SHARD_COUNT": "2"}
    env["JOB_LEASE_SECONDS"] = str(LEASE)
    loop = asyncio.get_running_loop()
    times: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-failover-") as tmp:
            dirs = {ids: Path(tmp) / ids for ids in ("0", "1")}
            for path in dirs.values():
                path.mkdir()

            def child(ids: str) -> contextlib.AbstractAsyncContextManager[object]:
                return running_child(
                    discord_fake.base_url, horde.base_url, dirs[ids], SHARD_IDS=ids, **env
                )

            async with child("0"):
                for n in range(kills):
                    async with child("1") as owner:
                        ia = await discord_fake.send_slash(
                            "generate", {"prompt": f"round {n}"}, user=alice, channel=channel
                        )
                        await wait_until_on_the_horde(url)
                        owner.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
                        killed = loop.time()
                        await ia.wait_for_original(lambda m: "Done" in m.content, LEASE * 10)
                        assert "round" in ia.original().embeds[0]["description"]
                        times.append(loop.time() - killed)
        return times
    finally:
        await discord_fake.stop()
        await horde.close()


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    kills = 1 if quick else 10
    server = await asyncio.to_thread(PostgresServer.start)
    try:
        admin = await asyncpg.connect(server.url("postgres"))
        try:
            await admin.execute('CREATE DATABASE "bench_failover" TEMPLATE template0')
        finally:
            await admin.close()
        times = await _rounds(kills, server.url("bench_failover"), Fernet.generate_key().decode())
    finally:
        await asyncio.to_thread(server.stop)
    median, worst = statistics.median(times), max(times)
    target = LEASE + 5
    row = Row(
        "7",
        f"failover SIGKILL → completed reply, {kills} kills, JOB_LEASE_SECONDS={LEASE:g}",
        f"median {median:.2f} s, worst {worst:.2f} s",
        f"lease {LEASE:g} s + one poll ({POLL_MAX:g} s)",
        round(median / (LEASE + POLL_MAX), 3),
        f"median ≤ lease + 5 s ({target:g} s)",
        median <= target,
        why="" if median <= target else "claims run every third of the lease; see leases.py",
    )
    return [row], []
