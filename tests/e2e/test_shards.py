"""SHARD_COUNT / SHARD_IDS: processes that split the shards over one database.

Each process runs its shards, only the one running shard 0 syncs the commands, and after a
restart each resumes only the generations of its own shards (a DM's belong to shard 0), so no
generation is polled or delivered twice.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import discord

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, submits
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeUser
from tests.fakes.horde import FakeHorde

MANAGE_GUILD = discord.Permissions(manage_guild=True).value


def split_world(discord_fake: FakeDiscord) -> tuple[list[FakeChannel], list[FakeUser]]:
    """Two shards, one server on each, a member with Manage Server in each."""
    discord_fake.gateway.shard_count = 2
    guilds = [discord_fake.add_guild(f"guild on shard {i}", shard=i) for i in range(2)]
    channels = [discord_fake.add_channel(g, "general", nsfw=False) for g in guilds]
    members = [
        discord_fake.add_member(g, f"mod{i}", permissions=MANAGE_GUILD)
        for i, g in enumerate(guilds)
    ]
    return channels, members


def on_shards(tmp_path: Path, ids: str, **env: str) -> dict[str, str]:
    """The settings of one process: its own data folder, the shared database."""
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    return {"DATABASE_URL": database, "SHARD_COUNT": "2", "SHARD_IDS": ids, **env}


async def test_commands_are_synced_once_by_the_process_running_shard_zero(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    split_world(discord_fake)
    async with contextlib.AsyncExitStack() as stack:
        for ids in ("1", "0"):
            await stack.enter_async_context(
                generate_bot(discord_fake, fake_horde, tmp_path / ids, **on_shards(tmp_path, ids))
            )
    assert discord_fake.sync_count == 1
    assert {c["name"] for c in discord_fake.synced_commands["global"]} >= {"generate"}


async def test_mod_status_shows_the_shards_of_the_process_that_answers(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channels, mods = split_world(discord_fake)
    extensions = ("cogs.generate", "cogs.moderation")
    async with contextlib.AsyncExitStack() as stack:
        for ids in ("0", "1"):
            env = on_shards(tmp_path, ids)
            await stack.enter_async_context(
                generate_bot(discord_fake, fake_horde, tmp_path / ids, extensions=extensions, **env)
            )
        shown = []
        for channel, member in zip(channels, mods, strict=True):
            ia = await discord_fake.send_slash("mod status", {}, user=member, channel=channel)
            msg = await ia.wait_for_original(lambda m: bool(m.embeds))
            fields = {f["name"]: f["value"] for f in msg.embeds[0]["fields"]}
            shown.append((ia.shard_id, fields["Shards of this process"]))
    assert shown == [(0, "0 of 2"), (1, "1 of 2")]


async def test_after_a_restart_each_process_resumes_only_the_jobs_of_its_shards(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channels, members = split_world(discord_fake)
    dora = discord_fake.add_user("dora")
    # One process on both shards starts three generations; no worker, so they stay queued.
    async with generate_bot(
        discord_fake, fake_horde, tmp_path / "both", **on_shards(tmp_path, "0-1")
    ):
        asked = [
            await generate(discord_fake, member, channel, f"from shard {i}")
            for i, (channel, member) in enumerate(zip(channels, members, strict=True))
        ]
        asked.append(await generate(discord_fake, dora, None, "from a DM"))  # type: ignore[arg-type]
        await discord_fake.wait_for(lambda: len(submits(fake_horde)) == 3 or None, 5)
    async with (
        generate_bot(discord_fake, fake_horde, tmp_path / "0", **on_shards(tmp_path, "0")) as zero,
        generate_bot(discord_fake, fake_horde, tmp_path / "1", **on_shards(tmp_path, "1")) as one,
    ):
        in_flight = (zero.services.generations.in_flight, one.services.generations.in_flight)
        fake_horde.add_worker("w1", models=[MODEL])
        answers = [await final(ia) for ia in asked]
    assert in_flight == (2, 1)  # shard 0: its server's job and the DM's; shard 1: its server's
    assert [a.embeds[0]["description"].count("reply to: from") for a in answers] == [1, 1, 1]
    assert len(submits(fake_horde)) == 3  # resumed, not submitted again
    # Delivered once: two processes delivering would each have written the finished reply.
    assert [sum("Done" in str(v["content"]) for v in a.history) for a in answers] == [1, 1, 1]
