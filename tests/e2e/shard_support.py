"""Two ``python -m bot`` processes splitting shards 0 and 1 of 2 on one database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from tests.e2e.bot_process import BotProcess, running_child
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


@contextlib.asynccontextmanager
async def split_shard_processes(
    discord_fake: FakeDiscord, horde: FakeHorde, tmp_path: Path, **env: str
) -> AsyncIterator[dict[str, BotProcess]]:
    """``{"0": process on shard 0, "1": process on shard 1}``, each with its own data folder;
    both killed on exit. ``env`` needs the shared ``DATABASE_URL`` and ``ENCRYPTION_KEY``."""
    discord_fake.gateway.shard_count = 2
    processes: dict[str, BotProcess] = {}
    async with contextlib.AsyncExitStack() as stack:
        for ids in ("0", "1"):
            (tmp_path / ids).mkdir()
            child = running_child(
                discord_fake.base_url,
                horde.base_url,
                tmp_path / ids,
                SHARD_COUNT="2",
                SHARD_IDS=ids,
                **env,
            )
            processes[ids] = await stack.enter_async_context(child)
        yield processes
