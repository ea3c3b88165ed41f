"""What one press of the ``/workers manage`` panel works from: nothing kept in memory.

The panel's buttons carry the member's and the worker's ids (see :mod:`bot.ui.worker_panel`),
so any process, before or after a restart, can answer them: :meth:`PanelTarget.load` looks the
member's registered key up again (a ``/logout`` takes effect at once), checks the worker is
still on their account, and reads the worker from the Horde. The Horde caches worker reads for
~30 s, so after a change the panel shows the changed fields from the Horde's answer to it, not
from the (possibly older) read.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.own_key import registered_key
from bot.own_workers import OwnWorkersCache
from bot.services import Services
from bot.ui.safe_markdown import plain

if TYPE_CHECKING:
    from bot.horde.models import ModifyWorker, WorkerDetails

log = logging.getLogger(__name__)

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
NOT_YOURS = (
    "That worker is no longer on the Horde account you registered with `/login`. "
    "Open `/workers manage` again."
)

Change = Callable[[str], Awaitable["ModifyWorker"]]


@dataclass
class PanelState:
    """What the panel shows of one worker."""

    worker_id: str
    name: str
    maintenance: bool
    info: str
    team: str
    online: bool
    answer: str | None = None

    @classmethod
    def of(cls, worker: WorkerDetails) -> PanelState:
        return cls(
            worker_id=worker.id or "",
            name=worker.name or "?",
            maintenance=worker.maintenance_mode,
            info=worker.info or "",
            team=worker.team.name or "",
            online=worker.online,
        )

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

    def apply(self, answer: ModifyWorker) -> str:
        """Take the Horde's answer to a change; the lines saying what changed."""
        lines = []
        if answer.maintenance is not None:
            self.maintenance = answer.maintenance
            lines.append(f"Maintenance: **{'on' if answer.maintenance else 'off'}**")
        if answer.info is not None:
            self.info = answer.info
            lines.append(f"Info: {plain(answer.info)[:300] or '(empty)'}")
        if answer.name is not None:
            self.name = answer.name
            lines.append(f"Name: **{plain(answer.name)}**")
        if answer.team is not None:
            self.team = "" if answer.team in ("", "None") else answer.team
            lines.append(f"Team: **{plain(self.team) or 'none'}**")
        return "\n".join(lines) or "The Horde accepted the change."


@dataclass
class PanelTarget:
    """One press: the member (who opened the panel), their key and the worker's fresh state."""

    services: Services
    own: OwnWorkersCache
    owner_id: int
    apikey: str
    state: PanelState

    @classmethod
    async def key_of(cls, services: Services, member_id: int) -> str:
        """The member's registered key, read now (refuses plainly after a /logout)."""
        return await registered_key(services, member_id)

    @classmethod
    async def load(
        cls, services: Services, own: OwnWorkersCache, owner_id: int, worker_id: str, key: str
    ) -> PanelTarget:
        """Check the worker is still the member's, then read it from the Horde."""
        mine = await own.get(owner_id, key)
        if all(w.id != worker_id for w in mine):
            raise UserFacingError(NOT_YOURS)
        details = await services.horde.worker(worker_id, apikey=key)
        return cls(services, own, owner_id, key, PanelState.of(details))

    def modify(self, **fields: Any) -> Change:
        horde, worker_id = self.services.horde, self.state.worker_id
        return lambda key: horde.modify_worker(worker_id, apikey=key, **fields)

    async def change(self, call: Change, *, extra: str = "") -> None:
        """Send one change with the member's key and note the Horde's answer in the state."""
        answer = await call(self.apikey)
        self.state.answer = self.state.apply(answer) + (f"\n{extra}" if extra else "")
        if answer.name is not None:
            self.own.renamed(self.owner_id, self.state.worker_id, answer.name)
        log.info("Member %s changed worker %s", self.owner_id, self.state.worker_id)

    async def delete(self) -> None:
        await self.services.horde.delete_worker(self.state.worker_id, apikey=self.apikey)
        self.own.deleted(self.owner_id, self.state.worker_id)
        log.info("Member %s deleted worker %s", self.owner_id, self.state.worker_id)
        self.state.answer = f"Worker **{plain(self.state.name)}** was deleted."
