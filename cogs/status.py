"""/status: the AI Horde at a glance, in one reply with a Refresh button.

Seven Horde calls make one snapshot; it is cached for 30 s (the Horde caches most of it for
as long or longer), so many members asking at once cost the Horde one round of calls.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.reach import everywhere
from bot.ui.status_snapshot import StatusCache

log = logging.getLogger(__name__)


class Status(commands.Cog):
    """The Horde's health, load, models, modes and news."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.cache = StatusCache(bot.services.horde, bot.services.clock)

    @everywhere
    @app_commands.command(name="status", description="The AI Horde at a glance")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        # Imported on first use, not at start-up: only /status draws this embed and view.
        from bot.ui.status_render import StatusView, status_embed

        await interaction.response.defer(thinking=True)
        snapshot = await self.cache.get()
        view = StatusView(self.cache.get)
        await interaction.edit_original_response(embed=status_embed(snapshot), view=view)
        view.origin = interaction


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Status(bot))
