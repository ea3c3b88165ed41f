"""Notices when the Horde stops accepting a server's sponsor key, and says so once.

A job paid with a sponsor key is watched: when it ends because the Horde refused the key
(401 InvalidAPIKey, or a shared key that is empty or expired), the key is revoked in storage
and the server's log channel is told — once, whichever process or job saw it first — and
:func:`bot.policy.choose_key` skips it until a moderator sets a key again.
"""

from __future__ import annotations

import logging

import discord

from bot.generation import ErrorInfo, ErrorKind, JobListener, JobSnapshot, Payer
from bot.horde.rc import RC
from bot.services import Services
from bot.ui.modlog import post_to_log_channel

__all__ = ["SponsorWatch", "sponsor_key_refused", "watched"]

log = logging.getLogger(__name__)

# The Horde's answers meaning "this key will not pay again" (not a passing limit).
_DEAD_KEY_RCS = frozenset({RC.SharedKeyEmpty, RC.SharedKeyExpired, RC.InvalidAPIKey})

REVOKED_NOTICE = (
    "⚠️ The AI Horde no longer accepts this server's sponsor key ({why}). Members without "
    "their own key now use the bot's default key. A moderator can set a new one with "
    "`/mod sponsor set`."
)


def sponsor_key_refused(error: ErrorInfo | None) -> str | None:
    """Why the Horde refused the paying key for good (plain words), or None."""
    if error is None:
        return None
    if error.rc == RC.SharedKeyEmpty:
        return "the shared key has no kudos left"
    if error.rc == RC.SharedKeyExpired:
        return "the shared key has expired"
    # rc None with this kind is the bot's own "stored key unreadable", not the Horde's answer.
    if error.kind == ErrorKind.INVALID_API_KEY and error.rc in _DEAD_KEY_RCS:
        return "the key is not valid any more"
    return None


class SponsorWatch:
    """A :class:`JobListener` around another one, for a job paid with a sponsor key."""

    def __init__(
        self, inner: JobListener, client: discord.Client, services: Services, guild_id: int
    ) -> None:
        self._inner = inner
        self._client = client
        self._services = services
        self._guild_id = guild_id

    async def on_update(self, snapshot: JobSnapshot) -> None:
        await self._inner.on_update(snapshot)
        why = sponsor_key_refused(snapshot.error) if snapshot.terminal else None
        if why is None:
            return
        try:
            await report_refused_sponsor(self._client, self._services, self._guild_id, why)
        except Exception:  # the member's reply is delivered; a failed report must not undo it
            log.exception("could not revoke the sponsor key of guild %s", self._guild_id)


async def report_refused_sponsor(
    client: discord.Client, services: Services, guild_id: int, why: str
) -> None:
    """Revoke the guild's sponsor key; only the call that revoked it tells the log channel."""
    if not await services.sponsors.revoke(guild_id):
        return
    log.warning(
        "The Horde refused the sponsor key of guild %s (%s); it is skipped now", guild_id, why
    )
    await post_to_log_channel(client, guild_id, REVOKED_NOTICE.format(why=why))


def watched(
    listener: JobListener,
    client: discord.Client,
    services: Services,
    payer: Payer | None,
    guild_id: int | None,
) -> JobListener:
    """``listener``, watched when the job is paid with ``guild_id``'s sponsor key."""
    if payer is not Payer.SPONSOR or guild_id is None:
        return listener
    return SponsorWatch(listener, client, services, guild_id)
