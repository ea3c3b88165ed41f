"""The buttons of a chat reply: Cancel while it runs; Regenerate and Continue after.

Persistent :class:`discord.ui.DynamicItem` buttons (custom ids ``chat:*`` carry the job id),
so clicks work after a restart. What a click does lives in the ``Chat`` cog
(:class:`ChatActions`). Register with ``bot.add_dynamic_items(*CHAT_DYNAMIC_ITEMS)``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Protocol, runtime_checkable

import discord

from bot.tree import answer_error
from bot.ui.generation_render import Buttons
from bot.ui.replies import reply

__all__ = ["CHAT_COG", "CHAT_DYNAMIC_ITEMS", "ChatActions", "build_chat_view"]


CHAT_COG = "Chat"
Button = discord.ui.Button[discord.ui.View]


@runtime_checkable
class ChatActions(Protocol):
    """What the buttons ask for; each method answers the interaction itself."""

    async def chat_button(
        self, interaction: discord.Interaction[Any], action: str, job_id: int
    ) -> None: ...


async def _dispatch(interaction: discord.Interaction[Any], action: str, job_id: int) -> None:
    client = interaction.client
    cog = client.get_cog(CHAT_COG) if hasattr(client, "get_cog") else None
    if not isinstance(cog, ChatActions):
        await reply(interaction, "Chat is not available right now.")
        return
    try:
        await cog.chat_button(interaction, action, job_id)
    except Exception as error:
        await answer_error(interaction, error)


class ChatButton(
    discord.ui.DynamicItem[Button], template=r"chat:(?P<action>cancel|again|more):(?P<job>\d+)"
):
    """One chat button; the action and job id live in the custom id."""

    LABELS: ClassVar[dict[str, str]] = {
        "cancel": "Cancel",
        "again": "Regenerate",
        "more": "Continue",
    }
    STYLES: ClassVar[dict[str, discord.ButtonStyle]] = {
        "cancel": discord.ButtonStyle.danger,
        "again": discord.ButtonStyle.primary,
        "more": discord.ButtonStyle.secondary,
    }

    def __init__(self, action: str, job_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.LABELS[action],
                style=self.STYLES[action],
                custom_id=f"chat:{action}:{job_id}",
            )
        )
        self.action, self.job_id = action, job_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChatButton:
        return cls(match["action"], int(match["job"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(interaction, self.action, self.job_id)


CHAT_DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ChatButton,)


def build_chat_view(buttons: Buttons, job_id: int, *, continued: bool = False) -> discord.ui.View:
    """The view for a chat reply in the given state (an empty view removes the buttons)."""
    actions: list[str] = []
    if buttons is Buttons.RUNNING:
        actions = ["cancel"]
    elif buttons is Buttons.FINISHED_WITH_TEXT:
        actions = ["more"] if continued else ["again", "more"]
    elif buttons is Buttons.FINISHED and not continued:
        actions = ["again"]
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(ChatButton(action, job_id))
    return view
