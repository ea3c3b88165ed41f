"""Reading the bot's ``generations`` table straight from PostgreSQL (failover tests, bench)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg


async def wait_until_on_the_horde(url: str, timeout: float = 15.0) -> None:
    """Until some generation has its Horde id stored and is not delivered yet: a process killed
    now leaves a job that only polling (not a second submit) can finish."""
    conn = await asyncpg.connect(url)
    try:
        async with asyncio.timeout(timeout):
            query = "SELECT 1 FROM generations WHERE horde_id IS NOT NULL AND delivered_at IS NULL"
            while await conn.fetchval(query) is None:
                await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def job_rows(url: str) -> list[dict[str, Any]]:
    """Every row of ``generations`` (the columns the reliability checks read), by id."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT id, state, horde_id, interaction_token, delivered_at, error_kind, guild_id, "
            "user_id, prompt, lease_owner FROM generations ORDER BY id"
        )
    finally:
        await conn.close()
    return [dict(row) for row in rows]
