"""The buttons of a /generate reply: Cancel while running; Regenerate, Continue, Delete after.

They are persistent :class:`discord.ui.DynamicItem` buttons: the custom id carries the local
job id (and, where a permission depends on it, the invoker's id), so a click is understood
after a restart without any view kept in memory. Register them once with
``bot.add_dynamic_items(*DYNAMIC_ITEMS)``. What a click does lives in the object implementing
:class:`GenerationActions` (the /generate cog), found as the bot's ``Generate`` cog.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

import discord

from bot.errors import BadInput
from bot.tree import answer_error
from bot.ui.generation_render import Buttons
from bot.ui.replies import reply

__all__ = [
    "ACTIONS_COG",
    "DYNAMIC_ITEMS",
    "GenerationActions",
    "GenerationButton",
    "build_view",
    "may_manage",
]


ACTIONS_COG = "Generate"

Button = discord.ui.Button[discord.ui.View]


@runtime_checkable
class GenerationActions(Protocol):
    """What the buttons ask for; every method answers the interaction itself."""

    async def cancel_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, owner_id: int
    ) -> None: ...

    async def again_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, *, extend: bool
    ) -> None: ...

    async def delete_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, owner_id: int
    ) -> None: ...


def may_manage(interaction: discord.Interaction[Any], owner_id: int) -> bool:
    """The invoker, or (in a server) a member with Manage Messages in this channel."""
    if interaction.user.id == owner_id:
        return True
    return interaction.guild_id is not None and interaction.permissions.manage_messages


async def _dispatch(
    interaction: discord.Interaction[Any],
    action: Callable[[GenerationActions, discord.Interaction[Any]], Awaitable[None]],
) -> None:
    """Run ``action`` on the cog; answer any error in plain words (never "interaction failed")."""
    cog = (
        interaction.client.get_cog(ACTIONS_COG) if hasattr(interaction.client, "get_cog") else None
    )
    if not isinstance(cog, GenerationActions):
        await reply(interaction, "Generation is not available right now.")
        return
    try:
        await action(cog, interaction)
    except Exception as error:
        await answer_error(interaction, error)


# What each button is called, looks like, and asks the cog to do. Cancel and Delete carry
# the invoker's id (their permission depends on it); Regenerate and Continue do not.
_LABELS = {"cancel": "Cancel", "again": "Regenerate", "more": "Continue", "delete": "Delete"}
_STYLES = {
    "cancel": discord.ButtonStyle.danger,
    "again": discord.ButtonStyle.primary,
    "more": discord.ButtonStyle.secondary,
    "delete": discord.ButtonStyle.secondary,
}


class GenerationButton(
    discord.ui.DynamicItem[Button],
    template=r"gen:(?P<action>cancel|again|more|delete):(?P<job>\d+)(?::(?P<owner>\d+))?",
):
    """One button of a /generate reply; the action, job id and owner live in its custom id."""

    def __init__(self, action: str, job_id: int, owner_id: int | None = None) -> None:
        custom_id = f"gen:{action}:{job_id}" + (f":{owner_id}" if owner_id is not None else "")
        super().__init__(
            discord.ui.Button(label=_LABELS[action], style=_STYLES[action], custom_id=custom_id)
        )
        self.action, self.job_id, self.owner_id = action, job_id, owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> GenerationButton:
        owner = match["owner"]
        return cls(match["action"], int(match["job"]), int(owner) if owner else None)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(interaction, self._press)

    async def _press(
        self, actions: GenerationActions, interaction: discord.Interaction[Any]
    ) -> None:
        if self.action in ("again", "more"):
            await actions.again_pressed(interaction, self.job_id, extend=self.action == "more")
            return
        if self.owner_id is None:
            raise BadInput("This button is from an older reply; use the newest one.")
        if self.action == "cancel":
            await actions.cancel_pressed(interaction, self.job_id, self.owner_id)
        else:
            await actions.delete_pressed(interaction, self.job_id, self.owner_id)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (GenerationButton,)


def build_view(buttons: Buttons, job_id: int, owner_id: int) -> discord.ui.View | None:
    """The view for a reply in the given button state (None: no buttons)."""
    items: list[discord.ui.Item[Any]]
    if buttons is Buttons.RUNNING:
        items = [GenerationButton("cancel", job_id, owner_id)]
    elif buttons is Buttons.FINISHED_WITH_TEXT:
        items = [
            GenerationButton("again", job_id),
            GenerationButton("more", job_id),
            GenerationButton("delete", job_id, owner_id),
        ]
    elif buttons is Buttons.FINISHED:
        items = [GenerationButton("again", job_id), GenerationButton("delete", job_id, owner_id)]
    else:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
