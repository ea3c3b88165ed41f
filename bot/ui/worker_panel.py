"""``/workers manage``: a private panel of buttons for one of the member's own workers.

The buttons are persistent :class:`discord.ui.DynamicItem` s whose custom id carries
``wpanel:<action>:<member id>:<worker id>``: no view is kept in memory, so the panel works
after a restart and in whichever process receives the press, for as long as the message
exists. Each press is checked again: only the member who opened the panel may use it, with the
key they have registered now, on a worker still on their account; the worker is read again
from the Horde (:mod:`bot.ui.worker_panel_state`). Register with
``bot.add_dynamic_items(WorkerPanelButton)`` (the Workers cog does).

A modal a button opened is the one exception: discord.py keeps it in the process that opened
it until the member submits it (a restart in between asks them to press the button again).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import BadInput, UserFacingError
from bot.horde.errors import HordeError
from bot.horde_ids import looks_like_id
from bot.own_workers import OwnWorkersCache
from bot.services import Services
from bot.tree import answer_error
from bot.ui.replies import reply
from bot.ui.safe_markdown import plain
from bot.ui.typed_text import clean_line, clean_text
from bot.ui.worker_panel_state import (
    MAX_INFO,
    MAX_MAINTENANCE_MSG,
    MAX_NAME,
    RENAME_REMINDER,
    PanelTarget,
)

if TYPE_CHECKING:
    from bot.horde.models import WorkerDetails

__all__ = ["WorkerPanelButton", "panel_view"]

Button = discord.ui.Button[discord.ui.View]

NOT_OPENER = "Only the member who ran this command can use these buttons."
# Seconds the Info button may spend reading the current info (a modal must open within 3 s).
INFO_READ_SECONDS = 1.5
MODAL_SECONDS = 600.0  # an open form is forgotten after this long (the buttons are not)

_BUTTONS = {  # action → label, style, row
    "mon": ("Maintenance on", discord.ButtonStyle.secondary, 0),
    "moff": ("Maintenance off", discord.ButtonStyle.secondary, 0),
    "rename": ("Rename", discord.ButtonStyle.secondary, 0),
    "info": ("Info", discord.ButtonStyle.secondary, 0),
    "team": ("Team", discord.ButtonStyle.secondary, 0),
    "delete": ("Delete", discord.ButtonStyle.danger, 1),
    "confirm": ("Confirm", discord.ButtonStyle.danger, 1),
}


def panel_view(
    owner_id: int, worker_id: str, *, confirm: bool = False, disabled: bool = False
) -> discord.ui.View:
    """The panel's buttons (with Confirm after Delete was pressed; all grey once deleted)."""
    view = discord.ui.View(timeout=None)
    for action in _BUTTONS:
        if action != "confirm" or confirm:
            view.add_item(WorkerPanelButton(action, owner_id, worker_id, disabled=disabled))
    return view


class WorkerPanelButton(
    discord.ui.DynamicItem[Button],
    template=r"wpanel:(?P<action>mon|moff|rename|info|team|delete|confirm):"
    r"(?P<owner>\d+):(?P<worker>[\w-]{1,64})",
):
    """One button of a worker panel; what it acts on lives in its custom id."""

    def __init__(self, action: str, owner_id: int, worker_id: str, *, disabled: bool = False):
        label, style, row = _BUTTONS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                row=row,
                disabled=disabled,
                custom_id=f"wpanel:{action}:{owner_id}:{worker_id}",
            )
        )
        self.action, self.owner_id, self.worker_id = action, owner_id, worker_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> WorkerPanelButton:
        return cls(match["action"], int(match["owner"]), match["worker"])

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await reply(interaction, NOT_OPENER)
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._press(interaction)
        except Exception as error:  # answered in plain words, like a command's
            await answer_error(interaction, error)

    async def _press(self, interaction: discord.Interaction[Any]) -> None:
        services, own = _services(interaction)
        key = await PanelTarget.key_of(services, interaction.user.id)  # before any answer
        panel = Panel(services, own, self.owner_id, self.worker_id)
        if self.action in _MODALS:
            info = (
                await _current_info(services, self.worker_id, key) if self.action == "info" else ""
            )
            await interaction.response.send_modal(_MODALS[self.action](panel, info))
            return
        await interaction.response.defer()
        target = await PanelTarget.load(services, own, self.owner_id, self.worker_id, key)
        if self.action == "moff":
            await target.change(target.modify(maintenance=False))
            await panel.show(interaction, target)
        elif self.action == "delete":
            target.state.answer = (
                f"Delete **{plain(target.state.name)}** from the Horde? Its name, statistics "
                "and kudos history go with it. Press **Confirm** to delete."
            )
            await panel.show(interaction, target, confirm=True)
        else:  # confirm
            await target.delete()
            await panel.show(interaction, target, disabled=True)


def _services(interaction: discord.Interaction[Any]) -> tuple[Services, OwnWorkersCache]:
    services = getattr(interaction.client, "services", None)  # the HordeBot's
    if not isinstance(services, Services):
        raise UserFacingError("The worker panel is not available right now.")
    return services, services.own_workers


async def _current_info(services: Services, worker_id: str, key: str) -> str:
    """The worker's info to edit, if the Horde answers quickly enough (else an empty form)."""
    with contextlib.suppress(HordeError, TimeoutError):
        worker: WorkerDetails = await asyncio.wait_for(
            services.horde.worker(worker_id, apikey=key), INFO_READ_SECONDS
        )
        return worker.info or ""
    return ""


class Panel:
    """Which panel a press or a modal acts on, and how it is shown again afterwards."""

    def __init__(
        self, services: Services, own: OwnWorkersCache, owner_id: int, worker_id: str
    ) -> None:
        self.services, self.own = services, own
        self.owner_id, self.worker_id = owner_id, worker_id

    async def change(
        self, interaction: discord.Interaction[Any], fields: dict[str, Any], *, extra: str = ""
    ) -> None:
        """A modal's change: the key read again, the worker checked and read, the change sent."""
        key = await PanelTarget.key_of(self.services, interaction.user.id)
        await interaction.response.defer()
        target = await PanelTarget.load(self.services, self.own, self.owner_id, self.worker_id, key)
        await target.change(target.modify(**fields), extra=extra)
        await self.show(interaction, target)

    async def show(
        self,
        interaction: discord.Interaction[Any],
        target: PanelTarget,
        *,
        confirm: bool = False,
        disabled: bool = False,
    ) -> None:
        view = panel_view(self.owner_id, self.worker_id, confirm=confirm, disabled=disabled)
        await interaction.edit_original_response(embed=target.state.embed(), view=view)


# --- modals -----------------------------------------------------------------------------------


class _PanelModal(discord.ui.Modal):
    """A modal that sends its change through the panel; errors are answered like commands'."""

    def __init__(self, panel: Panel, title: str) -> None:
        super().__init__(title=title, timeout=MODAL_SECONDS)
        self.panel = panel

    async def on_error(  # type: ignore[override]  # Modal narrows BaseView.on_error
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await answer_error(interaction, error)


class MaintenanceModal(_PanelModal):
    message: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Message for the worker (optional)",
        custom_id="maintenance_msg",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=MAX_MAINTENANCE_MSG,
    )

    def __init__(self, panel: Panel, _info: str = "") -> None:
        super().__init__(panel, "Maintenance on")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        text = clean_text(self.message.value, MAX_MAINTENANCE_MSG, "message")
        fields: dict[str, Any] = {"maintenance": True}
        if text:
            fields["maintenance_msg"] = text
        note = "The worker's software shows the message when it next asks for jobs." if text else ""
        await self.panel.change(interaction, fields, extra=note)


class RenameModal(_PanelModal):
    new_name: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="New name", custom_id="name", max_length=MAX_NAME
    )

    def __init__(self, panel: Panel, _info: str = "") -> None:
        super().__init__(panel, "Rename worker")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        name = clean_line(self.new_name.value, MAX_NAME, "name")
        await self.panel.change(interaction, {"name": name}, extra=RENAME_REMINDER)


class InfoModal(_PanelModal):
    info: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Info shown with the worker",
        custom_id="info",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=MAX_INFO,
    )

    def __init__(self, panel: Panel, info: str = "") -> None:
        super().__init__(panel, "Worker info")
        self.info.default = info[:MAX_INFO] or None

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        info = clean_text(self.info.value, MAX_INFO, "info")
        await self.panel.change(interaction, {"info": info})


class TeamModal(_PanelModal):
    team: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Team name or id (empty leaves the team)",
        custom_id="team",
        required=False,
        max_length=MAX_NAME,
    )

    def __init__(self, panel: Panel, _info: str = "") -> None:
        super().__init__(panel, "Worker team")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        wanted = " ".join(self.team.value.split())
        team_id = await self._team_id(wanted) if wanted else ""
        await self.panel.change(interaction, {"team": team_id})

    async def _team_id(self, wanted: str) -> str:
        if looks_like_id(wanted):
            return wanted
        team = await self.panel.services.teams.find(wanted)
        if team is None or not team.id:
            raise BadInput(f"The Horde has no team called `{plain(wanted)}`.")
        return team.id


_MODALS: dict[str, type[_PanelModal]] = {
    "mon": MaintenanceModal,
    "rename": RenameModal,
    "info": InfoModal,
    "team": TeamModal,
}
