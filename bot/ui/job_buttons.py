"""The buttons of every job reply: one family, ``job:<action>:<job id>[:<owner id>]``.

Persistent :class:`discord.ui.DynamicItem` buttons: the custom id carries the job id (and,
where a permission depends on it, the invoker's id), so a click is understood after a
restart without any view kept in memory. A click goes to the bot's
:class:`~bot.ui.frontends.FrontEnds`, which hands it to the front end of the job's kind.

Replies sent before this family existed carry ``gen:…`` (/generate) and ``chat:…`` (chat)
custom ids; :class:`LegacyGenerationButton` and :class:`LegacyChatButton` keep them
working. Register with ``bot.add_dynamic_items(*JOB_BUTTONS)``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import discord

from bot.generation.state import JobKind
from bot.ui.frontends import FrontEnds
from bot.ui.generation_render import Buttons
from bot.ui.replies import reply

__all__ = ["JOB_BUTTONS", "JobButton", "build_chat_view", "build_view"]

Button = discord.ui.Button[discord.ui.View]

_LABELS = {"cancel": "Cancel", "again": "Regenerate", "more": "Continue", "delete": "Delete"}
_STYLES = {
    "cancel": discord.ButtonStyle.danger,
    "again": discord.ButtonStyle.primary,
    "more": discord.ButtonStyle.secondary,
    "delete": discord.ButtonStyle.secondary,
}


class JobButton(
    discord.ui.DynamicItem[Button],
    template=r"job:(?P<action>cancel|again|more|delete):(?P<job>\d+)(?::(?P<owner>\d+))?",
):
    """One button of a job reply; the action, job id and owner live in its custom id."""

    PREFIX: ClassVar[str] = "job"
    KIND_HINT: ClassVar[JobKind | None] = None  # the kind, when the custom id tells it

    def __init__(self, action: str, job_id: int, owner_id: int | None = None) -> None:
        owner = f":{owner_id}" if owner_id is not None else ""
        super().__init__(
            discord.ui.Button(
                label=_LABELS[action],
                style=_STYLES[action],
                custom_id=f"{self.PREFIX}:{action}:{job_id}{owner}",
            )
        )
        self.action, self.job_id, self.owner_id = action, job_id, owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JobButton:
        owner = match.groupdict().get("owner")
        return cls(match["action"], int(match["job"]), int(owner) if owner else None)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        front_ends = getattr(interaction.client, "front_ends", None)
        if not isinstance(front_ends, FrontEnds):
            await reply(interaction, "That reply's buttons are not available right now.")
            return
        await front_ends.press(interaction, self.action, self.job_id, self.owner_id, self.KIND_HINT)


class LegacyGenerationButton(
    JobButton,
    template=r"gen:(?P<action>cancel|again|more|delete):(?P<job>\d+)(?::(?P<owner>\d+))?",
):
    """``gen:…`` buttons of /generate replies sent by earlier releases."""

    PREFIX = "gen"
    KIND_HINT = JobKind.GENERATE


class LegacyChatButton(JobButton, template=r"chat:(?P<action>cancel|again|more):(?P<job>\d+)"):
    """``chat:…`` buttons of chat replies sent by earlier releases."""

    PREFIX = "chat"
    KIND_HINT = JobKind.CHAT


JOB_BUTTONS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    JobButton,
    LegacyGenerationButton,
    LegacyChatButton,
)


def _view(items: list[JobButton]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def build_view(buttons: Buttons, job_id: int, owner_id: int) -> discord.ui.View | None:
    """A /generate reply's view in the given button state (None: no buttons). Cancel and
    Delete carry the invoker's id (their permission depends on it)."""
    if buttons is Buttons.RUNNING:
        return _view([JobButton("cancel", job_id, owner_id)])
    finished = [JobButton("again", job_id)]
    if buttons is Buttons.FINISHED_WITH_TEXT:
        finished.append(JobButton("more", job_id))
    elif buttons is not Buttons.FINISHED:
        return None
    return _view([*finished, JobButton("delete", job_id, owner_id)])


def build_chat_view(buttons: Buttons, job_id: int, *, continued: bool = False) -> discord.ui.View:
    """A chat reply's view in the given state (an empty view removes the buttons)."""
    actions: list[str] = []
    if buttons is Buttons.RUNNING:
        actions = ["cancel"]
    elif buttons is Buttons.FINISHED_WITH_TEXT:
        actions = ["more"] if continued else ["again", "more"]
    elif buttons is Buttons.FINISHED and not continued:
        actions = ["again"]
    return _view([JobButton(action, job_id) for action in actions])
