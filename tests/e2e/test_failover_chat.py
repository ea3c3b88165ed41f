"""A chat turn in flight when its process is killed (SIGKILL): the other process on the same
PostgreSQL database takes the generation over once its lease expires and completes the SAME
reply in the thread, which the conversation then remembers."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import asyncpg

from tests.e2e.chat_support import (
    MODEL,
    make_world,
    reference_server,
    replies_in,
    reply_done,
    say,
    start_chat,
)
from tests.e2e.split_shards import LEASE, POLL_MAX, split_shard_env, split_shard_processes
from tests.e2e.test_failover import SLACK
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.postgres.jobs import wait_until_on_the_horde


async def stored_replies(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT content, reply_state FROM chat_turns ORDER BY id",
        )
        return [f"{row['reply_state'] or 'assistant'}: {row['content']}" for row in rows]
    finally:
        await conn.close()


async def test_the_survivor_completes_a_chat_reply_of_a_killed_process(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    discord_fake.gateway.shard_count = 2
    world = make_world(discord_fake, shard=1)
    fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=1.5, text=lambda p, _: "Taken over."
    )
    loop = asyncio.get_running_loop()
    async with reference_server() as (url, _):
        env = split_shard_env(postgres_database, MODEL_REFERENCE_URL=url)
        async with split_shard_processes(discord_fake, fake_horde, tmp_path, env) as processes:
            owner = processes["1"]  # the guild's shard: its process answers the turn
            thread = await start_chat(discord_fake, world, model=MODEL)
            await say(discord_fake, thread, world.alice, "are you still there?")
            await wait_until_on_the_horde(postgres_database)
            owner.send_signal(signal.SIGKILL)
            killed_at = loop.time()
            assert await owner.wait() == -signal.SIGKILL
            placeholders = replies_in(discord_fake, thread)
            assert [m for m in placeholders if "Done" in m.content] == []  # the worker needs 1.5 s
            reply = await reply_done(discord_fake, thread, 1, timeout=LEASE + POLL_MAX + SLACK + 5)
            took = loop.time() - killed_at
            print(f"chat failover: {took:.2f} s from SIGKILL to the completed reply")
            async with asyncio.timeout(5):  # the survivor stores the reply in the conversation
                while len(await stored_replies(postgres_database)) < 2:
                    await asyncio.sleep(0.05)
    assert [m.id for m in replies_in(discord_fake, thread)] == [placeholders[0].id]  # the SAME
    assert "Taken over." in reply.text()
    assert took <= LEASE + POLL_MAX + SLACK, took
    assert await stored_replies(postgres_database) == [
        "answered: are you still there?",
        "assistant: Taken over.",
    ]
    submits = [r for r in fake_horde.requests if r.path.endswith("/generate/text/async")]
    assert len(submits) == 1  # taken over, not submitted again
