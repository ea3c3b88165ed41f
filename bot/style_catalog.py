"""The Horde's text styles, cached for every command that shows or uses them.

The Horde allows about 20 text-style requests an hour per IP, listing included, so the bot
keeps ONE shared list (the most popular styles, :data:`PAGES` pages of 25) for at least
:data:`REFRESH_SECONDS`: an autocomplete or ``/styles list`` reads only the cache; once the
list is stale it is refreshed in the background while callers keep the old one. When the
Horde answers 429 the list is kept and no request is made for :data:`BACKOFF_SECONDS`.
Changes the bot makes (create, edit, delete) update the cache from what the Horde answered,
without a re-read. Discord-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.clock import SYSTEM_CLOCK, Clock
from bot.horde.errors import HordeError, NotFound, RateLimited

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import StyleKobold

__all__ = ["StyleCatalog", "StyleLimitReached"]

log = logging.getLogger(__name__)

PAGES = 2  # 50 styles, 2 of the ~20 requests an hour at most every REFRESH_SECONDS
REFRESH_SECONDS = 900.0  # 15 minutes (at least 10, the brief's floor)
BACKOFF_SECONDS = 1800.0  # after a 429: the Horde's window is an hour
AUTOCOMPLETE_WAIT = 2.0


class StyleLimitReached(HordeError):  # noqa: N818 - reads as a sentence at raise sites
    """The Horde's per-IP limit on style requests is reached and nothing is cached."""


class StyleCatalog:
    """One shared, background-refreshed cache of the Horde's text styles."""

    def __init__(self, horde: HordeClient, clock: Clock = SYSTEM_CLOCK) -> None:
        self._horde = horde
        self._clock = clock
        self._styles: dict[str, StyleKobold] = {}  # by id, most popular first
        self._fetched_at: float | None = None
        self._blocked_until = 0.0
        self._refresh: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # --- reading ---------------------------------------------------------------------

    async def styles(self) -> list[StyleKobold]:
        """The cached styles; fetched now only when nothing is cached yet."""
        if self._fetched_at is None:
            async with self._lock:
                if self._fetched_at is None:
                    await self._fetch()
        elif self._stale():
            self._refresh_in_background()
        return list(self._styles.values())

    def cached(self) -> list[StyleKobold]:
        """What is cached, never asking the Horde; starts a refresh if stale."""
        if self._fetched_at is None or self._stale():
            self._refresh_in_background()
        return list(self._styles.values())

    async def for_autocomplete(self, wait: float = AUTOCOMPLETE_WAIT) -> list[StyleKobold]:
        """The cache; only before the very first fetch, wait up to ``wait`` s for it (one
        shared request, not one per keystroke; Discord drops answers after 3 s)."""
        if self._fetched_at is None:
            self._refresh_in_background()
            task = self._refresh
            if task is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), wait)
        return self.cached()

    async def get(self, style_id: str) -> StyleKobold | None:
        """The style with this id: from the cache, else one request (None: no such style)."""
        found = self._styles.get(style_id)
        if found is not None:
            return found
        self._check_not_blocked()
        try:
            style = await self._horde.text_style(style_id, retries=0)
        except NotFound:
            return None
        except RateLimited as exc:
            self._blocked_until = self._clock.monotonic() + BACKOFF_SECONDS
            raise StyleLimitReached(exc.message, status=exc.status, rc=exc.rc) from None
        return style

    # --- keeping it current after the bot's own changes --------------------------------

    def put(self, style: StyleKobold) -> None:
        """Record a style as the Horde now has it (after a create or an edit)."""
        if style.id:
            self._styles[style.id] = style

    def forget(self, style_id: str) -> None:
        self._styles.pop(style_id, None)

    def check_budget(self) -> None:
        """Raise :class:`StyleLimitReached` while the Horde's limit is known to be reached."""
        self._check_not_blocked()

    def note_rate_limited(self) -> None:
        """A style request of the bot got 429: stop asking for a while."""
        self._blocked_until = self._clock.monotonic() + BACKOFF_SECONDS

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()

    # --- internals ---------------------------------------------------------------------

    def _stale(self) -> bool:
        fetched = self._fetched_at
        return fetched is None or self._clock.monotonic() - fetched >= REFRESH_SECONDS

    def _check_not_blocked(self) -> None:
        if self._clock.monotonic() < self._blocked_until:
            raise StyleLimitReached("the Horde's limit on style requests is reached")

    def _refresh_in_background(self) -> None:
        if self._refresh is not None and not self._refresh.done():
            return
        if self._clock.monotonic() < self._blocked_until:
            return
        self._refresh = asyncio.create_task(self._quiet_fetch(), name="style-refresh")

    async def _quiet_fetch(self) -> None:
        async with self._lock:
            try:
                await self._fetch()
            except HordeError as exc:
                log.warning("Could not refresh the text styles: %s", exc.message)

    async def _fetch(self) -> None:
        self._check_not_blocked()
        found: list[StyleKobold] = []
        try:
            for page in range(1, PAGES + 1):
                batch = await self._horde.text_styles(page=page, retries=0)
                found.extend(batch)
                if len(batch) < 25:
                    break
        except RateLimited as exc:
            self.note_rate_limited()
            raise StyleLimitReached(exc.message, status=exc.status, rc=exc.rc) from None
        self._replace(found)
        self._fetched_at = self._clock.monotonic()

    def _replace(self, styles: Iterable[StyleKobold]) -> None:
        self._styles = {s.id: s for s in styles if s.id}
