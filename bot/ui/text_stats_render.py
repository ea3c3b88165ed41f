"""The Horde's text statistics in /status: requests and tokens per period, top models today."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.horde.models import StatsTxtTotals, TxtModelStats


TOP_MODELS_TODAY = 5
_PERIODS = (("minute", "min"), ("hour", "hour"), ("day", "day"), ("month", "month"))


def _short(number: float) -> str:
    """1234 → ``1.2k``, 5_600_000 → ``5.6M``: four periods must fit one field."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:.1f}{suffix}"
    return f"{number:,.0f}"


def totals_text(totals: StatsTxtTotals) -> str:
    requests, tokens = [], []
    for attr, label in _PERIODS:
        period = getattr(totals, attr)
        requests.append(f"{_short(period.requests)}/{label}")
        tokens.append(f"{_short(period.tokens)}/{label}")
    return f"Requests: {' · '.join(requests)}\nTokens: {' · '.join(tokens)}"


def top_models_today(stats: TxtModelStats, limit: int = TOP_MODELS_TODAY) -> str:
    ranked = sorted(stats.day.items(), key=lambda item: (-item[1], item[0].casefold()))[:limit]
    if not ranked:
        return "none today"
    return "\n".join(f"`{name[:60]}` — {count:,} request(s)" for name, count in ranked)


def add_text_stats(
    embed: discord.Embed, totals: StatsTxtTotals | None, stats: TxtModelStats | None
) -> None:
    """Add the statistics fields; a part the Horde did not give is left out."""
    if totals is not None:
        embed.add_field(name="Text statistics", value=totals_text(totals), inline=False)
    if stats is not None:
        embed.add_field(
            name="Most used models today", value=top_models_today(stats)[:1024], inline=False
        )
