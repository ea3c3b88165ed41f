"""/history: a member's own recent generations and their results, privately.

It is also where a result lives that reached nobody (the reply's token expired and Discord
refused the DM): such entries are marked. Jobs are kept ``JOB_RETENTION_DAYS``.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.generation import JobKind
from bot.reach import everywhere

__all__ = ["History", "setup"]


class History(commands.Cog):
    """/history (read-only: the engine's stored jobs of the member who asks)."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    @everywhere
    @app_commands.command(name="history", description="Your recent generations (private)")
    @app_commands.describe(page="Page 1 is the newest")
    async def history(
        self,
        interaction: discord.Interaction[Any],
        page: app_commands.Range[int, 1, 1000] = 1,
    ) -> None:
        # Imported on first use, not at start-up: only /history renders stored jobs this way.
        from bot.ui.history_render import PAGE_SIZE, render_history

        await interaction.response.defer(ephemeral=True, thinking=True)
        skip = (page - 1) * PAGE_SIZE
        engine = self.bot.services.generations
        records = await engine.history(interaction.user.id, JobKind.GENERATE, PAGE_SIZE + 1, skip)
        shown = render_history(records[:PAGE_SIZE], page=page, more=len(records) > PAGE_SIZE)
        files = [shown.attachment.to_file()] if shown.attachment else []
        await interaction.edit_original_response(
            embed=shown.embed, attachments=files, allowed_mentions=discord.AllowedMentions.none()
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(History(bot))
