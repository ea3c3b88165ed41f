"""/workers list, /workers info and /workers mine: the Horde's text workers.

The worker list is the bot's shared one (bot.worker_list), at most a minute old: the Horde itself
rebuilds it only every 10–30 s, and autocomplete asks on every keystroke.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput, KeyNeedsRelogin, NotLoggedIn
from bot.horde.errors import HordeError, NotFound
from bot.secrets import UndecryptableSecret
from bot.ui.workers_views import WorkerPager, worker_embed
from bot.worker_list import online_first

if TYPE_CHECKING:
    from bot.horde.models import WorkerDetails

log = logging.getLogger(__name__)

MAX_OWN_WORKERS = 25
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# Seconds /workers info may spend looking a worker up before it must acknowledge.
LOOKUP_BEFORE_DEFER = 2.0


def serves(worker: WorkerDetails, model: str) -> bool:
    """Whether ``worker`` offers a model whose name contains ``model`` (case-insensitive)."""
    wanted = model.casefold()
    return any(wanted in name.casefold() for name in worker.models)


class Workers(commands.Cog):
    """Browsing the Horde's text workers."""

    workers = app_commands.Group(name="workers", description="The AI Horde's text workers")

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.cache = bot.services.workers

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
        wanted = current.casefold()
        choices = []
        for worker in await self._cached():
            name = worker.name or ""
            if not worker.id or (wanted and wanted not in name.casefold()):
                continue
            label = f"{name} — {worker.models[0]}" if worker.models else name
            choices.append(app_commands.Choice(name=label[:100], value=worker.id))
        return choices[:25]

    async def _cached(self) -> list[WorkerDetails]:
        """The cached list for autocomplete, which must answer something even on errors."""
        try:
            return await self.cache.get()
        except HordeError as exc:
            log.info("No worker list for autocomplete: %r", exc)
            return []

    async def _resolve(self, query: str) -> WorkerDetails:
        """A worker by id (what autocomplete sends) or by exact name."""
        if not query:
            raise BadInput("Give a worker name or id.")
        horde = self.bot.services.horde
        try:
            if _UUID.match(query):
                return await horde.worker(query)
            for cached in await self.cache.get():
                if (cached.name or "").casefold() == query.casefold():
                    return cached
            return await horde.worker_by_name(query)
        except NotFound:
            raise BadInput(
                f"The Horde has no worker called `{discord.utils.escape_markdown(query)}`."
            ) from None

    @workers.command(name="mine", description="Your own workers (needs /login)")
    async def mine(self, interaction: discord.Interaction[Any]) -> None:
        services = self.bot.services
        try:
            account = await services.accounts.get(interaction.user.id)
        except UndecryptableSecret as exc:
            raise KeyNeedsRelogin() from exc
        if account is None:
            raise NotLoggedIn()
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = await services.horde.find_user(apikey=account.apikey)
        own = await self._fetch_workers(user.worker_ids[:MAX_OWN_WORKERS])
        await self._send_pages(
            interaction,
            sorted(own, key=online_first),
            title=f"Workers of {user.username or 'your account'}",
            empty="Your Horde account has no workers.",
        )

    async def _fetch_workers(self, ids: list[str]) -> list[WorkerDetails]:
        horde = self.bot.services.horde
        results = await asyncio.gather(*(horde.worker(i) for i in ids), return_exceptions=True)
        found: list[WorkerDetails] = []
        for worker_id, result in zip(ids, results, strict=True):
            if isinstance(result, NotFound):
                log.info("Worker %s of a member's account no longer exists", worker_id)
            elif isinstance(result, BaseException):
                raise result
            else:
                found.append(result)
        return found

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
