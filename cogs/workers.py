"""/workers list, /workers info, /workers mine and /workers manage: the Horde's text workers.

The worker list is the bot's shared one (bot.worker_list), at most a minute old: the Horde itself
rebuilds it only every 10–30 s, and autocomplete asks on every keystroke.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import UserFacingError
from bot.horde.errors import HordeError
from bot.own_key import registered_key
from bot.reach import everywhere
from bot.ui.worker_panel import WorkerPanelButton, panel_view
from bot.ui.worker_panel_state import PanelState
from bot.ui.workers_views import WorkerPager, worker_choices, worker_embed
from bot.worker_list import online_first, resolve_worker

if TYPE_CHECKING:
    from bot.horde.models import WorkerDetails

log = logging.getLogger(__name__)


# Seconds an autocomplete may wait for the Horde (Discord drops answers after 3 s).
AUTOCOMPLETE_SECONDS = 2.0

# Seconds /workers info may spend looking a worker up before it must acknowledge.
LOOKUP_BEFORE_DEFER = 2.0


def serves(worker: WorkerDetails, model: str) -> bool:
    """Whether ``worker`` offers a model whose name contains ``model`` (case-insensitive)."""
    wanted = model.casefold()
    return any(wanted in name.casefold() for name in worker.models)


class NotYourWorker(UserFacingError):  # noqa: N818 - reads as a sentence at raise sites
    """The worker is not on the member's own Horde account."""

    def __init__(self, wanted: str) -> None:
        super().__init__(
            f"`{discord.utils.escape_markdown(wanted)[:100]}` is not one of your workers. "
            "Pick one from the list: it shows the workers of the account you registered "
            "with `/login`."
        )


class Workers(commands.Cog):
    """Browsing the Horde's text workers."""

    workers = everywhere(
        app_commands.Group(name="workers", description="The AI Horde's text workers")
    )

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.cache = bot.services.workers
        self.own = bot.services.own_workers  # shared with the panel's buttons

    async def cog_load(self) -> None:
        # The panel's buttons are answered from their custom ids, in any process, any time.
        self.bot.add_dynamic_items(WorkerPanelButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(WorkerPanelButton)

    @workers.command(name="list", description="Active text workers, 10 a page")
    @app_commands.describe(model="Only workers serving a model whose name contains this")
    async def list_workers(
        self, interaction: discord.Interaction[Any], model: str | None = None
    ) -> None:
        await interaction.response.defer(thinking=True)
        workers = await self.cache.get()
        if model:
            workers = [w for w in workers if serves(w, model)]
        title = f"Text workers serving “{model}”" if model else "Active text workers"
        empty = "No active text worker serves that model." if model else "No text worker is up."
        await self._send_pages(interaction, workers, title=title, empty=empty)

    @list_workers.autocomplete("model")
    async def _model_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        names = sorted({m for w in await self._cached() for m in w.models}, key=str.casefold)
        wanted = current.casefold()
        return [
            app_commands.Choice(name=name[:100], value=name[:100])
            for name in names
            if wanted in name.casefold()
        ][:25]

    @workers.command(name="info", description="One worker in detail")
    @app_commands.describe(worker="The worker's name or id")
    async def info(self, interaction: discord.Interaction[Any], worker: str) -> None:
        # Look the worker up before answering, so "no such worker" stays private; only a
        # slow Horde makes us acknowledge first (Discord allows 3 s) with a public "thinking".
        lookup = asyncio.ensure_future(self._resolve(worker.strip()))
        done, _ = await asyncio.wait({lookup}, timeout=LOOKUP_BEFORE_DEFER)
        if not done:
            await interaction.response.defer(thinking=True)
        found = await lookup
        if interaction.response.is_done():
            await interaction.edit_original_response(embed=worker_embed(found))
        else:
            await interaction.response.send_message(embed=worker_embed(found))

    @info.autocomplete("worker")
    async def _worker_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return worker_choices(await self._cached(), current)

    async def _cached(self) -> list[WorkerDetails]:
        """The cached list for autocomplete, which must answer something even on errors."""
        try:
            return await self.cache.get()
        except HordeError as exc:
            log.info("No worker list for autocomplete: %r", exc)
            return []

    async def _resolve(self, query: str) -> WorkerDetails:
        """A worker by id (what autocomplete sends) or by exact name."""
        return await resolve_worker(self.bot.services.horde, self.cache, query)

    @workers.command(name="mine", description="Your own workers (needs /login)")
    async def mine(self, interaction: discord.Interaction[Any]) -> None:
        key = await registered_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        own = await self.own.read(key)
        await self._send_pages(
            interaction,
            sorted(own, key=online_first),
            title="Your workers — change one with /workers manage",
            empty="Your Horde account has no workers.",
        )

    @workers.command(name="manage", description="Change one of your own workers (needs /login)")
    @app_commands.describe(worker="One of your workers")
    async def manage(self, interaction: discord.Interaction[Any], worker: str) -> None:
        key = await registered_key(self.bot.services, interaction.user.id)
        wanted = worker.strip()
        await interaction.response.defer(ephemeral=True, thinking=True)
        mine = await self.own.get(interaction.user.id, key)
        match = next(
            (w for w in mine if w.id == wanted or w.name.casefold() == wanted.casefold()), None
        )
        if match is None:
            raise NotYourWorker(wanted)
        details = await self.bot.services.horde.worker(match.id, apikey=key)
        view = panel_view(interaction.user.id, match.id)
        await interaction.edit_original_response(embed=PanelState.of(details).embed(), view=view)

    @manage.autocomplete("worker")
    async def _own_worker_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            key = await registered_key(self.bot.services, interaction.user.id)
            mine = await asyncio.wait_for(
                self.own.get(interaction.user.id, key), timeout=AUTOCOMPLETE_SECONDS
            )
        except (UserFacingError, HordeError, TimeoutError) as exc:
            log.info("No own-worker list for autocomplete: %r", exc)
            mine = self.own.cached(interaction.user.id) or []
        wanted = current.casefold()
        return [
            app_commands.Choice(name=w.name[:100], value=w.id)
            for w in mine
            if wanted in w.name.casefold()
        ][:25]

    async def _send_pages(
        self,
        interaction: discord.Interaction[Any],
        workers: list[WorkerDetails],
        *,
        title: str,
        empty: str,
    ) -> None:
        view = WorkerPager(workers, invoker_id=interaction.user.id, title=title, empty=empty)
        if view.pages > 1:
            await interaction.edit_original_response(embed=view.embed(), view=view)
            view.origin = interaction
        else:
            view.stop()
            await interaction.edit_original_response(embed=view.embed())


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Workers(bot))
