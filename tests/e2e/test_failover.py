"""Two ``python -m bot`` processes on split shards and one PostgreSQL database: when the one
holding a generation is killed (SIGKILL), the other takes its lease over once it expires and
completes the SAME reply from the stored interaction token."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import discord

from tests.e2e.bot_process import BotProcess
from tests.e2e.generate_support import MODEL, final, generate, submits
from tests.e2e.split_shards import (
    LEASE,
    POLL_MAX,
    guild_on_shard,
    lease_owners,
    shard_process,
    split_shard_env,
)
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild, FakeUser
from tests.fakes.horde import FakeHorde
from tests.postgres.jobs import wait_until_on_the_horde

# Claims run every third of the lease; the rest is the delivery and a loaded machine.
SLACK = LEASE / 3 + 1.5


def guild_on_shard_one(discord_fake: FakeDiscord) -> tuple[FakeGuild, FakeChannel, FakeUser]:
    guild, channel = guild_on_shard(discord_fake, 1, "guild on shard 1")
    return guild, channel, discord_fake.add_member(guild, "alice", permissions=0)


MANAGE = discord.Permissions(manage_guild=True).value


async def test_cancel_pressed_in_the_process_that_does_not_hold_the_job(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    """Shard 1's process dies; shard 0's takes its queued generation over; shard 1 comes back and
    receives the Cancel click (its server's shard): the holder cancels it on the Horde."""
    guild, channel, alice = guild_on_shard_one(discord_fake)  # no worker: the job stays queued
    mod = discord_fake.add_member(guild, "mod", permissions=MANAGE)
    env = split_shard_env(postgres_database)

    def child(ids: str) -> contextlib.AbstractAsyncContextManager[BotProcess]:
        return shard_process(discord_fake, fake_horde, tmp_path, ids, env)

    async with child("0"):
        async with child("1") as first:
            ia = await generate(discord_fake, alice, channel, "Cancel me")
            msg = await ia.wait_for_original(lambda m: "Queued on the AI Horde" in m.content, 10)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        async with asyncio.timeout(LEASE * 3):
            while await lease_owners(postgres_database) != ["shards 0 of 2"]:
                await asyncio.sleep(0.1)
        async with child("1"):
            status = await discord_fake.send_slash("mod status", {}, user=mod, channel=channel)
            shown = await status.wait_for_original(lambda m: bool(m.embeds), 10)
            press = await discord_fake.click(msg, label="Cancel", user=alice)
            await press.wait_for_response()
            done = await final(ia, "Cancelled", timeout=10)
    assert not any("already finished" in m.content for m in press.followups())
    assert "Cancelled" in done.content
    assert [r for r in fake_horde.requests if r.method == "DELETE"]  # cancelled on the Horde
    fields = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert fields["Shards of this process"] == "1 of 2"
    this, holder = fields["Bot processes"].split("\n")
    assert this.startswith("**this process** · shards 1 of 2 · ")
    assert holder.startswith("shards 0 of 2 · ")
    assert " · 1 generation in flight · " in holder  # from its lease


async def test_the_survivor_completes_the_same_reply_of_a_killed_process(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    _, channel, alice = guild_on_shard_one(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.5)
    env = split_shard_env(postgres_database)
    loop = asyncio.get_running_loop()
    processes = {}
    async with contextlib.AsyncExitStack() as stack:
        for ids in ("0", "1"):
            child = shard_process(discord_fake, fake_horde, tmp_path, ids, env)
            processes[ids] = await stack.enter_async_context(child)
        owner = processes["1"]  # the guild's shard: its process accepts the generation
        ia = await generate(discord_fake, alice, channel, "Failover")
        await wait_until_on_the_horde(postgres_database)
        owner.send_signal(signal.SIGKILL)
        killed_at = loop.time()
        assert "Done" not in ia.original().content  # the worker needs 1.5 s
        assert await owner.wait() == -signal.SIGKILL
        msg = await final(ia, timeout=LEASE + POLL_MAX + SLACK + 5)
        took = loop.time() - killed_at
        print(f"failover: {took:.2f} s from SIGKILL to the completed reply")
    assert "reply to: Failover" in msg.embeds[0]["description"]
    assert took <= LEASE + POLL_MAX + SLACK, took
    assert len(submits(fake_horde)) == 1  # taken over, not submitted again
