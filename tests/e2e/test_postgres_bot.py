"""The whole bot on PostgreSQL (``DATABASE_URL=postgresql://…``): a reply completes, and a
``python -m bot`` killed mid-generation is completed by the next process from the database."""

from __future__ import annotations

import signal
from pathlib import Path

import asyncpg

from tests.e2e.bot_process import running_child
from tests.e2e.generate_support import FERNET_KEY, MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def stored_jobs(url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch("SELECT state, interaction_token, delivered_at FROM generations")
    finally:
        await conn.close()


async def test_a_generation_completes_with_its_job_in_postgres(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.3)
    async with generate_bot(discord_fake, fake_horde, tmp_path, DATABASE_URL=postgres_database):
        ia = await generate(discord_fake, world.alice, world.channel, "On PostgreSQL")
        msg = await final(ia)
    assert "reply to: On PostgreSQL" in msg.embeds[0]["description"]
    [job] = await stored_jobs(postgres_database)
    assert job["state"] == "done"
    assert job["interaction_token"] is None  # cleared once delivered
    assert job["delivered_at"] is not None
    assert not (tmp_path / "bot.db").exists()  # nothing went to the SQLite default


async def test_sigkill_mid_generation_then_restart_completes_the_same_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=2.0)
    child = running_child(
        discord_fake.base_url,
        fake_horde.base_url,
        tmp_path,
        ENCRYPTION_KEY=FERNET_KEY,
        DATABASE_URL=postgres_database,
    )
    async with child as proc:
        ia = await generate(discord_fake, world.alice, world.channel, "Crash on PostgreSQL")
        await ia.wait_for_original(lambda m: "worker is writing" in m.content, timeout=10)
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
    async with generate_bot(discord_fake, fake_horde, tmp_path, DATABASE_URL=postgres_database):
        msg = await final(ia)
    assert "reply to: Crash on PostgreSQL" in msg.embeds[0]["description"]
    assert len([r for r in fake_horde.requests if r.path.endswith("/generate/text/async")]) == 1
