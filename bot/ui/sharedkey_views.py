"""/sharedkey: a member's shared keys as the Horde reports them, and their words.

A shared key's id IS the key (whoever holds it pays with its owner's kudos), so the bot never
stores one and shows it exactly once: in the private reply to ``/sharedkey create``. Lists,
autocompletes and confirmations name keys by their name (or "unnamed N"), never by id.
The member's keys are read with their own key (``/v2/users/{id}``: ``sharedkey_ids``) and
kept for 60 s per member (the Horde caches them as long), so an autocomplete does not ask
the Horde on every keystroke.
"""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.clock import Clock
from bot.errors import BadInput
from bot.horde.errors import NotFound, SharedKeyNotFound

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import SharedKeyDetails

__all__ = ["MemberKeys", "find_key", "key_label", "key_line", "keys_text"]

CACHE_SECONDS = 60.0
MAX_KEYS = 10  # 3 per account, 10 for trusted ones


@dataclass(frozen=True)
class _Entry:
    fetched_at: float
    keys: tuple[SharedKeyDetails, ...]


class MemberKeys:
    """Each member's shared keys, read with their key and cached for :data:`CACHE_SECONDS`."""

    def __init__(self, horde: HordeClient, clock: Clock) -> None:
        self._horde = horde
        self._clock = clock
        self._cache: dict[int, _Entry] = {}

    def forget(self, discord_user_id: int) -> None:
        """Drop the member's cached list (after they changed a key)."""
        self._cache.pop(discord_user_id, None)

    def cached(self, discord_user_id: int) -> tuple[SharedKeyDetails, ...] | None:
        entry = self._cache.get(discord_user_id)
        if entry is None or self._clock.time() - entry.fetched_at > CACHE_SECONDS:
            return None
        return entry.keys

    async def get(self, discord_user_id: int, apikey: str) -> tuple[SharedKeyDetails, ...]:
        """The member's keys (cached, else from the Horde)."""
        keys = self.cached(discord_user_id)
        if keys is not None:
            return keys
        user = await self._horde.find_user(apikey=apikey)
        ids = list(user.sharedkey_ids or ())[:MAX_KEYS]
        found = await asyncio.gather(*(self._one(i) for i in ids))
        keys = tuple(k for k in found if k is not None)
        self._cache[discord_user_id] = _Entry(self._clock.time(), keys)
        return keys

    async def _one(self, sharedkey_id: str) -> SharedKeyDetails | None:
        try:
            return await self._horde.shared_key(sharedkey_id)
        except (SharedKeyNotFound, NotFound):
            return None  # deleted meanwhile


def key_label(keys: tuple[SharedKeyDetails, ...], index: int) -> str:
    """The name a key is chosen by: its own name, else "unnamed N" (never its id)."""
    name = (keys[index].name or "").strip()
    if name:
        return name
    unnamed = [i for i, k in enumerate(keys) if not (k.name or "").strip()]
    return f"unnamed {unnamed.index(index) + 1}"


def find_key(keys: tuple[SharedKeyDetails, ...], wanted: str) -> SharedKeyDetails:
    """The one key called ``wanted``; :class:`BadInput` when none or several are."""
    target = wanted.strip().casefold()
    matches = [k for i, k in enumerate(keys) if key_label(keys, i).casefold() == target]
    shown = discord.utils.escape_markdown(wanted.strip())[:100]
    if not matches:
        raise BadInput(f"You have no shared key called `{shown}`. See `/sharedkey list`.")
    if len(matches) > 1:
        raise BadInput(
            f"Several of your shared keys are called `{shown}`. Rename one with "
            "`/sharedkey edit` first, or delete them on the Horde's website."
        )
    return matches[0]


def _expiry(details: SharedKeyDetails) -> str:
    if not details.expiry:
        return "never expires"
    try:
        parsed = datetime.datetime.fromisoformat(details.expiry)
    except ValueError:
        return f"expires {discord.utils.escape_markdown(details.expiry[:40])}"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return f"expires <t:{int(parsed.timestamp())}:R>"


def _limit(value: int, unit: str) -> str:
    return f"no {unit} limit" if value == -1 else f"≤ {value:,} {unit}"


def key_line(details: SharedKeyDetails, label: str) -> str:
    """One key in one line: name, kudos left, expiry, per-job limits (never the key)."""
    if details.kudos == -1:
        kudos = f"no kudos cap, {details.utilized:,} spent"
    else:
        left = max(details.kudos - details.utilized, 0)
        kudos = f"{left:,} of {details.kudos:,} kudos left"
    limits = _limit(details.max_text_tokens, "tokens per text job")
    name = discord.utils.escape_markdown(label)
    return f"**{name}** — {kudos}, {_expiry(details)}, {limits}"


def keys_text(keys: tuple[SharedKeyDetails, ...]) -> str:
    """``/sharedkey list``."""
    if not keys:
        return "You have no shared keys. Make one with `/sharedkey create`."
    lines = [key_line(k, key_label(keys, i)) for i, k in enumerate(keys)]
    return "Your shared keys:\n" + "\n".join(f"• {line}" for line in lines)
