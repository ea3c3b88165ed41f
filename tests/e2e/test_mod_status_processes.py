"""/mod status lists every live bot process on the database, idle ones included: with SQLite
just this one; with two ``python -m bot`` processes on split shards of one PostgreSQL
database, both, this one marked, each with the generations it holds."""

from __future__ import annotations

from pathlib import Path

import discord

from tests.e2e.botkit import bot_running, make_world
from tests.e2e.generate_support import generate
from tests.e2e.split_shards import split_shard_env, split_shard_processes
from tests.fakes.discord import FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde
from tests.postgres.jobs import wait_until_on_the_horde

MANAGE = discord.Permissions(manage_guild=True).value
LEASE = 2.0


async def status_fields(
    discord_fake: FakeDiscord, mod: FakeUser, channel: object
) -> dict[str, str]:
    ia = await discord_fake.send_slash("mod status", {}, user=mod, channel=channel)
    msg: FakeMessage = await ia.wait_for_original(lambda m: bool(m.embeds), 10)
    return {f["name"]: f["value"] for f in msg.embeds[0]["fields"]}


async def test_with_sqlite_it_shows_just_this_process(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, "cogs.moderation"):
        fields = await status_fields(discord_fake, world.mod, world.channel)
    [line] = fields["Bot processes"].split("\n")
    assert line.startswith("**this process** · all shards · ")
    assert " · 0 generations in flight · up " in line


async def test_two_processes_one_idle_are_both_listed(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    """No worker: shard 0's process holds a queued generation, shard 1's holds none."""
    discord_fake.gateway.shard_count = 2
    busy_guild = discord_fake.add_guild("guild on shard 0", shard=0)
    busy_channel = discord_fake.add_channel(busy_guild, "general", nsfw=False)
    alice = discord_fake.add_member(busy_guild, "alice", permissions=0)
    idle_guild = discord_fake.add_guild("guild on shard 1", shard=1)
    idle_channel = discord_fake.add_channel(idle_guild, "general", nsfw=False)
    mod = discord_fake.add_member(idle_guild, "mod", permissions=MANAGE)
    env = split_shard_env(postgres_database, lease=LEASE)
    async with split_shard_processes(discord_fake, fake_horde, tmp_path, env) as processes:
        await generate(discord_fake, alice, busy_channel, "Hold me")
        await wait_until_on_the_horde(postgres_database)
        fields = await status_fields(discord_fake, mod, idle_channel)
        pids = {ids: p.proc.pid for ids, p in processes.items() if p.proc is not None}
    this, other = fields["Bot processes"].split("\n")
    assert this.startswith("**this process** · shards 1 of 2 · ")
    assert f", pid {pids['1']} · 0 generations in flight · up " in this
    assert other.startswith("shards 0 of 2 · ")
    assert f", pid {pids['0']} · 1 generation in flight · up " in other
