"""A test-only extension whose command fails unexpectedly (for the error path tests)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

# A direct message with exactly this text makes the cog's on_message listener raise.
EVENT_BOOM = "boom in an event handler"


class Boom(commands.Cog):
    @app_commands.command(name="boom", description="Fails on purpose")
    async def boom(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @app_commands.command(name="slowboom", description="Defers, then fails on purpose")
    async def slowboom(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        raise RuntimeError("kaboom after defer")

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.content == EVENT_BOOM:
            raise RuntimeError("kaboom in on_message")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Boom())
