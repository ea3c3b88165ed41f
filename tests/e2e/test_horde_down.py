"""The AI Horde unreachable when the bot starts: it still serves, says so, and the generations
it accepts meanwhile go out once the Horde is back.

"Unreachable" is a port nothing listens on; the fake Horde is started on that same port later,
so the bot reaches it without a restart.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import open_bot
from bot.bot import HordeBot
from tests.e2e.bot_process import free_port
from tests.e2e.botkit import MANAGE_GUILD
from tests.e2e.generate_support import (
    FERNET_KEY,
    MODEL,
    final,
    generate,
    generate_settings,
    make_world,
)
from tests.fakes.discord import FakeDiscord, running_bot
from tests.fakes.horde import FakeHorde

WAITING = "The AI Horde cannot be reached right now"


@pytest.fixture
async def down_horde() -> AsyncIterator[FakeHorde]:
    """A fake Horde not started yet: ``base_url`` names a port nothing listens on."""
    horde = FakeHorde()
    horde.port = free_port()
    horde.base_url = f"http://127.0.0.1:{horde.port}/api"
    try:
        yield horde
    finally:
        await horde.close()


@contextlib.asynccontextmanager
async def serving(
    discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path
) -> AsyncIterator[HordeBot]:
    """The bot with /generate, /status and /mod, on the fake Horde's clock."""
    settings = generate_settings(data_dir, horde, FERNET_KEY)
    extensions = ("cogs.generate", "cogs.status", "cogs.moderation")
    async with open_bot(
        settings, clock=horde.clock, extensions=extensions, edit_interval=0.05
    ) as bot:
        bot._connection.guild_ready_timeout = 0.05
        async with running_bot(bot, discord_fake) as ready:
            yield ready


async def test_the_bot_serves_without_the_horde_and_generations_go_out_when_it_is_back(
    tmp_path: Path, discord_fake: FakeDiscord, down_horde: FakeHorde
) -> None:
    world = make_world(discord_fake)
    async with serving(discord_fake, down_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Anyone home?")
        waiting = await ia.wait_for_original(lambda m: WAITING in m.content, timeout=40)
        assert "goes out by itself as soon as the Horde is back" in waiting.content

        status = await discord_fake.send_slash("status", {}, user=world.bob, channel=world.channel)
        shown = await status.wait_for_original(
            lambda m: not m.loading and (bool(m.embeds) or bool(m.content)), timeout=30
        )
        status_text = shown.text()

        admin = discord_fake.add_member(world.guild, "admin", permissions=MANAGE_GUILD)
        mod = await discord_fake.send_slash("mod status", {}, user=admin, channel=world.channel)
        health = await mod.wait_for_original(lambda m: not m.loading and bool(m.embeds), timeout=30)
        fields = {f["name"]: f["value"] for f in health.embeds[0]["fields"]}

        down_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
        await down_horde.start(port=down_horde.port)
        # The submit backs off up to a minute between tries: jump the bot's clock instead.
        down_horde.clock.advance(60)
        msg = await final(ia, timeout=20)
    assert "reply to: Anyone home?" in msg.embeds[0]["description"]
    assert len(down_horde.requests_to("/v2/generate/text/async", "POST")) == 1
    assert "The AI Horde cannot be reached right now" in status_text
    assert "error id" not in status_text.lower()
    assert fields["AI Horde"] == (
        "unreachable: new generations wait in the bot's queue until it is back"
    )
    assert "1 queued in the bot" in fields["Generations"]
