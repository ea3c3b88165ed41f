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

from bot.tree import answer_error
from bot.ui.generation_render import Buttons
from bot.ui.replies import reply

__all__ = [
    "ACTIONS_COG",
    "DYNAMIC_ITEMS",
    "CancelButton",
    "ContinueButton",
    "DeleteButton",
    "GenerationActions",
    "RegenerateButton",
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
    action: Callable[[GenerationActions], Awaitable[None]],
) -> None:
    """Run ``action`` on the cog; answer any error in plain words (never "interaction failed")."""
    cog = (
        interaction.client.get_cog(ACTIONS_COG) if hasattr(interaction.client, "get_cog") else None
    )
    if not isinstance(cog, GenerationActions):
        await reply(interaction, "Generation is not available right now.")
        return
    try:
        await action(cog)
    except Exception as error:
        await answer_error(interaction, error)


class CancelButton(
    discord.ui.DynamicItem[Button], template=r"gen:cancel:(?P<job>\d+):(?P<owner>\d+)"
):
    """Cancel a running generation (the invoker, or Manage Messages)."""

    def __init__(self, job_id: int, owner_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Cancel",
                style=discord.ButtonStyle.danger,
                custom_id=f"gen:cancel:{job_id}:{owner_id}",
            )
        )
        self.job_id, self.owner_id = job_id, owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CancelButton:
        return cls(int(match["job"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction, lambda a: a.cancel_pressed(interaction, self.job_id, self.owner_id)
        )


class RegenerateButton(discord.ui.DynamicItem[Button], template=r"gen:again:(?P<job>\d+)"):
    """Run the same request again, paid by whoever presses."""

    def __init__(self, job_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Regenerate",
                style=discord.ButtonStyle.primary,
                custom_id=f"gen:again:{job_id}",
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RegenerateButton:
        return cls(int(match["job"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction, lambda a: a.again_pressed(interaction, self.job_id, extend=False)
        )


class ContinueButton(discord.ui.DynamicItem[Button], template=r"gen:more:(?P<job>\d+)"):
    """Ask for more: prompt + the first generation, paid by whoever presses."""

    def __init__(self, job_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Continue",
                style=discord.ButtonStyle.secondary,
                custom_id=f"gen:more:{job_id}",
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ContinueButton:
        return cls(int(match["job"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction, lambda a: a.again_pressed(interaction, self.job_id, extend=True)
        )


class DeleteButton(
    discord.ui.DynamicItem[Button], template=r"gen:delete:(?P<job>\d+):(?P<owner>\d+)"
):
    """Delete the reply (the invoker, or Manage Messages)."""

    def __init__(self, job_id: int, owner_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Delete",
                style=discord.ButtonStyle.secondary,
                custom_id=f"gen:delete:{job_id}:{owner_id}",
            )
        )
        self.job_id, self.owner_id = job_id, owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DeleteButton:
        return cls(int(match["job"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction, lambda a: a.delete_pressed(interaction, self.job_id, self.owner_id)
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    CancelButton,
    RegenerateButton,
    ContinueButton,
    DeleteButton,
)


def build_view(buttons: Buttons, job_id: int, owner_id: int) -> discord.ui.View | None:
    """The view for a reply in the given button state (None: no buttons)."""
    items: list[discord.ui.Item[Any]]
    if buttons is Buttons.RUNNING:
        items = [CancelButton(job_id, owner_id)]
    elif buttons is Buttons.FINISHED_WITH_TEXT:
        items = [RegenerateButton(job_id), ContinueButton(job_id), DeleteButton(job_id, owner_id)]
    elif buttons is Buttons.FINISHED:
        items = [RegenerateButton(job_id), DeleteButton(job_id, owner_id)]
    else:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
