"""A press on a menu whose in-memory view is gone gets a private sentence, not "This
interaction failed"; live views, job buttons and the worker panel answer as before."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.ui.stale_components import STALE_FORM
from tests.e2e.botkit import World, bot_running, log_in, make_world
from tests.e2e.test_workers import add_workers, button, listing, turn
from tests.e2e.test_workers_manage import after, open_panel
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde

COG = "cogs.workers"
STALE_PAGER = (
    "This menu is no longer active (it timed out or the bot restarted). Run `/workers list` again."
)


def answers(discord_fake: FakeDiscord, ia: FakeInteraction) -> int:
    """How many initial responses the bot sent for ``ia`` (Discord takes exactly one)."""
    return len(discord_fake.calls_to("POST", f"/interactions/{ia.id}/"))


async def test_after_a_restart_old_menus_say_so_and_the_panel_still_works(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    add_workers(fake_horde, 23)
    alice = fake_horde.add_user("alice")
    worker = fake_horde.add_worker("alice-box", owner=alice)
    worker.maintenance = True
    async with bot_running(discord_fake, fake_horde, tmp_path, COG) as first:
        world.bot = first
        first.menu_retire_grace = 0.0  # stops as a crash would: the menus stay as they are
        await log_in(first, world.alice, alice)
        pager = await listing(discord_fake, world)
        panel = await open_panel(discord_fake, world, worker.id)
        form = await discord_fake.click(panel, label="Rename", user=world.alice)
        assert await form.wait_for_response() == 9  # the modal is open when the bot stops
    edits_before = discord_fake.messages[pager.id].edits
    async with bot_running(discord_fake, fake_horde, tmp_path, COG) as second:
        world.bot = second
        await log_in(second, world.alice, alice)  # a fresh encryption key in this process
        pressed = await discord_fake.click(pager, label="Next", user=world.alice)
        note = await pressed.wait_for_original(lambda m: bool(m.content))
        submitted = await discord_fake.submit_modal(form, {"name": "new-box"}, user=world.alice)
        form_note = await submitted.wait_for_original(lambda m: bool(m.content))
        panel_press = await discord_fake.click(panel, label="Maintenance off", user=world.alice)
        await after(discord_fake, panel, "Maintenance: **off**")
    assert note.ephemeral
    assert note.content == STALE_PAGER
    assert discord_fake.messages[pager.id].edits == edits_before  # the old page is left alone
    assert form_note.ephemeral
    assert form_note.content == STALE_FORM
    assert worker.name == "alice-box"
    # The panel is a dynamic item, answered from its custom id: never by the fallback.
    assert not worker.maintenance
    assert answers(discord_fake, panel_press) == 1
    assert panel_press.response_type != 4
    assert panel_press.followups() == []
    assert discord_fake.unhandled == []


async def test_a_graceful_close_greys_out_the_open_menus(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    add_workers(fake_horde, 23)
    async with bot_running(discord_fake, fake_horde, tmp_path, COG) as bot:
        world.bot = bot
        pager = await listing(discord_fake, world)
        assert not button(pager, "Next").get("disabled")
        page = copy.deepcopy(pager.embeds)
    shown = discord_fake.messages[pager.id]
    assert button(shown, "Previous").get("disabled") is True
    assert button(shown, "Next").get("disabled") is True
    assert shown.embeds == page  # the page itself is unchanged


@pytest.mark.usefixtures("bot")
async def test_a_live_pager_answers_each_press_once_and_alone(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 23)
    msg = await listing(discord_fake, world)
    await turn(discord_fake, msg, "Next", world)
    await turn(discord_fake, msg, "Previous", world)
    presses = [ia for ia in discord_fake.interactions.values() if ia.type == 3]
    assert len(presses) == 2
    for ia in presses:
        assert ia.response_type == 7  # the view updated its message
        assert answers(discord_fake, ia) == 1
        assert ia.followups() == []
