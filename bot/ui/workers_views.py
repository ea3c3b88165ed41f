"""What /workers shows: pages of workers with Previous/Next, and one worker in detail."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.invoker_view import InvokerOnlyView

if TYPE_CHECKING:
    from bot.horde.models import WorkerDetails

log = logging.getLogger(__name__)

PAGE_SIZE = 10
PAGER_SECONDS = 300.0
_MAX_MODELS_SHOWN = 3


def _esc(text: str | None) -> str:
    return discord.utils.escape_markdown(text or "?")


def model_summary(models: Sequence[str], limit: int = _MAX_MODELS_SHOWN) -> str:
    """``a, b, c (+2 more)``: long model lists would crowd the page out."""
    if not models:
        return "no models"
    shown = ", ".join(_esc(m) for m in models[:limit])
    extra = len(models) - limit
    return f"{shown} (+{extra} more)" if extra > 0 else shown


def worker_line(worker: WorkerDetails) -> str:
    """One worker in one short line: models, speed, limits, trust and whether it is up."""
    state = "online" if worker.online else "offline"
    if worker.maintenance_mode:
        state = "maintenance"
    trusted = "trusted" if worker.trusted else "not trusted"
    return (
        f"{model_summary(worker.models)}\n"
        f"{worker.performance or 'speed unknown'} · max {worker.max_length or '?'} / "
        f"ctx {worker.max_context_length or '?'} · {trusted} · {state}"
    )


def page_embed(
    workers: Sequence[WorkerDetails], page: int, *, title: str, empty: str
) -> discord.Embed:
    """Page ``page`` (0-based) of ``workers``, 10 to a page."""
    pages = page_count(len(workers))
    embed = discord.Embed(title=title, colour=discord.Colour.teal())
    chunk = workers[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if not chunk:
        embed.description = empty
    for worker in chunk:
        embed.add_field(
            name=_esc(worker.name)[:256], value=worker_line(worker)[:1024], inline=False
        )
    embed.set_footer(text=f"Page {page + 1}/{pages} · {len(workers)} worker(s)")
    return embed


def worker_choices(
    workers: Sequence[WorkerDetails], current: str
) -> list[discord.app_commands.Choice[str]]:
    """Autocomplete choices (``name — first model``, value the id) matching ``current``."""
    wanted = current.casefold()
    choices = []
    for worker in workers:
        name = worker.name or ""
        if not worker.id or (wanted and wanted not in name.casefold()):
            continue
        label = f"{name} — {worker.models[0]}" if worker.models else name
        choices.append(discord.app_commands.Choice(name=label[:100], value=worker.id))
    return choices[:25]


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def worker_embed(worker: WorkerDetails) -> discord.Embed:
    """One worker in detail (``/workers info``)."""
    embed = discord.Embed(
        title=_esc(worker.name)[:256],
        description=_esc(worker.info)[:1000] if worker.info else None,
        colour=discord.Colour.teal() if worker.online else discord.Colour.dark_grey(),
    )
    embed.add_field(name="ID", value=f"`{worker.id}`", inline=False)
    embed.add_field(name="Online", value="yes" if worker.online else "no")
    embed.add_field(name="Trusted", value="yes" if worker.trusted else "no")
    embed.add_field(name="Maintenance", value="yes" if worker.maintenance_mode else "no")
    embed.add_field(name="Speed", value=worker.performance or "unknown")
    embed.add_field(name="Threads", value=str(worker.threads))
    embed.add_field(
        name="Max length / context",
        value=f"{worker.max_length or '?'} / {worker.max_context_length or '?'}",
    )
    embed.add_field(name="Requests fulfilled", value=f"{worker.requests_fulfilled:,}")
    embed.add_field(name="Kudos earned", value=f"{worker.kudos_rewards:,.0f}")
    embed.add_field(name="Uptime", value=_duration(worker.uptime))
    if worker.owner:
        embed.add_field(name="Owner", value=_esc(worker.owner))
    if worker.team.name:
        embed.add_field(name="Team", value=_esc(worker.team.name))
    models = ", ".join(_esc(m) for m in worker.models) or "none"
    embed.add_field(name=f"Models ({len(worker.models)})", value=models[:1024], inline=False)
    return embed


def _duration(seconds: int) -> str:
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days} d {hours} h" if days else f"{hours} h {rest // 60} min"


class WorkerPager(InvokerOnlyView):
    """Previous / Next through a fixed list of workers; only the invoker may turn pages."""

    def __init__(
        self,
        workers: Sequence[WorkerDetails],
        *,
        invoker_id: int,
        title: str,
        empty: str,
        timeout: float = PAGER_SECONDS,
    ) -> None:
        super().__init__(invoker_id=invoker_id, timeout=timeout)
        self.workers = list(workers)
        self.title = title
        self.empty = empty
        self.page = 0
        self._sync_buttons()

    @property
    def pages(self) -> int:
        return page_count(len(self.workers))

    def embed(self) -> discord.Embed:
        return page_embed(self.workers, self.page, title=self.title, empty=self.empty)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, +1)

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_origin(view=self)
