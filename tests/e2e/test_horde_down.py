"""The AI Horde unreachable when the bot starts: it still serves, says so, and the generations
it accepts meanwhile go out once the Horde is back.

"Unreachable" is a port nothing listens on (``down_fake_horde``); the fake Horde is started on
that same port later, so the bot reaches it without a restart.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.botkit import MANAGE_GUILD
from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

WAITING = "The AI Horde cannot be reached right now"
EXTENSIONS = ("cogs.generate", "cogs.status", "cogs.moderation")


async def test_the_bot_serves_without_the_horde_and_generations_go_out_when_it_is_back(
    tmp_path: Path, discord_fake: FakeDiscord, down_fake_horde: FakeHorde
) -> None:
    world = make_world(discord_fake)
    async with generate_bot(discord_fake, down_fake_horde, tmp_path, extensions=EXTENSIONS):
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

        down_fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
        await down_fake_horde.start(port=down_fake_horde.port)
        # The submit backs off up to a minute between tries: jump the bot's clock instead.
        down_fake_horde.clock.advance(60)
        msg = await final(ia, timeout=20)
    assert "reply to: Anyone home?" in msg.embeds[0]["description"]
    assert len(down_fake_horde.requests_to("/v2/generate/text/async", "POST")) == 1
    assert "The AI Horde cannot be reached right now" in status_text
    assert "error id" not in status_text.lower()
    assert fields["AI Horde"] == (
        "unreachable: new generations wait in the bot's queue until it is back"
    )
    assert "1 queued in the bot" in fields["Generations"]
