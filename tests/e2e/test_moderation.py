"""/mod through both fakes: who may use it, what it shows, and the rules /generate then follows.

/generate itself is another cog; here the rules are checked through ``bot.policy``, which
/generate calls, on the very services the /mod commands wrote to.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from bot.bot import HordeBot
from bot.errors import BlockedMember, NotAllowedHere
from bot.generation import GenerationRequest, GenerationService
from bot.policy import GenerationPolicy, check_generate
from tests.e2e.botkit import World, log_in
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeInteraction, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde

# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.moderation"


async def mod(
    discord_fake: FakeDiscord,
    world: World,
    command: str,
    invoker: FakeUser | None = None,
    **options: Any,
) -> FakeMessage:
    """Run ``/mod <command>`` as ``invoker`` (the moderator by default) and return the answer."""
    ia = await discord_fake.send_slash(
        f"mod {command}", options, user=invoker or world.mod, channel=world.channel
    )
    return await answer(ia)


async def answer(ia: FakeInteraction) -> FakeMessage:
    msg = await ia.wait_for_original(
        lambda m: not m.loading and (bool(m.content) or bool(m.embeds))
    )
    assert msg.ephemeral
    return msg


async def policy_for(
    bot: HordeBot, world: World, *, user: FakeUser | None = None, channel: FakeChannel | None = None
) -> GenerationPolicy:
    where = channel or world.channel
    return await check_generate(
        bot.services,
        guild_id=world.guild.id,
        channel_id=where.id,
        channel_nsfw=where.nsfw,
        user_id=(user or world.alice).id,
        record_use=False,
    )


# --- who may use /mod -------------------------------------------------------------------


@pytest.mark.usefixtures("bot")
async def test_a_member_without_manage_server_is_refused_at_run_time(
    discord_fake: FakeDiscord, world: World
) -> None:
    # The fake Discord does not apply default permissions, exactly like a server whose
    # admins overrode them: the run-time check must still refuse.
    msg = await mod(discord_fake, world, "block", invoker=world.alice, user=world.bob)
    assert "Manage Guild" in msg.content
    assert world.bot is not None
    assert not await world.bot.services.blocked.is_blocked(world.guild.id, world.bob.id)


@pytest.mark.usefixtures("bot")
async def test_mod_status_is_refused_to_a_member_without_manage_server(
    discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "status", invoker=world.alice)
    assert "Manage Guild" in msg.content
    assert not msg.embeds


@pytest.mark.usefixtures("bot")
async def test_mod_is_registered_with_manage_server_as_default_and_guild_only(
    discord_fake: FakeDiscord,
) -> None:
    synced = discord_fake.synced_commands["global"]
    command = next(c for c in synced if c["name"] == "mod")
    assert (
        int(command["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    )
    assert command["dm_permission"] is False


async def test_mod_in_direct_messages_is_refused(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    ia = await discord_fake.send_slash("mod status", {}, user=world.mod, channel=None)
    msg = await ia.wait_for_original(lambda m: bool(m.content))
    assert "only works in a server" in msg.content


# --- status -----------------------------------------------------------------------------


async def test_mod_status_shows_the_bots_health(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await log_in(bot, world.alice, fake_horde.add_user("alice"))
    await log_in(bot, world.bob, fake_horde.add_user("bob"))
    msg = await mod(discord_fake, world, "status")
    fields = {f["name"]: f["value"] for f in msg.embeds[0]["fields"]}
    assert fields["Registered users"] == "2"
    assert fields["AI Horde"] == f"OK, version {fake_horde.version}"
    assert fields["Uptime"].endswith(" s") or "min" in fields["Uptime"]
    assert fields["Gateway latency"]
    assert "Generations" in fields
    assert "KiB" in fields["Database"] or "MiB" in fields["Database"]
    assert "Channels: every channel" in fields["This server"]


async def test_mod_status_says_when_the_horde_is_unreachable(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.inject_fault("GET", "/v2/status/heartbeat", kind="503", count=None)
    msg = await mod(discord_fake, world, "status")
    fields = {f["name"]: f["value"] for f in msg.embeds[0]["fields"]}
    assert fields["AI Horde"].startswith("unreachable")


async def test_mod_status_counts_generations_in_flight(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    engine = await attach_generation_service(bot)
    try:
        await submit_waiting_job(engine, fake_horde, world)
        msg = await mod(discord_fake, world, "status")
    finally:
        await engine.close()
    fields = {f["name"]: f["value"] for f in msg.embeds[0]["fields"]}
    assert fields["Generations"].startswith("1 in flight")


# --- block / unblock --------------------------------------------------------------------


async def test_a_blocked_member_is_refused_by_the_generate_policy(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "block", user=world.alice)
    assert "Blocked" in msg.content
    with pytest.raises(BlockedMember):
        await policy_for(bot, world)


async def test_an_unblocked_member_may_generate_again(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "block", user=world.alice)
    msg = await mod(discord_fake, world, "unblock", user=world.alice)
    assert "Unblocked" in msg.content
    assert (await policy_for(bot, world)).max_in_flight >= 1


@pytest.mark.usefixtures("bot")
async def test_unblocking_a_member_who_was_not_blocked_says_so(
    discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "unblock", user=world.alice)
    assert "was not blocked" in msg.content


async def test_a_moderator_cannot_block_themselves(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "block", user=world.mod)
    assert "yourself" in msg.content
    assert not await bot.services.blocked.is_blocked(world.guild.id, world.mod.id)


# --- channels ---------------------------------------------------------------------------


async def test_generate_outside_the_allowed_channels_is_refused(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    allowed = discord_fake.add_channel(world.guild, "bot-spam")
    await mod(discord_fake, world, "channels add", channel=allowed)
    with pytest.raises(NotAllowedHere):
        await policy_for(bot, world, channel=world.channel)
    assert (await policy_for(bot, world, channel=allowed)).max_in_flight >= 1


async def test_channels_list_shows_the_allowed_channels(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    allowed = discord_fake.add_channel(world.guild, "bot-spam")
    await mod(discord_fake, world, "channels add", channel=allowed)
    msg = await mod(discord_fake, world, "channels list")
    assert f"<#{allowed.id}>" in msg.content


async def test_channels_remove_takes_a_channel_off_the_list(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    first = discord_fake.add_channel(world.guild, "one")
    second = discord_fake.add_channel(world.guild, "two")
    await mod(discord_fake, world, "channels add", channel=first)
    await mod(discord_fake, world, "channels add", channel=second)
    await mod(discord_fake, world, "channels remove", channel=first)
    settings = await bot.services.guild_settings.get(world.guild.id)
    assert settings.allowed_channel_ids == frozenset({second.id})


async def test_channels_clear_allows_every_channel_again(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    allowed = discord_fake.add_channel(world.guild, "bot-spam")
    await mod(discord_fake, world, "channels add", channel=allowed)
    await mod(discord_fake, world, "channels clear")
    assert (await policy_for(bot, world, channel=world.channel)).max_in_flight >= 1


# --- limits, defaults, nsfw -------------------------------------------------------------


async def test_limits_are_stored_and_applied(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "limits", in_flight=1, max_length_cap=100, cooldown=30)
    assert "max_length cap: 100" in msg.content
    policy = await policy_for(bot, world)
    assert (policy.max_in_flight, policy.max_length_cap, policy.max_length) == (1, 100, 100)
    settings = await bot.services.guild_settings.get(world.guild.id)
    assert settings.cooldown_seconds == 30


async def test_zero_clears_a_limit(bot: HordeBot, discord_fake: FakeDiscord, world: World) -> None:
    await mod(discord_fake, world, "limits", max_length_cap=100)
    await mod(discord_fake, world, "limits", max_length_cap=0)
    assert (await policy_for(bot, world)).max_length_cap is None


@pytest.mark.usefixtures("bot")
async def test_limits_without_options_show_the_current_settings(
    discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "limits", cooldown=12)
    msg = await mod(discord_fake, world, "limits")
    assert "Current settings" in msg.content
    assert "Cooldown: 12 s" in msg.content


async def test_a_cap_below_the_horde_minimum_is_refused(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    msg = await mod(discord_fake, world, "limits", max_length_cap=8)
    assert "at least 16" in msg.content
    assert (await policy_for(bot, world)).max_length_cap is None


async def test_defaults_set_the_model_and_max_length(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "defaults", model="koboldcpp/m1", max_length=200)
    policy = await policy_for(bot, world)
    assert (policy.default_model, policy.max_length) == ("koboldcpp/m1", 200)


async def test_defaults_model_any_clears_the_model(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "defaults", model="koboldcpp/m1")
    await mod(discord_fake, world, "defaults", model="any")
    assert (await policy_for(bot, world)).default_model is None


@pytest.mark.usefixtures("bot")
async def test_defaults_autocomplete_offers_served_models(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("w1", models=["koboldcpp/alpha", "koboldcpp/beta"])
    choices = await discord_fake.autocomplete(
        "mod defaults", {"model": "alp"}, focused="model", user=world.mod, channel=world.channel
    )
    assert [c["value"] for c in choices] == ["koboldcpp/alpha"]


async def test_nsfw_on_refuses_channels_that_are_not_age_restricted(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "nsfw", enabled=True)
    with pytest.raises(NotAllowedHere):
        await policy_for(bot, world, channel=world.channel)
    adult = discord_fake.add_channel(world.guild, "adult", nsfw=True)
    assert (await policy_for(bot, world, channel=adult)).max_in_flight >= 1


async def test_nsfw_off_allows_every_channel_again(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    await mod(discord_fake, world, "nsfw", enabled=True)
    await mod(discord_fake, world, "nsfw", enabled=False)
    assert (await policy_for(bot, world, channel=world.channel)).max_in_flight >= 1


# --- log channel ------------------------------------------------------------------------


@pytest.mark.usefixtures("bot")
async def test_moderator_actions_are_posted_to_the_log_channel(
    discord_fake: FakeDiscord, world: World
) -> None:
    log_channel = discord_fake.add_channel(world.guild, "mod-log")
    await mod(discord_fake, world, "log-channel", channel=log_channel)
    await mod(discord_fake, world, "block", user=world.alice, reason="spamming")
    posted = await discord_fake.wait_for_message(log_channel, lambda m: "Blocked" in m.content)
    assert "spamming" in posted.content
    assert f"<@{world.mod.id}>" in posted.content
    assert posted.allowed_mentions is not None
    assert posted.allowed_mentions["parse"] == []


@pytest.mark.usefixtures("bot")
async def test_without_a_log_channel_nothing_is_posted(
    discord_fake: FakeDiscord, world: World
) -> None:
    log_channel = discord_fake.add_channel(world.guild, "mod-log")
    await mod(discord_fake, world, "log-channel", channel=log_channel)
    await mod(discord_fake, world, "log-channel")
    before = len(discord_fake.messages_in(log_channel))
    await mod(discord_fake, world, "block", user=world.alice)
    assert len(discord_fake.messages_in(log_channel)) == before


# --- cancel -----------------------------------------------------------------------------


async def attach_generation_service(bot: HordeBot) -> GenerationService:
    """The engine the bot runs (bot.app builds and starts it)."""
    return bot.services.generations


async def submit_waiting_job(engine: GenerationService, horde: FakeHorde, world: World) -> int:
    """A job for alice that waits on the Horde (no worker serves it)."""
    job_id = await engine.submit(
        GenerationRequest(prompt="hello", user_id=world.alice.id, guild_id=world.guild.id),
        apikey="0000000000",
        listener=_Quiet(),
    )
    await _until(
        lambda: (snap := engine.snapshot(job_id)) is not None and snap.horde_id is not None
    )
    return job_id


class _Quiet:
    async def on_update(self, snapshot: object) -> None:
        return None


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_cancel_user_cancels_the_members_generations(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    engine = await attach_generation_service(bot)
    try:
        await submit_waiting_job(engine, fake_horde, world)
        msg = await mod(discord_fake, world, "cancel", user=world.alice)
        assert "Cancelled 1 generation" in msg.content
        assert fake_horde.requests_to("/v2/generate/text/status", "DELETE")
        assert engine.in_flight == 0
    finally:
        await engine.close()


async def test_cancel_user_without_generations_says_so(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    engine = await attach_generation_service(bot)
    try:
        msg = await mod(discord_fake, world, "cancel", user=world.bob)
        assert "has no generation running" in msg.content
    finally:
        await engine.close()
