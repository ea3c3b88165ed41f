"""/help: every command in one line, built from the command tree so it never goes stale."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.reach import everywhere
from bot.ui.replies import reply


def command_lines(tree: app_commands.CommandTree[Any]) -> list[str]:
    """One ``/name — description`` line per runnable command (groups are expanded), then
    the message menus (they have no description: Discord shows only their name)."""
    lines = [
        f"`/{command.qualified_name}` — {command.description}"
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
    ]
    menus = tree.get_commands(type=discord.AppCommandType.message)
    return sorted(lines) + [f"Apps → **{menu.name}** (on any message)" for menu in menus]


class Help(commands.Cog):
    """The command list."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    @everywhere
    @app_commands.command(name="help", description="List every command of this bot")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        embed = discord.Embed(
            title="Horde Text Bot",
            description="\n".join(command_lines(self.bot.tree)),
            colour=discord.Colour.blurple(),
        )
        embed.set_footer(
            text="Prompts are sent to volunteer workers of the AI Horde. "
            "Do not send anything private."
        )
        await reply(interaction, embed=embed)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Help(bot))
