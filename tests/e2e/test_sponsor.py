"""Server sponsorship through both fakes: /mod sponsor set|status|clear, and whose key pays.

Key order for a member in a server: their own key, then the server's sponsor key, then
HORDE_DEFAULT_API_KEY — checked by the key the fake Horde received with each submit. A sponsor
key is used only in its own server; one the Horde stops accepting is reported once to the
log channel and then skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import discord

from bot.bot import HordeBot
from tests.e2e import chat_support as chat
from tests.e2e.botkit import private_answer
from tests.e2e.generate_support import (
    engine_idle,
    generate,
    generate_bot,
    log_in,
    make_world,
    submits,
)
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde, User

MODEL = "koboldcpp/fake-13B"
KEY_FIELD = "sponsor-apikey"
ANON = "0000000000"
MANAGE_GUILD = discord.Permissions(manage_guild=True).value


@contextlib.asynccontextmanager
async def sponsor_bot(
    discord_fake: FakeDiscord, horde: FakeHorde, tmp_path: Path
) -> AsyncIterator[HordeBot]:
    horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with generate_bot(
        discord_fake, horde, tmp_path, extensions=("cogs.generate", "cogs.moderation")
    ) as bot:
        yield bot


async def sponsor_set(
    discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, key: str
) -> FakeMessage:
    opened = await discord_fake.send_slash("mod sponsor set", {}, user=user, channel=channel)
    assert await opened.wait_for_response() == 9  # a modal: the key is never an option
    submitted = await discord_fake.submit_modal(opened, {KEY_FIELD: key}, user=user)
    msg = await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))
    assert msg.ephemeral
    return msg


async def mod(
    discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, command: str
) -> FakeMessage:
    return await private_answer(discord_fake, f"mod {command}", {}, user=user, channel=channel)


def moderator(discord_fake: FakeDiscord, guild: object) -> FakeUser:
    return discord_fake.add_member(guild, "sponsor-mod", permissions=MANAGE_GUILD)  # type: ignore[arg-type]


async def run(discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel) -> FakeMessage:
    ia = await generate(discord_fake, user, channel, "Hello", model=MODEL)
    return await ia.wait_for_original(lambda m: "Done" in m.content or "❌" in m.content, timeout=8)


async def test_own_key_beats_sponsor_beats_default(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    sponsor: User = fake_horde.add_user("patron", kudos=5000)
    alice_h = fake_horde.add_user("alice")
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        msg = await sponsor_set(discord_fake, boss, world.channel, sponsor.apikey)
        assert "patron" in msg.content
        assert "stored" in msg.content
        await log_in(bot, world.alice, alice_h)
        assert "Done" in (await run(discord_fake, world.alice, world.channel)).content
        assert "Done" in (await run(discord_fake, world.bob, world.channel)).content
        # A DM: no server, so no sponsor.
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "Hi", "model": MODEL}, user=world.carol, channel=None
        )
        await ia.wait_for_original(lambda m: "Done" in m.content, timeout=8)
        await engine_idle(bot)
    assert submits(fake_horde) == [alice_h.apikey, sponsor.apikey, ANON]


async def test_sponsor_key_is_never_used_in_another_server(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    other = discord_fake.add_guild("Other Guild")
    other_channel = discord_fake.add_channel(other, "general")
    stranger = discord_fake.add_member(other, "stranger")
    sponsor = fake_horde.add_user("patron")
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        await sponsor_set(discord_fake, boss, world.channel, sponsor.apikey)
        assert "Done" in (await run(discord_fake, stranger, other_channel)).content
        await engine_idle(bot)
    assert submits(fake_horde) == [ANON]


async def test_refused_key_is_not_stored(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        msg = await sponsor_set(discord_fake, boss, world.channel, "not-a-real-key-0123")
        assert "does not recognise" in msg.content
        assert "Nothing was stored" in msg.content
        assert await bot.services.sponsors.info(world.guild.id) is None
        expired = fake_horde.records.add_shared_key(fake_horde.add_user("old"), expiry=1.0)
        msg = await sponsor_set(discord_fake, boss, world.channel, expired.id)
        assert "expired" in msg.content
        assert "Nothing was stored" in msg.content
        msg = await sponsor_set(discord_fake, boss, world.channel, ANON)
        assert "anonymous" in msg.content
        assert await bot.services.sponsors.info(world.guild.id) is None


async def test_member_without_manage_server_cannot_set_a_sponsor(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        ia = await discord_fake.send_slash(
            "mod sponsor set", {}, user=world.alice, channel=world.channel
        )
        msg = await ia.wait_for_original(lambda m: bool(m.content))
        assert "Manage Guild" in msg.content
        assert msg.ephemeral
        assert ia.modal is None
        assert await bot.services.sponsors.info(world.guild.id) is None


async def test_status_names_the_owner_and_kudos_left_never_the_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    owner = fake_horde.add_user("patron")
    shared = fake_horde.records.add_shared_key(owner, kudos=300, utilized=100, name="party")
    async with sponsor_bot(discord_fake, fake_horde, tmp_path):
        msg = await mod(discord_fake, boss, world.channel, "sponsor status")
        assert "No sponsor key is set" in msg.content
        await sponsor_set(discord_fake, boss, world.channel, shared.id)
        msg = await mod(discord_fake, boss, world.channel, "sponsor status")
        assert "shared key of **patron" in msg.content
        assert "200 of 300 kudos left" in msg.content
        assert "never expires" in msg.content
        health = await mod(discord_fake, boss, world.channel, "status")
        fields = {f["name"]: f["value"] for f in health.embeds[0]["fields"]}
        assert fields["Sponsor key"].startswith("shared key of patron")
        msg = await mod(discord_fake, boss, world.channel, "sponsor clear")
        assert "Cleared the sponsor key" in msg.content
        health = await mod(discord_fake, boss, world.channel, "status")
        fields = {f["name"]: f["value"] for f in health.embeds[0]["fields"]}
        assert fields["Sponsor key"] == "none"
        msg = await mod(discord_fake, boss, world.channel, "sponsor clear")
        assert "No sponsor key was set" in msg.content


async def test_revoked_sponsor_key_is_reported_once_then_skipped(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    log_channel = discord_fake.add_channel(world.guild, "mod-log")
    shared = fake_horde.records.add_shared_key(fake_horde.add_user("patron"))
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.guild_settings.update(world.guild.id, log_channel_id=log_channel.id)
        await sponsor_set(discord_fake, boss, world.channel, shared.id)
        del fake_horde.records.shared_keys[shared.id]  # the owner deleted it on the Horde
        first = await run(discord_fake, world.alice, world.channel)
        assert "sponsor key" in first.content
        assert "until a moderator sets a new one" in first.content
        await discord_fake.wait_for_message(log_channel, lambda m: "sponsor key" in m.content)
        assert "Done" in (await run(discord_fake, world.bob, world.channel)).content
        assert "Done" in (await run(discord_fake, world.alice, world.channel)).content
        await engine_idle(bot)
        notices = [m for m in discord_fake.messages_in(log_channel) if "no longer" in m.content]
        assert len(notices) == 1
        status = await mod(discord_fake, boss, world.channel, "sponsor status")
        assert "stopped accepting" in status.content
    assert submits(fake_horde) == [shared.id, ANON, ANON]


async def test_empty_shared_sponsor_key_is_revoked_with_its_reason(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    log_channel = discord_fake.add_channel(world.guild, "mod-log")
    shared = fake_horde.records.add_shared_key(fake_horde.add_user("patron"), kudos=10)
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.guild_settings.update(world.guild.id, log_channel_id=log_channel.id)
        await sponsor_set(discord_fake, boss, world.channel, shared.id)
        shared.utilized = 10  # spent since it was set
        msg = await run(discord_fake, world.alice, world.channel)
        assert "has no kudos left" in msg.content
        assert "sponsor key" in msg.content
        notice = await discord_fake.wait_for_message(log_channel, lambda m: "kudos" in m.content)
        assert "/mod sponsor set" in notice.content
        # Setting a key again makes the sponsor usable again.
        fresh = fake_horde.records.add_shared_key(fake_horde.add_user("patron2"))
        await sponsor_set(discord_fake, boss, world.channel, fresh.id)
        assert "Done" in (await run(discord_fake, world.bob, world.channel)).content
        await engine_idle(bot)
    assert submits(fake_horde) == [shared.id, fresh.id]


async def test_sponsor_concurrency_limit_is_worded_for_the_sponsor(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    sponsor = fake_horde.add_user("patron", concurrency=1)
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        await sponsor_set(discord_fake, boss, world.channel, sponsor.apikey)
        ia = await generate(discord_fake, world.alice, world.channel, "Many", model=MODEL, n=2)
        msg = await ia.wait_for_original(lambda m: "❌" in m.content, timeout=8)
        assert "server's sponsor key" in msg.content
        assert "/login" in msg.content
        assert await bot.services.sponsors.usable(world.guild.id) is not None  # not revoked


async def test_regenerate_and_continue_follow_the_same_key_order(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = moderator(discord_fake, world.guild)
    sponsor = fake_horde.add_user("patron")
    alice_h = fake_horde.add_user("alice")
    async with sponsor_bot(discord_fake, fake_horde, tmp_path) as bot:
        await sponsor_set(discord_fake, boss, world.channel, sponsor.apikey)
        await log_in(bot, world.alice, alice_h)
        first = await run(discord_fake, world.alice, world.channel)
        again = await discord_fake.click(first, label="Regenerate", user=world.bob)
        await again.wait_for_original(lambda m: "Done" in m.content, timeout=8)
        more = await discord_fake.click(first, label="Continue", user=world.alice)
        await more.wait_for_original(lambda m: "Done" in m.content, timeout=8)
        await engine_idle(bot)
    assert submits(fake_horde) == [alice_h.apikey, sponsor.apikey, alice_h.apikey]


async def test_chat_turns_follow_the_same_key_order(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[chat.MODEL], seconds_per_job=0.02)
    sponsor = fake_horde.add_user("patron")
    bob_h = fake_horde.add_user("bob")
    world = chat.make_world(discord_fake)
    async with (
        chat.reference_server() as (url, _),
        chat.chat_bot(discord_fake, fake_horde, tmp_path, url) as bot,
    ):
        await bot.services.sponsors.save(
            world.guild.id,
            sponsor.apikey,
            is_shared_key=False,
            owner_username=sponsor.username,
            set_by=world.mod.id,
        )
        await log_in(bot, world.bob, bob_h)
        thread = await chat.start_chat(discord_fake, world)
        await chat.say(discord_fake, thread, world.alice, "Hello")
        await chat.reply_done(discord_fake, thread, 1)
        await chat.say(discord_fake, thread, world.bob, "Hi")
        await chat.reply_done(discord_fake, thread, 2)
    assert submits(fake_horde) == [sponsor.apikey, bob_h.apikey]
