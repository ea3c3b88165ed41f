"""/help with every extension loaded lists the write-side commands and still fits one embed."""

from __future__ import annotations

from pathlib import Path

from bot.bot import EXTENSIONS
from tests.e2e.botkit import bot_running, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

WRITE_SIDE_A = (
    "/workers manage",
    "/team create",
    "/team info",
    "/team edit",
    "/team delete",
    "/kudos top",
    "/hordemod user info",
    "/hordemod user set",
    "/hordemod worker-message send",
    "/hordemod worker-message list",
    "/hordemod worker-message delete",
    "/hordemod worker pause",
    "/hordemod worker unpause",
    "/hordemod modes set",
)


async def test_help_lists_every_command_of_every_extension(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *EXTENSIONS):
        ia = await discord_fake.send_slash("help", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    text = ia.original().text()
    for command in WRITE_SIDE_A:
        assert f"`{command}`" in text
