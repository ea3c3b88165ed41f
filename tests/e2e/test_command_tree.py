"""The command tree's guard and error path that every command shares."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.botkit import bot_running, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def test_a_blocked_member_is_refused_any_command(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, "cogs.help") as bot:
        await bot.services.blocked.block(world.guild.id, world.alice.id, world.mod.id, None)
        refused = await discord_fake.send_slash("help", {}, user=world.alice, channel=world.channel)
        await refused.wait_for_response()
        allowed = await discord_fake.send_slash("help", {}, user=world.bob, channel=world.channel)
        await allowed.wait_for_response()
    assert refused.ephemeral
    assert "blocked you" in refused.original().content
    assert "/help" in allowed.original().text()


async def test_a_blocked_member_cannot_slip_through_in_another_guild_check(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    other = discord_fake.add_guild("Other Guild")
    other_channel = discord_fake.add_channel(other, "general")
    alice_elsewhere = discord_fake.add_member(other, "alice2", permissions=0)
    async with bot_running(discord_fake, fake_horde, tmp_path, "cogs.help") as bot:
        await bot.services.blocked.block(world.guild.id, alice_elsewhere.id, world.mod.id, None)
        ia = await discord_fake.send_slash("help", {}, user=alice_elsewhere, channel=other_channel)
        await ia.wait_for_response()
    # A block is per server: the same person elsewhere is not refused.
    assert "/help" in ia.original().text()


async def test_an_unexpected_error_id_is_posted_to_the_log_channel(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    log_channel = discord_fake.add_channel(world.guild, "bot-log")
    async with bot_running(discord_fake, fake_horde, tmp_path, "tests.e2e.boom_cog") as bot:
        await bot.services.guild_settings.update(world.guild.id, log_channel_id=log_channel.id)
        ia = await discord_fake.send_slash("boom", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
        match = re.search(r"error id `([0-9a-f]+)`", ia.original().content)
        assert match is not None
        posted = await discord_fake.wait_for_message(
            log_channel, lambda m: match.group(1) in m.content
        )
    assert "/boom" in posted.content
    assert "kaboom" not in posted.content
