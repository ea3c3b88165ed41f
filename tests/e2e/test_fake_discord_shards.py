"""The fake Discord's shards, driven by discord.py's real ``AutoShardedClient``/``AutoShardedBot``:
``GET /gateway/bot``, one session per shard, each guild's events and interactions on its shard
only, and clients (processes) that each run some of the shards."""

from __future__ import annotations

import itertools

import aiohttp
import discord
import pytest
from discord.ext import commands

# The product's log redaction (installed on import, as the bot does): discord.py logs every
# gateway event at DEBUG, interaction tokens included, and the e2e secret guard checks the logs.
from bot import logging_setup as _log_redaction  # noqa: F401
from tests.fakes.discord import FakeDiscord, fast_bot_options, running_bot
from tests.fakes.discord.gateway_session import shard_of


class ShardBot(commands.AutoShardedBot):
    """Answers /where with the shards it runs, and remembers the messages it saw."""

    def __init__(self, **options: object) -> None:
        super().__init__(command_prefix=commands.when_mentioned, **fast_bot_options(), **options)  # type: ignore[arg-type]
        self.seen: list[discord.Message] = []

        @self.tree.command(name="where", description="Which process answers")
        async def where(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"shards {self.shard_ids}")

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)


async def test_gateway_bot_recommends_the_configured_shard_count(discord_fake):
    discord_fake.gateway.shard_count = 3
    discord_fake.add_guild("Only guild")
    async with running_bot(ShardBot(), discord_fake) as bot:
        assert (bot.shard_count, sorted(bot.shards)) == (3, [0, 1, 2])
    assert discord_fake.gateway.identified_shards == [(0, 3), (1, 3), (2, 3)]
    assert len(discord_fake.calls_to("GET", "/gateway/bot")) == 1


async def test_gateway_bot_reports_session_start_limits(discord_fake):
    discord_fake.gateway.max_concurrency = 16
    async with running_bot(ShardBot(), discord_fake) as bot:
        limits = await bot.fetch_session_start_limits()
    assert (limits.max_concurrency, limits.remaining) == (16, 999)


async def test_each_guild_is_created_only_on_its_shard(discord_fake):
    discord_fake.gateway.shard_count = 2
    first = discord_fake.add_guild("On shard 0", shard=0)
    second = discord_fake.add_guild("On shard 1", shard=1)
    async with (
        running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake) as left,
        running_bot(ShardBot(shard_count=2, shard_ids=[1]), discord_fake) as right,
    ):
        assert [g.id for g in left.guilds] == [first.id]
        assert [g.id for g in right.guilds] == [second.id]
    assert (shard_of(first.id, 2), shard_of(second.id, 2)) == (0, 1)


async def test_interaction_reaches_the_client_running_its_guilds_shard(discord_fake):
    discord_fake.gateway.shard_count = 2
    guilds = [discord_fake.add_guild(f"guild {i}", shard=i) for i in range(2)]
    channels = [discord_fake.add_channel(g, "general") for g in guilds]
    alice = discord_fake.add_member(guilds[1], "alice")
    async with (
        running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake),
        running_bot(ShardBot(shard_count=2, shard_ids=[1]), discord_fake),
    ):
        ia = await discord_fake.send_slash("where", {}, user=alice, channel=channels[1])
        assert ((await ia.wait_for_original()).content, ia.shard_id) == ("shards [1]", 1)


async def test_dm_interaction_arrives_on_shard_zero(discord_fake):
    discord_fake.gateway.shard_count = 2
    discord_fake.add_guild("guild", shard=1)
    bob = discord_fake.add_user("bob")
    async with (
        running_bot(ShardBot(shard_count=2, shard_ids=[1]), discord_fake),
        running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake),
    ):
        ia = await discord_fake.send_slash("where", {}, user=bob)
        assert ((await ia.wait_for_original()).content, ia.shard_id) == ("shards [0]", 0)


async def test_interaction_from_a_server_without_the_bot_arrives_on_shard_zero(discord_fake):
    discord_fake.gateway.shard_count = 2
    other = discord_fake.add_foreign_guild("Elsewhere", shard=1)
    carol = discord_fake.add_member(other, "carol")
    async with (
        running_bot(ShardBot(shard_count=2, shard_ids=[1]), discord_fake),
        running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake),
    ):
        channel = discord_fake.add_channel(other, "lounge")
        ia = await discord_fake.send_slash("where", {}, user=carol, channel=channel)
        assert ((await ia.wait_for_original()).content, ia.shard_id) == ("shards [0]", 0)
    assert shard_of(other.id, 2) == 1


async def test_guild_messages_reach_only_their_shard(discord_fake):
    discord_fake.gateway.shard_count = 2
    guild = discord_fake.add_guild("guild", shard=1)
    channel = discord_fake.add_channel(guild, "general")
    alice = discord_fake.add_member(guild, "alice")
    async with (
        running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake) as left,
        running_bot(ShardBot(shard_count=2, shard_ids=[1]), discord_fake) as right,
    ):
        await discord_fake.user_message(channel, "hello", user=alice)
        await discord_fake.wait_for(lambda: right.seen)
        assert left.seen == []
    events = {sid: s.events for sid, s in discord_fake.gateway.sessions.items()}
    assert ("MESSAGE_CREATE" in events[0], "MESSAGE_CREATE" in events[1]) == (False, True)


async def test_interaction_for_a_shard_nobody_runs_is_a_test_error(discord_fake):
    discord_fake.gateway.shard_count = 2
    guild = discord_fake.add_guild("guild", shard=1)
    channel = discord_fake.add_channel(guild, "general")
    alice = discord_fake.add_member(guild, "alice")
    async with running_bot(ShardBot(shard_count=2, shard_ids=[0]), discord_fake):
        with pytest.raises(RuntimeError, match="not connected"):
            await discord_fake.send_slash("where", {}, user=alice, channel=channel)


async def test_one_shard_resumes_while_the_other_keeps_its_session(discord_fake):
    discord_fake.gateway.shard_count = 2
    guild = discord_fake.add_guild("guild", shard=1)
    channel = discord_fake.add_channel(guild, "general")
    alice = discord_fake.add_member(guild, "alice")
    async with running_bot(ShardBot(shard_count=2, shard_ids=[0, 1]), discord_fake):
        shard_zero = discord_fake.gateway.sessions[0].session_id
        await discord_fake.disconnect_gateway(resume=True, shard=1)
        ia = await discord_fake.send_slash("where", {}, user=alice, channel=channel)
        assert (await ia.wait_for_original()).content == "shards [0, 1]"
    assert discord_fake.gateway.resume_count == 1
    assert discord_fake.gateway.sessions[0].session_id == shard_zero


async def test_identify_for_a_shard_outside_the_count_is_closed_4010(discord_fake):
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with running_bot(ShardBot(shard_count=2, shard_ids=[2]), discord_fake):
            pass
    assert closed.value.code == 4010


async def test_too_many_guilds_on_one_shard_is_closed_4011(discord_fake):
    discord_fake.gateway.max_guilds_per_shard = 1
    for name in ("one", "two"):
        discord_fake.add_guild(name, shard=0)
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with running_bot(ShardBot(shard_count=1), discord_fake):
            pass
    assert closed.value.code == 4011


def test_guild_ids_can_be_picked_for_a_shard():
    fake = FakeDiscord()
    fake.gateway.shard_count = 4
    ids = [fake.add_guild(f"g{s}", shard=s).id for s in (3, 1, 0, 2)]
    assert ([shard_of(i, 4) for i in ids], len(set(ids))) == ([3, 1, 0, 2], 4)


async def _raw_identify(fake: FakeDiscord, shard: list[int]) -> dict:
    """IDENTIFY over a bare websocket; the first frame after HELLO (READY or op 9)."""
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        await ws.receive_json()  # HELLO
        identify = {"token": fake.token, "intents": 0, "properties": {}, "shard": shard}
        await ws.send_json({"op": 2, "d": identify})
        return await ws.receive_json()


@pytest.mark.parametrize(("max_concurrency", "second_op"), [(1, 9), (2, 0)])
async def test_identify_rate_is_one_per_bucket_per_five_seconds(
    discord_fake, max_concurrency, second_op
):
    discord_fake.gateway.enforce_identify_rate = True
    discord_fake.gateway.max_concurrency = max_concurrency
    first = await _raw_identify(discord_fake, [0, 2])
    second = await _raw_identify(discord_fake, [1, 2])
    assert (first["t"], second["op"]) == ("READY", second_op)
    discord_fake.clock.advance(5)
    assert (await _raw_identify(discord_fake, [1, 2]))["t"] == "READY"


async def test_sharded_bot_that_waits_between_identifies_is_never_refused(discord_fake):
    discord_fake.gateway.shard_count = 3
    discord_fake.gateway.enforce_identify_rate = True
    bot = ShardBot()

    async def wait_on_the_fake_clock(shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:  # what discord.py's default hook does with a real 5 s sleep
            discord_fake.clock.advance(5)

    bot.before_identify_hook = wait_on_the_fake_clock  # type: ignore[method-assign]
    async with running_bot(bot, discord_fake, fast_reidentify=False):
        pass
    times = [r.at for r in discord_fake.gateway.identifies]
    assert (discord_fake.gateway.identified_shards, discord_fake.gateway.rejected_identifies) == (
        [(0, 3), (1, 3), (2, 3)],
        0,
    )
    assert all(later - earlier >= 5 for earlier, later in itertools.pairwise(times))
