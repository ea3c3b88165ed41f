"""``/kudos top``: one page of the Horde's kudos leaderboard as an embed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.ui.safe_markdown import plain

if TYPE_CHECKING:
    from bot.horde.models import UserDetails

#: The Horde lists users 25 to a page (GET /v2/users).
USERS_PER_PAGE = 25
MAX_PAGE = 400


def leaderboard_embed(users: Sequence[UserDetails], page: int) -> discord.Embed:
    """Ranks, usernames and kudos of one page; an empty page says there is nothing there."""
    embed = discord.Embed(title=f"Kudos leaderboard — page {page}", colour=discord.Colour.gold())
    first = (page - 1) * USERS_PER_PAGE + 1
    lines = []
    for rank, user in enumerate(users, start=first):
        name = plain(user.username or "?")[:80]
        lines.append(f"**{rank}.** {name} — {user.kudos:,.0f} kudos")
    embed.description = "\n".join(lines) if lines else "No users on this page."
    embed.set_footer(text="From the AI Horde's user list, sorted by kudos.")
    return embed
