"""What a member is told when a menu is gone: the slash command to run again, when known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.ui.stale_components import STALE_FORM, STALE_MENU, stale_answer
from tests.unit.ui.discord_payloads import USER, interaction, message_payload


@pytest.fixture
async def bot() -> AsyncIterator[commands.Bot]:
    client = commands.Bot(command_prefix="!", intents=discord.Intents.none())
    workers = app_commands.Group(name="workers", description="Workers")

    @workers.command(name="list", description="List")
    async def listing(interaction: discord.Interaction[Any]) -> None:
        pass

    client.tree.add_command(workers)
    yield client
    await client.close()


def pressed_on(client: discord.Client, origin: dict[str, Any] | None) -> Any:
    ia = interaction(client, 3, {"custom_id": "x", "component_type": 2})
    extra = {} if origin is None else {"interaction": origin}
    ia.message = discord.Message(
        state=client._connection, channel=ia.channel, data=message_payload(**extra)
    )
    return ia


def origin(kind: int, name: str) -> dict[str, Any]:
    return {"id": "41", "type": kind, "name": name, "user": USER}


async def test_a_slash_commands_menu_names_the_command(bot: commands.Bot) -> None:
    answer = stale_answer(pressed_on(bot, origin(2, "workers list")))
    assert answer == f"{STALE_MENU} Run `/workers list` again."


@pytest.mark.parametrize(
    "source",
    [
        None,  # a message that answers no interaction
        origin(3, ""),  # made by a button press
        origin(2, "Continue with AI Horde"),  # a message menu: not something to type
    ],
)
async def test_otherwise_the_answer_is_generic(
    bot: commands.Bot, source: dict[str, Any] | None
) -> None:
    assert stale_answer(pressed_on(bot, source)) == f"{STALE_MENU} Run the command again."


async def test_a_form_says_nothing_was_saved(bot: commands.Bot) -> None:
    form = interaction(bot, 5, {"custom_id": "gone", "components": []})
    assert stale_answer(form) == STALE_FORM
