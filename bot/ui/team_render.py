"""What /team shows: one team in detail."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.ui.safe_markdown import plain

if TYPE_CHECKING:
    from bot.horde.models import TeamDetails

_MAX_MODELS = 10


def team_embed(team: TeamDetails) -> discord.Embed:
    embed = discord.Embed(
        title=plain(team.name or "?")[:256],
        description=plain(team.info)[:1000] or None,
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="ID", value=f"`{team.id}`", inline=False)
    embed.add_field(name="Workers", value=str(team.worker_count))
    embed.add_field(name="Requests fulfilled", value=f"{team.requests_fulfilled:,}")
    embed.add_field(name="Kudos earned", value=f"{team.kudos:,.0f}")
    if team.creator:
        embed.add_field(name="Created by", value=plain(team.creator))
    models = ", ".join(plain(m.name) for m in team.models[:_MAX_MODELS] if m.name)
    if models:
        embed.add_field(name="Models", value=models[:1024], inline=False)
    return embed
