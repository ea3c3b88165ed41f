"""Post moderator actions and bot errors to a guild's log channel (``/mod log-channel``).

Best effort: a missing channel, a lost permission or a Discord outage is logged here and
never breaks the command that reported something.
"""

from __future__ import annotations

import logging

import discord

from bot.ui.replies import NO_MENTIONS

log = logging.getLogger(__name__)

_MAX_CONTENT = 2000


async def post_to_log_channel(bot: discord.Client, guild_id: int | None, text: str) -> bool:
    """Send ``text`` to the guild's log channel, if one is set; True when it was posted.

    ``bot`` must carry ``services`` (a :class:`bot.bot.HordeBot`). Mentions are disabled,
    so a logged name never pings anyone.
    """
    services = getattr(bot, "services", None)
    if guild_id is None or services is None:
        return False
    settings = await services.guild_settings.get(guild_id)
    channel_id = settings.log_channel_id
    if channel_id is None:
        return False
    channel = bot.get_channel(channel_id)
    try:
        if channel is None:
            channel = await bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("Log channel %s of guild %s cannot take messages", channel_id, guild_id)
            return False
        if len(text) > _MAX_CONTENT:
            text = text[: _MAX_CONTENT - 1] + "…"
        await channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning(
            "Could not post to log channel %s of guild %s: %s", channel_id, guild_id, exc.status
        )
        return False
    return True
