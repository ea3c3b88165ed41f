"""The /hordemod additions of issue 13 through both fakes: users, worker messages, pausing,
modes. Moderator-only on the Horde; the bot sends nothing without a registered key."""

from __future__ import annotations

from typing import Any

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in, private_answer
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde
from tests.fakes.horde.models import User

COG = "cogs.hordemod"
NOT_MODERATOR = "not a Horde moderator"


@pytest.fixture
async def moderator(bot: HordeBot, fake_horde: FakeHorde, world: World) -> User:
    user = fake_horde.add_user("alice", moderator=True)
    await log_in(bot, world.alice, user)
    return user


@pytest.fixture
async def ordinary(bot: HordeBot, fake_horde: FakeHorde, world: World) -> User:
    user = fake_horde.add_user("alice")
    await log_in(bot, world.alice, user)
    return user


async def hordemod(
    discord_fake: FakeDiscord, world: World, command: str, **options: Any
) -> FakeMessage:
    return await private_answer(
        discord_fake, f"hordemod {command}", options, user=world.alice, channel=world.channel
    )


# --- user info / set -----------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
async def test_user_info_by_alias_and_id(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    bob = fake_horde.add_user("bob", kudos=1234, trusted=True)
    msg = await hordemod(discord_fake, world, "user info", user=bob.username)
    assert "bob#" in msg.text()
    assert "trusted yes" in msg.text()
    assert "1,234" in msg.text()
    by_id = await hordemod(discord_fake, world, "user info", user=str(bob.id))
    assert "bob#" in by_id.text()


@pytest.mark.usefixtures("moderator")
async def test_user_set_changes_the_fields_and_shows_them(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    bob = fake_horde.add_user("bob")
    msg = await hordemod(
        discord_fake, world, "user set", user=bob.username, trusted=True, concurrency=5, vpn=True
    )
    assert "trusted: **yes**" in msg.content
    assert "concurrency: **5**" in msg.content
    assert "vpn: **yes**" in msg.content
    assert bob.trusted
    assert bob.concurrency == 5


@pytest.mark.usefixtures("moderator")
async def test_user_set_with_nothing_to_change_sends_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    bob = fake_horde.add_user("bob")
    msg = await hordemod(discord_fake, world, "user set", user=bob.username)
    assert "at least one field" in msg.content
    assert fake_horde.requests_to(f"/v2/users/{bob.id}", method="PUT") == []


@pytest.mark.usefixtures("moderator")
async def test_user_set_refuses_a_user_that_is_not_alias_or_id(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "user set", user="../admin", trusted=True)
    assert "alias#1234" in msg.content
    assert fake_horde.requests_to("/v2/users", method="PUT") == []


@pytest.mark.usefixtures("ordinary")
async def test_user_set_by_a_non_moderator_is_explained(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    bob = fake_horde.add_user("bob")
    msg = await hordemod(discord_fake, world, "user set", user=bob.username, trusted=True)
    assert NOT_MODERATOR in msg.content
    assert not bob.trusted


@pytest.mark.usefixtures("bot")
async def test_user_set_without_login_sends_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "user set", user="bob#2", trusted=True)
    assert "/login" in msg.content
    assert fake_horde.requests_to("/v2/users") == []


# --- worker messages -----------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
async def test_send_list_and_delete_a_worker_message(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    worker = fake_horde.add_worker("busy-box")
    sent = await hordemod(
        discord_fake, world, "worker-message send", worker="busy-box", message="Please update"
    )
    assert "sent" in sent.content
    (message,) = fake_horde.records.messages.values()
    assert message.worker_id == worker.id
    listed = await hordemod(discord_fake, world, "worker-message list")
    assert message.id in listed.content
    assert "Please update" in listed.content
    gone = await hordemod(discord_fake, world, "worker-message delete", message_id=message.id)
    assert "was deleted" in gone.content
    assert fake_horde.records.messages == {}


@pytest.mark.usefixtures("moderator")
async def test_a_second_message_within_a_minute_is_explained(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("busy-box")
    await hordemod(discord_fake, world, "worker-message send", worker="busy-box", message="one")
    msg = await hordemod(
        discord_fake, world, "worker-message send", worker="busy-box", message="two"
    )
    assert "Wait a minute" in msg.content


@pytest.mark.usefixtures("ordinary")
async def test_a_non_moderator_cannot_message_someone_elses_worker(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("busy-box")
    msg = await hordemod(discord_fake, world, "worker-message send", worker="busy-box", message="x")
    assert "only send messages to your own workers" in msg.content
    assert fake_horde.records.messages == {}


@pytest.mark.usefixtures("moderator")
async def test_deleting_an_unknown_message_says_so(discord_fake: FakeDiscord, world: World) -> None:
    msg = await hordemod(discord_fake, world, "worker-message delete", message_id="msg-404")
    assert "no such worker message" in msg.content


# --- pause / unpause -----------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
async def test_pause_and_unpause_a_worker(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    worker = fake_horde.add_worker("busy-box")
    msg = await hordemod(discord_fake, world, "worker pause", worker="busy-box")
    assert "is paused" in msg.content
    assert worker.paused
    msg = await hordemod(discord_fake, world, "worker unpause", worker=worker.id)
    assert "is not paused" in msg.content
    assert not worker.paused


@pytest.mark.usefixtures("ordinary")
async def test_a_non_moderator_cannot_pause(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    worker = fake_horde.add_worker("busy-box")
    msg = await hordemod(discord_fake, world, "worker pause", worker="busy-box")
    assert NOT_MODERATOR in msg.content
    assert not worker.paused


@pytest.mark.usefixtures("moderator")
async def test_pausing_an_unknown_worker_says_so(discord_fake: FakeDiscord, world: World) -> None:
    msg = await hordemod(discord_fake, world, "worker pause", worker="ghost")
    assert "no worker called `ghost`" in msg.content


# --- modes set -----------------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
async def test_modes_set_turns_raid_mode_on(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "modes set", raid=True)
    assert "Raid mode: **on**" in msg.content
    assert fake_horde.raid_mode


@pytest.mark.usefixtures("moderator")
async def test_modes_set_with_nothing_explains_maintenance_is_for_admins(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "modes set")
    assert "admins only" in msg.content
    assert fake_horde.requests_to("/v2/status/modes", method="PUT") == []


@pytest.mark.usefixtures("ordinary")
async def test_a_non_moderator_cannot_set_modes(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await hordemod(discord_fake, world, "modes set", invite_only=True)
    assert NOT_MODERATOR in msg.content
    assert not fake_horde.invite_only


@pytest.mark.usefixtures("moderator")
async def test_worker_options_autocomplete_from_the_shared_list(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    box = fake_horde.add_worker("busy-box")
    fake_horde.add_worker("other")
    for command in ("worker pause", "worker-message send"):
        choices = await discord_fake.autocomplete(
            f"hordemod {command}",
            {"worker": "busy"},
            focused="worker",
            user=world.alice,
            channel=world.channel,
        )
        assert [c["value"] for c in choices] == [box.id]
    assert len(fake_horde.requests_to("/v2/workers", method="GET")) == 1
