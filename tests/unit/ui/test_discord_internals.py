"""Pins the private discord.py state that bot.ui.discord_internals reads: a discord.py upgrade
that moves it makes these fail, instead of the stale-menu answers silently stopping."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.ui.discord_internals import answered_command, watch_unhandled
from tests.unit.ui.discord_payloads import MESSAGE_ID, USER, interaction, message_payload


class Pressed(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.presses = 0

    @discord.ui.button(label="Go", custom_id="live")
    async def go(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        self.presses += 1


class JobLike(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"dyn:(?P<n>\d+)"):
    presses = 0

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="Dyn", custom_id=f"dyn:{n}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> JobLike:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        type(self).presses += 1


def press(client: discord.Client, custom_id: str) -> Any:
    return interaction(client, 3, {"custom_id": custom_id, "component_type": 2})


@pytest.fixture
async def watched() -> AsyncIterator[tuple[discord.Client, list[Any]]]:
    client = discord.Client(intents=discord.Intents.none())
    unhandled: list[Any] = []
    watch_unhandled(client, unhandled.append)
    yield client, unhandled
    await client.close()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_live_views_press_is_its_own(watched: tuple[discord.Client, list[Any]]) -> None:
    client, unhandled = watched
    view = Pressed()
    client._connection.store_view(view, MESSAGE_ID)
    client._connection._view_store.dispatch_view(2, "live", press(client, "live"))
    await settle()
    assert unhandled == []
    assert view.presses == 1


async def test_a_press_nobody_listens_to_is_reported(
    watched: tuple[discord.Client, list[Any]],
) -> None:
    client, unhandled = watched
    ia = press(client, "live")
    client._connection._view_store.dispatch_view(2, "live", ia)
    assert unhandled == [ia]


async def test_a_stopped_views_press_is_reported(
    watched: tuple[discord.Client, list[Any]],
) -> None:
    client, unhandled = watched
    view = Pressed()
    client._connection.store_view(view, MESSAGE_ID)
    view.stop()
    ia = press(client, "live")
    client._connection._view_store.dispatch_view(2, "live", ia)
    await settle()
    assert unhandled == [ia]
    assert view.presses == 0


async def test_a_dynamic_item_press_is_its_own(
    watched: tuple[discord.Client, list[Any]],
) -> None:
    client, unhandled = watched
    client.add_dynamic_items(JobLike)
    client._connection._view_store.dispatch_view(2, "dyn:7", press(client, "dyn:7"))
    await settle()
    assert unhandled == []
    assert JobLike.presses == 1


async def test_a_submit_of_a_forgotten_modal_is_reported(
    watched: tuple[discord.Client, list[Any]],
) -> None:
    client, unhandled = watched
    ia = interaction(client, 5, {"custom_id": "gone", "components": []})
    client._connection._view_store.dispatch_modal("gone", ia, [], {})
    assert unhandled == [ia]


async def test_watching_twice_reports_once(watched: tuple[discord.Client, list[Any]]) -> None:
    client, unhandled = watched
    watch_unhandled(client, unhandled.append)
    client._connection._view_store.dispatch_view(2, "live", press(client, "live"))
    assert len(unhandled) == 1


async def test_the_command_a_message_answers_is_read(
    watched: tuple[discord.Client, list[Any]],
) -> None:
    client, _ = watched
    origin = {"id": "41", "type": 2, "name": "workers list", "user": USER}
    ia = interaction(client, 3, {"custom_id": "live", "component_type": 2})
    ia.message = discord.Message(
        state=client._connection, channel=ia.channel, data=message_payload(interaction=origin)
    )
    found = answered_command(ia.message)
    assert found is not None
    assert found.name == "workers list"
    assert found.type is discord.InteractionType.application_command
    plain = discord.Message(state=client._connection, channel=ia.channel, data=message_payload())
    assert answered_command(plain) is None
