"""Two ``python -m bot`` processes on split shards (``SHARD_COUNT=2``) of one PostgreSQL
database: their settings, a guild on a chosen shard, each process, and the leases they hold.
Shared by the failover e2e tests and the two-process crash rounds."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from tests.e2e.bot_process import BotProcess, running_child
from tests.e2e.generate_support import FERNET_KEY
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild
from tests.fakes.horde import FakeHorde

SHARD_COUNT = 2
LEASE = 2.0  # JOB_LEASE_SECONDS: short, so a takeover is quick
POLL_MAX = 0.5  # running_child's POLL_MAX_SECONDS


def split_shard_env(database_url: str, *, lease: float = LEASE, **extra: str) -> dict[str, str]:
    """Settings every process shares (each adds its own ``SHARD_IDS``)."""
    return {
        "ENCRYPTION_KEY": FERNET_KEY,
        "DATABASE_URL": database_url,
        "SHARD_COUNT": str(SHARD_COUNT),
        "JOB_LEASE_SECONDS": str(lease),
        **extra,
    }


def guild_on_shard(
    discord_fake: FakeDiscord, shard: int, name: str
) -> tuple[FakeGuild, FakeChannel]:
    """A guild whose events and interactions go to ``shard``, with a "general" channel."""
    discord_fake.gateway.shard_count = SHARD_COUNT
    guild = discord_fake.add_guild(name, shard=shard)
    return guild, discord_fake.add_channel(guild, "general", nsfw=False)


def shard_process(
    discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path, ids: str, env: dict[str, str]
) -> contextlib.AbstractAsyncContextManager[BotProcess]:
    """``python -m bot`` running shards ``ids`` with its own data folder under ``data_dir``."""
    folder = data_dir / ids
    folder.mkdir(parents=True, exist_ok=True)
    return running_child(discord_fake.base_url, horde.base_url, folder, SHARD_IDS=ids, **env)


@contextlib.asynccontextmanager
async def split_shard_processes(
    discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path, env: dict[str, str]
) -> AsyncIterator[dict[str, BotProcess]]:
    """``{"0": process on shard 0, "1": process on shard 1}``, both killed on exit; ``env``
    from :func:`split_shard_env`."""
    discord_fake.gateway.shard_count = SHARD_COUNT
    async with contextlib.AsyncExitStack() as stack:
        yield {
            ids: await stack.enter_async_context(
                shard_process(discord_fake, horde, data_dir, ids, env)
            )
            for ids in ("0", "1")
        }


async def lease_owners(url: str) -> list[str | None]:
    conn = await asyncpg.connect(url)
    try:
        return [row[0] for row in await conn.fetch("SELECT lease_owner FROM generations")]
    finally:
        await conn.close()
