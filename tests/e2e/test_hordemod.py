"""/hordemod through both fakes: works with a Horde moderator's registered key only."""

from __future__ import annotations

from typing import Any

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde

IPADDR_PATH = "/v2/operations/ipaddr"
NOT_MODERATOR = "not a Horde moderator"


# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.hordemod"


@pytest.fixture
async def moderator(bot: HordeBot, fake_horde: FakeHorde, world: World) -> None:
    await log_in(bot, world.alice, fake_horde.add_user("alice", moderator=True))


@pytest.fixture
async def ordinary(bot: HordeBot, fake_horde: FakeHorde, world: World) -> None:
    await log_in(bot, world.alice, fake_horde.add_user("alice", moderator=False))


async def hordemod(
    discord_fake: FakeDiscord, world: World, command: str, **options: Any
) -> FakeMessage:
    ia = await discord_fake.send_slash(
        f"hordemod {command}", options, user=world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.content))
    assert msg.ephemeral
    return msg


@pytest.mark.usefixtures("moderator")
async def test_modes_shows_every_mode_to_a_horde_moderator(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.raid_mode = True
    msg = await hordemod(discord_fake, world, "modes show")
    assert "Maintenance mode: off" in msg.content
    assert "Invite-only mode: off" in msg.content
    assert "Raid mode: **on**" in msg.content


@pytest.mark.usefixtures("ordinary")
async def test_modes_for_a_non_moderator_is_explained_plainly(
    discord_fake: FakeDiscord, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "modes show")
    assert NOT_MODERATOR in msg.content


@pytest.mark.usefixtures("bot")
async def test_hordemod_without_login_asks_to_log_in(
    discord_fake: FakeDiscord, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "modes show")
    assert "/login" in msg.content


@pytest.mark.usefixtures("moderator")
async def test_an_empty_timeout_list_says_so(discord_fake: FakeDiscord, world: World) -> None:
    msg = await hordemod(discord_fake, world, "ip-timeouts list")
    assert "No IP address is in timeout" in msg.content


@pytest.mark.usefixtures("moderator")
async def test_adding_a_timeout_puts_the_ip_in_timeout(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "ip-timeouts add", ipaddr="203.0.113.7", hours=2)
    assert "203.0.113.7" in msg.content
    assert fake_horde.ip_timeouts["203.0.113.7"] == pytest.approx(
        fake_horde.clock.time() + 7200, abs=5
    )


@pytest.mark.usefixtures("moderator")
async def test_the_list_shows_timeouts_with_their_time_left(
    discord_fake: FakeDiscord, world: World
) -> None:
    await hordemod(discord_fake, world, "ip-timeouts add", ipaddr="198.51.100.0/24", hours=3)
    msg = await hordemod(discord_fake, world, "ip-timeouts list")
    assert "`198.51.100.0/24`" in msg.content
    assert "2 h 59 min left" in msg.content or "3 h 0 min left" in msg.content


@pytest.mark.usefixtures("moderator")
async def test_removing_a_timeout_lifts_it(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await hordemod(discord_fake, world, "ip-timeouts add", ipaddr="203.0.113.7", hours=2)
    msg = await hordemod(discord_fake, world, "ip-timeouts remove", ipaddr="203.0.113.7")
    assert "lifted" in msg.content
    assert "203.0.113.7" not in fake_horde.ip_timeouts


@pytest.mark.usefixtures("moderator")
async def test_something_that_is_not_an_ip_is_refused_before_asking_the_horde(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "ip-timeouts add", ipaddr="not-an-ip", hours=2)
    assert "not an IP address" in msg.content
    assert fake_horde.requests_to(IPADDR_PATH) == []


@pytest.mark.usefixtures("ordinary")
async def test_a_non_moderator_cannot_add_a_timeout(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "ip-timeouts add", ipaddr="203.0.113.7", hours=2)
    assert NOT_MODERATOR in msg.content
    assert fake_horde.ip_timeouts == {}


@pytest.mark.usefixtures("ordinary")
async def test_a_non_moderator_cannot_list_timeouts(
    discord_fake: FakeDiscord, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "ip-timeouts list")
    assert NOT_MODERATOR in msg.content
