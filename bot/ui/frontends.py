"""The job-kind seam: one front end per kind of job, looked up by the job's kind.

The engine (:mod:`bot.generation`) runs every job the same way; what differs between a
/generate reply and a chat turn is only how a snapshot becomes a Discord message and what
the reply's buttons do. Each kind registers one :class:`FrontEnd` for that in the bot's
:class:`FrontEnds` (``bot.app.open_bot`` wires them with the rest of the services). The
engine's resume asks :meth:`FrontEnds.listener_for`; every job button goes through
:meth:`FrontEnds.press`, which dispatches on the kind of the job the button belongs to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import discord

from bot.errors import NotPermitted
from bot.generation.state import JobKind, JobListener, JobRecord, Payer
from bot.services import Services
from bot.tree import answer_error
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL
from bot.ui.replies import reply
from bot.ui.sponsor_watch import watched

__all__ = [
    "ButtonPress",
    "FrontEnd",
    "FrontEndBase",
    "FrontEnds",
    "JobLookup",
    "may_manage",
    "require_manager",
]

log = logging.getLogger(__name__)

FrontEndT = TypeVar("FrontEndT")

# A button whose job was purged (retention) is handled as a /generate reply's: its Delete
# button carries the owner and keeps working; other actions answer "no longer known".
PURGED_KIND = JobKind.GENERATE


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A click on a job's button: what was asked, and the job (None: no longer stored)."""

    action: str  # cancel | again | more | delete
    job_id: int
    owner_id: int | None  # carried by Cancel and Delete of /generate replies
    record: JobRecord | None


class FrontEnd(Protocol):
    """The Discord side of one job kind."""

    def listener(self, record: JobRecord) -> JobListener:
        """The listener that completes a stored job's reply (resume after a restart)."""
        ...

    async def on_button(self, interaction: discord.Interaction[Any], press: ButtonPress) -> None:
        """Handle a click on one of this kind's buttons; answers the interaction itself."""
        ...

    def watch_sponsor(
        self, listener: JobListener, payer: Payer | None, guild_id: int | None
    ) -> JobListener:
        """Wrap the listener of a job paid with a sponsor key (see :mod:`bot.ui.sponsor_watch`)."""
        ...

    async def start(self) -> None:
        """Start background work once the bot runs (after the engine resumed)."""
        ...

    async def close(self) -> None: ...


class FrontEndBase:
    """What every front end holds: the Discord client, the services, the edit pacing."""

    def __init__(
        self,
        client: discord.Client,
        services: Services,
        *,
        edit_interval: float = DEFAULT_EDIT_INTERVAL,
    ) -> None:
        self._client = client
        self.services = services
        self._edit_interval = edit_interval

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def watch_sponsor(
        self, listener: JobListener, payer: Payer | None, guild_id: int | None
    ) -> JobListener:
        """``listener``, watched for a refused sponsor key when the sponsor pays."""
        return watched(listener, self._client, self.services, payer, guild_id)


class JobLookup(Protocol):
    async def get(self, job_id: int) -> JobRecord | None: ...


def may_manage(interaction: discord.Interaction[Any], *owner_ids: int | None) -> bool:
    """An owner of the reply, or (in a server) a member with Manage Messages in this channel."""
    if interaction.user.id in owner_ids:
        return True
    return interaction.guild_id is not None and interaction.permissions.manage_messages


def require_manager(interaction: discord.Interaction[Any], owner_id: int, doing: str) -> None:
    """Refuse (NotPermitted) unless :func:`may_manage`; ``doing``: "cancel it", …"""
    if not may_manage(interaction, owner_id):
        raise NotPermitted(
            "Only the member who started this generation, or someone with Manage Messages, "
            f"can {doing}."
        )


class FrontEnds:
    """The registry: one :class:`FrontEnd` per :class:`JobKind`."""

    def __init__(self, jobs: JobLookup) -> None:
        self._jobs = jobs
        self._by_kind: dict[JobKind, FrontEnd] = {}

    def register(self, kind: JobKind, front_end: FrontEnd) -> None:
        self._by_kind[kind] = front_end

    def get(self, kind: JobKind, expected: type[FrontEndT]) -> FrontEndT:
        """The front end of ``kind``, typed (a cog uses its own kind's front end)."""
        front_end = self._by_kind[kind]
        assert isinstance(front_end, expected), (kind, front_end)
        return front_end

    def listener_for(self, record: JobRecord) -> JobListener:
        """The engine's ``listener_factory``: the listener of a stored job, by its kind."""
        front_end = self._by_kind[record.kind]
        return front_end.watch_sponsor(front_end.listener(record), record.payer, record.guild_id)

    async def press(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        job_id: int,
        owner_id: int | None,
        kind_hint: JobKind | None = None,
    ) -> None:
        """Dispatch a button click to the front end of the job's kind; errors are answered
        in plain words (never "interaction failed")."""
        try:
            record = await self._jobs.get(job_id)
            kind = record.kind if record is not None else (kind_hint or PURGED_KIND)
            front_end = self._by_kind.get(kind)
            if front_end is None:
                await reply(interaction, "That reply's buttons are not available right now.")
                return
            await front_end.on_button(interaction, ButtonPress(action, job_id, owner_id, record))
        except Exception as error:
            await answer_error(interaction, error)

    async def start(self) -> None:
        for front_end in self._by_kind.values():
            await front_end.start()

    async def close(self) -> None:
        for front_end in self._by_kind.values():
            await front_end.close()
