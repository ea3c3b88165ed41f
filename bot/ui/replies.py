"""Answer an interaction correctly whatever state it is in.

Discord allows exactly one initial response; after a defer the reply must be an edit of
the original (or a follow-up), and after 15 minutes the token is dead. One helper knows
all of that so commands and the error handler never have to.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
) -> None:
    """Send ``content`` as the interaction's answer, never raising for a dead interaction.

    Not answered yet: an initial (ephemeral) message. Deferred as "thinking": the deferred
    message is edited in place, so nothing stays stuck on "thinking". Already answered: an
    ephemeral follow-up.
    """
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            await interaction.edit_original_response(content=content, **kwargs)
        else:
            await interaction.followup.send(content or "\u200b", ephemeral=ephemeral, **kwargs)
    except (discord.NotFound, discord.Forbidden) as exc:
        # The token expired or the message is gone: nobody is left to tell.
        log.info("Could not answer interaction %s: %s", interaction.id, exc.text)
    except discord.HTTPException as exc:
        log.warning("Answering interaction %s failed: %s %s", interaction.id, exc.status, exc.text)
