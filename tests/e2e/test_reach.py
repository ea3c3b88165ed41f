"""Reach: /generate from the bot's DM, group DMs and servers without the bot (user installs).

Where the bot is not a member it answers only through the interaction; a result that outlives
the interaction token goes to the member's DMs, never into a channel the member did not use;
a refused DM leaves the result stored as undelivered.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.bot import HordeBot
from bot.generation import JobKind, JobRecord
from tests.e2e.botkit import bot_running
from tests.e2e.generate_support import MODEL, final, generate_bot, make_world, submits
from tests.e2e.reach_support import (
    dm_refused,
    foreign_place,
    outlive_the_token,
    posts_into,
    private_refusal,
)
from tests.fakes.discord import FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde


def is_result(message: FakeMessage) -> bool:
    return any("reply to:" in (e.get("description") or "") for e in message.embeds)


async def settled(bot: HordeBot, user: FakeUser, timeout: float = 5.0) -> JobRecord:
    """The member's newest job once the engine settled its delivery."""
    async with asyncio.timeout(timeout):
        while True:
            newest = (await bot.services.generations.history(user.id, JobKind.GENERATE, 1, 0))[0]
            if newest.delivered_at is not None:
                return newest
            await asyncio.sleep(0.02)


async def test_generate_in_the_bots_dm_ends_in_the_same_response(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "From a DM"}, user=world.alice, check_context=True
        )
        msg = await final(ia)
    assert ia.reach.context == 1
    assert "[w1] reply to: From a DM" in msg.embeds[0]["description"]
    assert msg.buttons() == ["Regenerate", "Continue", "Delete"]
    assert discord_fake.bot_dms(world.alice) == []


async def test_generate_in_a_server_without_the_bot_ends_in_the_same_response(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channel, (dana,) = foreign_place(discord_fake, "dana")
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "Far away"}, user=dana, channel=channel, check_context=True
        )
        msg = await final(ia)
    assert ia.reach.install == "user"
    assert "[w1] reply to: Far away" in msg.embeds[0]["description"]
    assert posts_into(discord_fake, channel) == []


async def test_generate_in_a_group_dm(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    group = discord_fake.add_group_dm(world.alice, world.bob, name="friends")
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await discord_fake.send_slash(
            "generate",
            {"prompt": "Among friends"},
            user=world.alice,
            channel=group,
            check_context=True,
        )
        msg = await final(ia)
    assert ia.reach.context == 2
    assert "[w1] reply to: Among friends" in msg.embeds[0]["description"]
    assert posts_into(discord_fake, group) == []


async def test_a_result_outliving_the_token_goes_to_the_members_dms(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channel, (dana,) = foreign_place(discord_fake, "dana")
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "Slow and far"}, user=dana, channel=channel
        )
        await outlive_the_token(discord_fake, ia)
        await discord_fake.wait_for(
            lambda: any(is_result(m) for m in discord_fake.bot_dms(dana)) or None, timeout=5
        )
        newest = await settled(bot, dana)
    original = ia.original()
    assert original is not None
    assert not is_result(original)
    assert posts_into(discord_fake, channel) == []
    assert not newest.undelivered


async def test_a_refused_dm_leaves_the_result_stored_as_undelivered(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channel, (dana,) = foreign_place(discord_fake, "dana")
    dana.dms_open = False
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "Nobody home"}, user=dana, channel=channel
        )
        await outlive_the_token(discord_fake, ia)
        await dm_refused(discord_fake, dana)
        await settled(bot, dana)
    # The engine settled it: not delivered again at the next start, kept for /history.
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        history = await bot.services.generations.history(dana.id, JobKind.GENERATE, 5, 0)
    assert history[0].undelivered
    assert history[0].delivered_at is not None
    assert [c.status for c in discord_fake.dm_attempts(dana)] == [403]
    assert posts_into(discord_fake, channel) == []


async def test_mod_and_chat_are_offered_only_in_servers_with_the_bot(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    cogs = ("cogs.generate", "cogs.moderation", "cogs.chat", "cogs.help", "cogs.account")
    async with bot_running(discord_fake, fake_horde, tmp_path, *cogs):
        in_dm = discord_fake.commands_offered(1)
        in_group_dm = discord_fake.commands_offered(2)
        user_installed_in_a_server = discord_fake.commands_offered(0, install="user")
        guild_installed = discord_fake.commands_offered(0, install="guild")
        mod, chat = discord_fake.synced_command("mod"), discord_fake.synced_command("chat")
    everywhere = {"generate", "help", "login", "logout"}
    for offered in (in_dm, in_group_dm, user_installed_in_a_server):
        assert everywhere <= set(offered)
        assert not {"mod", "chat"} & set(offered)
    assert {"mod", "chat", *everywhere} <= set(guild_installed)
    assert mod is not None
    assert chat is not None
    assert (mod["contexts"], mod["integration_types"]) == ([0], [0])
    assert (chat["contexts"], chat["integration_types"]) == ([0], [0])


async def test_a_servers_rules_hold_for_a_user_install_in_a_server_with_the_bot(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    other = discord_fake.add_channel(world.guild, "elsewhere", nsfw=False)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.blocked.block(world.guild.id, world.alice.id, world.mod.id)
        await bot.services.guild_settings.add_channel(world.guild.id, world.channel.id)
        blocked = await discord_fake.send_slash(
            "generate", {"prompt": "hi"}, user=world.alice, channel=world.channel, install="user"
        )
        wrong_channel = await discord_fake.send_slash(
            "generate", {"prompt": "hi"}, user=world.bob, channel=other, install="user"
        )
        assert "blocked" in await private_refusal(blocked)
        assert "only generates in" in await private_refusal(wrong_channel)
    assert submits(fake_horde) == []
