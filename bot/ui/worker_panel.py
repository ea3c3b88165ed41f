"""``/workers manage``: a private panel of buttons for one of the member's own workers.

Every button re-reads the member's registered key (a ``/logout`` takes effect at once) and
shows what the Horde answered to the change. It never re-reads the worker: the Horde caches
worker reads for ~30 s, so a re-read would show the old state.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import BadInput
from bot.horde_ids import looks_like_id
from bot.own_key import registered_key
from bot.own_workers import OwnWorkersCache
from bot.services import Services
from bot.tree import answer_error
from bot.ui.invoker_view import InvokerOnlyView
from bot.ui.safe_markdown import plain

if TYPE_CHECKING:
    from bot.horde.models import ModifyWorker, WorkerDetails

log = logging.getLogger(__name__)

PANEL_SECONDS = 600.0
MAX_NAME = 100
MAX_INFO = 1000
MAX_MAINTENANCE_MSG = 500
CATCH_UP = (
    "The Horde caches worker reads for about 30 s, so `/workers list` and `/workers info` "
    "show this change within about two minutes."
)
RENAME_REMINDER = (
    "Rename it in the worker's own configuration too (the name its software starts with), "
    "or the Horde registers a worker under the old name again when it next starts."
)


def clean_line(text: str, limit: int, what: str) -> str:
    """One line of text for a name: control characters refused, blank refused, length capped."""
    value = " ".join(text.split())
    if not value:
        raise BadInput(f"The {what} cannot be empty.")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise BadInput(f"The {what} cannot contain control characters.")
    if len(value) > limit:
        raise BadInput(f"The {what} can be at most {limit} characters.")
    return value


def clean_text(text: str, limit: int, what: str) -> str:
    """Free text (an info, a message): stripped, NUL and other control characters removed."""
    value = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if len(value) > limit:
        raise BadInput(f"The {what} can be at most {limit} characters.")
    return value


class WorkerPanel(InvokerOnlyView):
    """Maintenance on/off, Rename, Info, Team, Delete (+ Confirm) for one worker."""

    def __init__(
        self,
        services: Services,
        own: OwnWorkersCache,
        worker: WorkerDetails,
        *,
        invoker_id: int,
        timeout: float = PANEL_SECONDS,
    ) -> None:
        super().__init__(invoker_id=invoker_id, timeout=timeout)
        self.services = services
        self.own = own
        self.worker_id = worker.id or ""
        self.name = worker.name or "?"
        self.maintenance = worker.maintenance_mode
        self.info = worker.info or ""
        self.team = worker.team.name or ""
        self.online = worker.online
        self.answer: str | None = None
        self.remove_item(self.confirm)

    def embed(self) -> discord.Embed:
        embed = discord.Embed(title=f"Manage worker {plain(self.name)}"[:256])
        embed.colour = discord.Colour.orange() if self.maintenance else discord.Colour.teal()
        embed.add_field(name="ID", value=f"`{self.worker_id}`", inline=False)
        embed.add_field(name="Online", value="yes" if self.online else "no")
        embed.add_field(name="Maintenance", value="on" if self.maintenance else "off")
        embed.add_field(name="Team", value=plain(self.team) or "none")
        embed.add_field(name="Info", value=plain(self.info)[:1000] or "—", inline=False)
        if self.answer:
            embed.add_field(name="The Horde answered", value=self.answer[:1024], inline=False)
            embed.set_footer(text=CATCH_UP.replace("`", ""))
        return embed

    async def change(
        self,
        interaction: discord.Interaction[Any],
        call: Callable[[str], Awaitable[ModifyWorker]],
        *,
        extra: str = "",
    ) -> None:
        """Send one change with the member's key and show the Horde's answer on the panel."""
        key = await registered_key(self.services, interaction.user.id)
        await interaction.response.defer()
        answer = await call(key)
        self.answer = self._apply(answer) + (f"\n{extra}" if extra else "")
        log.info("Member %s changed worker %s", interaction.user.id, self.worker_id)
        await interaction.edit_original_response(embed=self.embed(), view=self)

    def _apply(self, answer: ModifyWorker) -> str:
        lines = []
        if answer.maintenance is not None:
            self.maintenance = answer.maintenance
            lines.append(f"Maintenance: **{'on' if answer.maintenance else 'off'}**")
        if answer.info is not None:
            self.info = answer.info
            lines.append(f"Info: {plain(answer.info)[:300] or '(empty)'}")
        if answer.name is not None:
            self.name = answer.name
            self.own.renamed(self.invoker_id or 0, self.worker_id, answer.name)
            lines.append(f"Name: **{plain(answer.name)}**")
        if answer.team is not None:
            self.team = "" if answer.team in ("", "None") else answer.team
            lines.append(f"Team: **{plain(self.team) or 'none'}**")
        return "\n".join(lines) or "The Horde accepted the change."

    def modify(self, **fields: Any) -> Callable[[str], Awaitable[ModifyWorker]]:
        horde = self.services.horde
        return lambda key: horde.modify_worker(self.worker_id, apikey=key, **fields)

    @discord.ui.button(label="Maintenance on", style=discord.ButtonStyle.secondary)
    async def maintenance_on(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(MaintenanceModal(self))

    @discord.ui.button(label="Maintenance off", style=discord.ButtonStyle.secondary)
    async def maintenance_off(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self.change(interaction, self.modify(maintenance=False))

    @discord.ui.button(label="Rename", style=discord.ButtonStyle.secondary)
    async def rename(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(RenameModal(self))

    @discord.ui.button(label="Info", style=discord.ButtonStyle.secondary)
    async def edit_info(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(InfoModal(self))

    @discord.ui.button(label="Team", style=discord.ButtonStyle.secondary)
    async def edit_team(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(TeamModal(self))

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger)
    async def delete(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        if self.confirm not in self.children:
            self.add_item(self.confirm)
        self.answer = (
            f"Delete **{plain(self.name)}** from the Horde? Its name, statistics and kudos "
            "history go with it. Press **Confirm** to delete."
        )
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger, row=1)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        key = await registered_key(self.services, interaction.user.id)
        await interaction.response.defer()
        await self.services.horde.delete_worker(self.worker_id, apikey=key)
        self.own.deleted(self.invoker_id or 0, self.worker_id)
        log.info("Member %s deleted worker %s", interaction.user.id, self.worker_id)
        self.answer = f"Worker **{plain(self.name)}** was deleted."
        self.disable_all()
        self.stop()
        await interaction.edit_original_response(embed=self.embed(), view=self)

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_origin(view=self)


class _PanelModal(discord.ui.Modal):
    """A modal that sends its change through the panel; errors are answered like commands'."""

    def __init__(self, panel: WorkerPanel, title: str) -> None:
        super().__init__(title=title, timeout=PANEL_SECONDS)
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

    def __init__(self, panel: WorkerPanel) -> None:
        super().__init__(panel, "Maintenance on")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        text = clean_text(self.message.value, MAX_MAINTENANCE_MSG, "message")
        fields: dict[str, Any] = {"maintenance": True}
        if text:
            fields["maintenance_msg"] = text
        note = "The worker's software shows the message when it next asks for jobs." if text else ""
        await self.panel.change(interaction, self.panel.modify(**fields), extra=note)


class RenameModal(_PanelModal):
    new_name: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="New name", custom_id="name", max_length=MAX_NAME
    )

    def __init__(self, panel: WorkerPanel) -> None:
        super().__init__(panel, "Rename worker")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        name = clean_line(self.new_name.value, MAX_NAME, "name")
        modify = self.panel.modify(name=name)
        await self.panel.change(interaction, modify, extra=RENAME_REMINDER)


class InfoModal(_PanelModal):
    info: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Info shown with the worker",
        custom_id="info",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=MAX_INFO,
    )

    def __init__(self, panel: WorkerPanel) -> None:
        super().__init__(panel, "Worker info")
        self.info.default = panel.info[:MAX_INFO] or None

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        info = clean_text(self.info.value, MAX_INFO, "info")
        await self.panel.change(interaction, self.panel.modify(info=info))


class TeamModal(_PanelModal):
    team: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Team name or id (empty leaves the team)",
        custom_id="team",
        required=False,
        max_length=MAX_NAME,
    )

    def __init__(self, panel: WorkerPanel) -> None:
        super().__init__(panel, "Worker team")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        wanted = " ".join(self.team.value.split())
        team_id = await self._team_id(wanted) if wanted else ""
        await self.panel.change(interaction, self.panel.modify(team=team_id))

    async def _team_id(self, wanted: str) -> str:
        if looks_like_id(wanted):
            return wanted
        team = await self.panel.services.teams.find(wanted)
        if team is None or not team.id:
            raise BadInput(f"The Horde has no team called `{plain(wanted)}`.")
        return team.id
