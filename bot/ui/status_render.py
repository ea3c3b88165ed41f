"""/status as one embed, and its Refresh button."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.invoker_view import InvokerOnlyView
from bot.ui.safe_markdown import safe_markdown
from bot.ui.status_snapshot import HordeSnapshot
from bot.ui.text_stats_render import add_text_stats

if TYPE_CHECKING:
    from bot.horde.models import HordeModes

log = logging.getLogger(__name__)

TOP_MODELS = 8
REFRESH_VIEW_SECONDS = 600.0
_NEWS_CHARS = 300


def _esc(text: str | None) -> str:
    return discord.utils.escape_markdown(text or "")


def _mode(flag: bool) -> str:
    return "on" if flag else "off"


def modes_text(modes: HordeModes | None) -> str:
    """The Horde's modes; None means the Horde would not tell us."""
    if modes is None:
        return "maintenance: unknown · invite-only: unknown"
    maintenance, invite_only = _mode(modes.maintenance_mode), _mode(modes.invite_only_mode)
    return f"maintenance: {maintenance} · invite-only: {invite_only}"


def status_embed(snapshot: HordeSnapshot) -> discord.Embed:
    """Heartbeat and version, load, top text models, modes and the latest news."""
    beat = snapshot.heartbeat
    if beat is None:
        health, colour = "unreachable", discord.Colour.red()
    else:
        health = f"{beat.message or '?'} · version {beat.version or '?'}"
        colour = discord.Colour.green() if beat.message == "OK" else discord.Colour.orange()
    embed = discord.Embed(
        title="AI Horde status", description=f"**Horde:** {health}", colour=colour
    )
    perf = snapshot.performance
    if perf is not None:
        embed.add_field(
            name="Text workers",
            value=f"{perf.text_worker_count:,} ({perf.text_thread_count:,} threads)",
        )
        embed.add_field(
            name="Queued",
            value=f"{perf.queued_text_requests:,} requests · {perf.queued_tokens:,.0f} tokens",
        )
        embed.add_field(name="Past minute", value=f"{perf.past_minute_tokens:,.0f} tokens")
    else:
        embed.add_field(name="Load", value="unavailable")
    embed.add_field(name="Modes", value=modes_text(snapshot.modes), inline=False)
    embed.add_field(name="Top text models", value=_models_text(snapshot), inline=False)
    add_text_stats(embed, snapshot.totals, snapshot.model_stats)
    if snapshot.news:
        piece = snapshot.news[0]
        # The Horde writes its news in markdown: render it (links, emphasis), never ping.
        body = safe_markdown(piece.newspiece or "", _NEWS_CHARS)
        title = safe_markdown(piece.title or "", 200) or "Latest news"
        date = (piece.date_published or "")[:10]
        embed.add_field(name=f"News: {title} ({date})"[:256], value=body or "—", inline=False)
    embed.add_field(name="As of", value=f"<t:{int(snapshot.fetched_at)}:R>", inline=False)
    return embed


def _models_text(snapshot: HordeSnapshot) -> str:
    if not snapshot.models:
        return "none reported"
    lines = []
    for model in snapshot.models[:TOP_MODELS]:
        lines.append(
            # The Horde's ``count`` counts worker threads, not workers.
            f"`{(model.name or '?')[:60]}` — {model.count} worker thread(s), "
            f"{model.queued:,.0f} tokens queued, ETA {model.eta} s"
        )
    return "\n".join(lines)[:1024]


class StatusView(InvokerOnlyView):
    """A Refresh button anyone may press; it shows the (≤ 30 s cached) latest snapshot."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[HordeSnapshot]],
        *,
        timeout: float = REFRESH_VIEW_SECONDS,
    ) -> None:
        super().__init__(invoker_id=None, timeout=timeout)
        self._fetch = fetch

    @discord.ui.button(label="Refresh", style=discord.ButtonStyle.secondary)
    async def refresh(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.defer()
        snapshot = await self._fetch()
        await interaction.edit_original_response(embed=status_embed(snapshot), view=self)

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_origin(view=self)
