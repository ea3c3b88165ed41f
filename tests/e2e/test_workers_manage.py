"""/workers manage through both fakes: the panel's buttons and modals, and their refusals."""

from __future__ import annotations

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde
from tests.fakes.horde.models import User, Worker

COG = "cogs.workers"
ANSWERED = "The Horde answered"


@pytest.fixture
async def alice(bot: HordeBot, fake_horde: FakeHorde, world: World) -> User:
    user = fake_horde.add_user("alice")
    await log_in(bot, world.alice, user)
    return user


@pytest.fixture
def own_worker(fake_horde: FakeHorde, alice: User) -> Worker:
    return fake_horde.add_worker("alice-box", owner=alice)


async def open_panel(discord_fake: FakeDiscord, world: World, worker: str) -> FakeMessage:
    ia = await discord_fake.send_slash(
        "workers manage", {"worker": worker}, user=world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.embeds or m.content))
    assert msg.ephemeral
    return msg  # its buttons are answered from their custom ids: nothing to wait for


async def after(discord_fake: FakeDiscord, msg: FakeMessage, text: str) -> FakeMessage:
    return await discord_fake.wait_for(
        lambda: (
            discord_fake.messages[msg.id] if text in discord_fake.messages[msg.id].text() else None
        ),
        5,
    )


async def through_modal(
    discord_fake: FakeDiscord, world: World, msg: FakeMessage, label: str, values: dict[str, str]
) -> None:
    opened = await discord_fake.click(msg, label=label, user=world.alice)
    assert await opened.wait_for_response() == 9
    await discord_fake.submit_modal(opened, values, user=world.alice)


async def test_autocomplete_lists_only_the_invokers_workers_and_caches_them(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    fake_horde.add_worker("someone-else")
    choices = await discord_fake.autocomplete(
        "workers manage", {"worker": ""}, focused="worker", user=world.alice, channel=world.channel
    )
    assert choices == [{"name": "alice-box", "value": own_worker.id}]
    before = len(fake_horde.requests_to("/v2/find_user"))
    for typed in ("a", "al", "ali"):
        await discord_fake.autocomplete(
            "workers manage",
            {"worker": typed},
            focused="worker",
            user=world.alice,
            channel=world.channel,
        )
    assert len(fake_horde.requests_to("/v2/find_user")) == before


async def test_maintenance_on_with_a_message_shows_the_answer(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    await through_modal(discord_fake, world, msg, "Maintenance on", {"maintenance_msg": "GPU swap"})
    shown = await after(discord_fake, msg, ANSWERED)
    assert "Maintenance: **on**" in shown.text()
    assert "within about two minutes" in shown.text()
    assert own_worker.maintenance
    assert own_worker.maintenance_msg == "GPU swap"


async def test_maintenance_off(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    own_worker.maintenance = True
    msg = await open_panel(discord_fake, world, own_worker.id)
    await discord_fake.click(msg, label="Maintenance off", user=world.alice)
    shown = await after(discord_fake, msg, "Maintenance: **off**")
    assert ANSWERED in shown.text()
    assert not own_worker.maintenance


async def test_rename_reminds_to_rename_in_the_worker_configuration(
    discord_fake: FakeDiscord, world: World, own_worker: Worker
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    await through_modal(discord_fake, world, msg, "Rename", {"name": "  shiny   box "})
    shown = await after(discord_fake, msg, "Name: **shiny box**")
    assert "own configuration" in shown.text()
    assert own_worker.name == "shiny box"
    choices = await discord_fake.autocomplete(
        "workers manage", {"worker": ""}, focused="worker", user=world.alice, channel=world.channel
    )
    assert [c["name"] for c in choices] == ["shiny box"]


async def test_rename_to_a_taken_name_is_refused_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    fake_horde.add_worker("taken")
    msg = await open_panel(discord_fake, world, own_worker.id)
    opened = await discord_fake.click(msg, label="Rename", user=world.alice)
    assert await opened.wait_for_response() == 9
    submitted = await discord_fake.submit_modal(opened, {"name": "taken"}, user=world.alice)
    note = await submitted.wait_for_followup(lambda m: "already has that name" in m.text())
    assert note.ephemeral
    assert own_worker.name == "alice-box"


async def test_a_blank_name_is_refused_before_sending(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    opened = await discord_fake.click(msg, label="Rename", user=world.alice)
    assert await opened.wait_for_response() == 9
    submitted = await discord_fake.submit_modal(opened, {"name": "   "}, user=world.alice)
    note = await submitted.wait_for_original(lambda m: "cannot be empty" in m.text())
    assert note.ephemeral
    assert fake_horde.requests_to(f"/v2/workers/{own_worker.id}", method="PUT") == []


async def test_info_and_team_changes(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    team = fake_horde.add_team("Night Owls")
    msg = await open_panel(discord_fake, world, own_worker.id)
    await through_modal(discord_fake, world, msg, "Info", {"info": "RTX 4090, 24/7"})
    await after(discord_fake, msg, "Info: RTX 4090, 24/7")
    assert own_worker.info == "RTX 4090, 24/7"
    await through_modal(discord_fake, world, msg, "Team", {"team": "night owls"})
    await after(discord_fake, msg, "Team: **Night Owls**")
    assert own_worker.team is team
    await through_modal(discord_fake, world, msg, "Team", {"team": ""})
    await after(discord_fake, msg, "Team: **none**")
    assert own_worker.team is None


async def test_delete_needs_confirm(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    assert "Confirm" not in msg.buttons()
    await discord_fake.click(msg, label="Delete", user=world.alice)
    asked = await after(discord_fake, msg, "Press **Confirm**")
    assert own_worker.id in fake_horde.workers
    await discord_fake.click(asked, label="Confirm", user=world.alice)
    await after(discord_fake, msg, "was deleted")
    assert own_worker.id not in fake_horde.workers


async def test_deleting_a_recently_busy_worker_explains_the_lock(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    own_worker.last_job_at = fake_horde.clock.time()
    msg = await open_panel(discord_fake, world, own_worker.id)
    await discord_fake.click(msg, label="Delete", user=world.alice)
    asked = await after(discord_fake, msg, "Press **Confirm**")
    ia = await discord_fake.click(asked, label="Confirm", user=world.alice)
    note = await ia.wait_for_followup(lambda m: "last 20 minutes" in m.text())
    assert note.ephemeral
    assert own_worker.id in fake_horde.workers


async def test_someone_elses_worker_is_refused_before_any_change(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice: User
) -> None:
    other = fake_horde.add_worker("not-hers")
    msg = await open_panel(discord_fake, world, other.id)
    assert "not one of your workers" in msg.text()
    assert fake_horde.requests_to(f"/v2/workers/{other.id}", method="PUT") == []


async def test_only_the_panel_owner_can_press_its_buttons(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    ia = await discord_fake.click(msg, label="Maintenance off", user=world.bob)
    note = await ia.wait_for_original(lambda m: bool(m.content))
    assert "Only the member who ran this command" in note.content
    assert fake_horde.requests_to(f"/v2/workers/{own_worker.id}", method="PUT") == []


@pytest.mark.usefixtures("bot")
async def test_manage_without_login_asks_to_log_in(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await open_panel(discord_fake, world, "anything")
    assert "/login" in msg.text()
    assert fake_horde.requests_to("/v2/find_user") == []


async def test_mine_points_to_manage(
    discord_fake: FakeDiscord, world: World, own_worker: Worker
) -> None:
    ia = await discord_fake.send_slash("workers mine", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.embeds))
    assert "/workers manage" in msg.text()


async def test_a_profane_name_is_refused_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, own_worker: Worker
) -> None:
    fake_horde.profane_words = ("darn",)
    msg = await open_panel(discord_fake, world, own_worker.id)
    opened = await discord_fake.click(msg, label="Rename", user=world.alice)
    assert await opened.wait_for_response() == 9
    submitted = await discord_fake.submit_modal(opened, {"name": "darn box"}, user=world.alice)
    note = await submitted.wait_for_followup(lambda m: "profanity filter" in m.text())
    assert note.ephemeral
    assert own_worker.name == "alice-box"


async def test_after_logout_the_panel_sends_nothing(
    bot: HordeBot,
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    world: World,
    own_worker: Worker,
) -> None:
    msg = await open_panel(discord_fake, world, own_worker.id)
    await bot.services.accounts.delete(world.alice.id)
    ia = await discord_fake.click(msg, label="Maintenance off", user=world.alice)
    note = await ia.wait_for_original(lambda m: bool(m.content))
    assert "/login" in note.content
    assert note.ephemeral
    assert fake_horde.requests_to(f"/v2/workers/{own_worker.id}", method="PUT") == []
