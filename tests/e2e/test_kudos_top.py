"""/kudos top through both fakes: the Horde's public kudos leaderboard."""

from __future__ import annotations

import pytest

from tests.e2e.botkit import World
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde

COG = "cogs.kudos"


async def top(discord_fake: FakeDiscord, world: World, **options: object) -> FakeMessage:
    ia = await discord_fake.send_slash(
        "kudos top", options, user=world.alice, channel=world.channel
    )
    return await ia.wait_for_original(lambda m: bool(m.embeds) or bool(m.content))


@pytest.mark.usefixtures("bot")
async def test_top_ranks_users_by_kudos_without_a_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_user("rich", kudos=90_000)
    fake_horde.add_user("middle", kudos=5_000)
    fake_horde.add_user("poor", kudos=10)
    msg = await top(discord_fake, world)
    text = msg.text()
    assert "**1.** rich#1 — 90,000 kudos" in text
    assert text.index("rich#1") < text.index("middle#2") < text.index("poor#3")
    assert all("apikey" not in r.headers for r in fake_horde.requests_to("/v2/users"))


@pytest.mark.usefixtures("bot")
async def test_the_second_page_continues_the_ranks(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    for i in range(30):
        fake_horde.add_user(f"u{i:02d}", kudos=10_000 - i)
    msg = await top(discord_fake, world, page=2)
    assert "page 2" in msg.text()
    assert "**26.** u25#26" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_a_hostile_username_cannot_ping_or_format(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_user("@everyone **bold** <@1>", kudos=10**9)
    msg = await top(discord_fake, world)
    assert "@everyone" not in msg.text()
    assert "<@1>" not in msg.text()
    assert "\\*\\*bold\\*\\*" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_a_page_past_the_end_says_so(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await top(discord_fake, world, page=50)
    assert "No users on this page" in msg.text()
