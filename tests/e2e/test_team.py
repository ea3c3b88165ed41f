"""/team create|info|edit|delete through both fakes, including the Horde's refusals."""

from __future__ import annotations

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in, private_answer, view_ready
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde
from tests.fakes.horde.models import User

COG = "cogs.team"


@pytest.fixture
async def trusted(bot: HordeBot, fake_horde: FakeHorde, world: World) -> User:
    user = fake_horde.add_user("alice", trusted=True)
    await log_in(bot, world.alice, user)
    return user


async def team(
    discord_fake: FakeDiscord, world: World, command: str, **options: object
) -> FakeMessage:
    return await private_answer(
        discord_fake, f"team {command}", options, user=world.alice, channel=world.channel
    )


@pytest.mark.usefixtures("trusted")
async def test_create_makes_the_team_and_it_autocompletes_at_once(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await team(discord_fake, world, "create", name="Night Owls", info="We run at night")
    assert "Team **Night Owls** created" in msg.content
    made = next(t for t in fake_horde.teams.values() if t.name == "Night Owls")
    assert made.info == "We run at night"
    choices = await discord_fake.autocomplete(
        "team info", {"team": "night"}, focused="team", user=world.alice, channel=world.channel
    )
    assert choices == [{"name": "Night Owls", "value": made.id}]


@pytest.mark.usefixtures("trusted")
async def test_a_taken_team_name_is_refused_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_team("Night Owls")
    msg = await team(discord_fake, world, "create", name="Night Owls")
    assert "A team with that name already exists" in msg.content
    assert len(fake_horde.teams) == 1


async def test_an_untrusted_account_cannot_create_a_team(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await log_in(bot, world.alice, fake_horde.add_user("alice"))
    msg = await team(discord_fake, world, "create", name="Mine")
    assert "Only trusted Horde accounts can create teams" in msg.content
    assert fake_horde.teams == {}


@pytest.mark.usefixtures("bot")
async def test_create_without_login_sends_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await team(discord_fake, world, "create", name="Mine")
    assert "/login" in msg.content
    assert fake_horde.requests_to("/v2/teams") == []


@pytest.mark.usefixtures("trusted")
async def test_a_blank_name_is_refused_before_sending(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await team(discord_fake, world, "create", name="   ")
    assert "cannot be empty" in msg.content
    assert fake_horde.requests_to("/v2/teams") == []


@pytest.mark.usefixtures("bot")
async def test_info_by_name_shows_the_team_without_a_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    owls = fake_horde.add_team("Night Owls", info="**Nocturnal** @everyone")
    fake_horde.add_worker("owl-1", team=owls)
    msg = await team(discord_fake, world, "info", team="night owls")
    text = msg.text()
    assert "Night Owls" in text
    assert owls.id in text
    assert "\\*\\*Nocturnal\\*\\*" in text
    assert "@everyone" not in text
    assert all("apikey" not in r.headers for r in fake_horde.requests_to("/v2/teams"))


@pytest.mark.usefixtures("bot")
async def test_info_for_an_unknown_team_says_so(discord_fake: FakeDiscord, world: World) -> None:
    msg = await team(discord_fake, world, "info", team="Nobody")
    assert "no team called `Nobody`" in msg.content


async def test_edit_by_the_owner_shows_the_answer(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, trusted: User
) -> None:
    owls = fake_horde.add_team("Night Owls", owner=trusted)
    msg = await team(discord_fake, world, "edit", team=owls.id, info="New info")
    assert "The Horde answered" in msg.content
    assert "New info" in msg.content
    assert owls.info == "New info"


async def test_edit_by_someone_else_is_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, trusted: User
) -> None:
    owls = fake_horde.add_team("Night Owls", owner=fake_horde.add_user("carol"))
    msg = await team(discord_fake, world, "edit", team=owls.id, name="Mine now")
    assert "Only its owner (or a Horde moderator)" in msg.content
    assert owls.name == "Night Owls"


async def test_delete_needs_confirm(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, trusted: User
) -> None:
    owls = fake_horde.add_team("Night Owls", owner=trusted)
    msg = await team(discord_fake, world, "delete", team="Night Owls")
    assert "Press **Confirm**" in msg.content
    assert owls.id in fake_horde.teams
    await view_ready(world, discord_fake, msg)
    await discord_fake.click(msg, label="Confirm", user=world.alice)
    await discord_fake.wait_for(
        lambda: "was deleted" in discord_fake.messages[msg.id].content or None, 5
    )
    assert owls.id not in fake_horde.teams


async def test_deleting_someone_elses_team_is_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, trusted: User
) -> None:
    owls = fake_horde.add_team("Night Owls", owner=fake_horde.add_user("carol"))
    msg = await team(discord_fake, world, "delete", team=owls.id)
    await view_ready(world, discord_fake, msg)
    ia = await discord_fake.click(msg, label="Confirm", user=world.alice)
    note = await ia.wait_for_followup(lambda m: "Only its owner" in m.text())
    assert note.ephemeral
    assert owls.id in fake_horde.teams


@pytest.mark.usefixtures("trusted")
async def test_a_profane_team_info_is_refused_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.profane_words = ("darn",)
    msg = await team(discord_fake, world, "create", name="Owls", info="darn good workers")
    assert "profanity filter" in msg.content
    assert fake_horde.teams == {}
