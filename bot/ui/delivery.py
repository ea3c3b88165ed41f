"""The one reply-delivery base: how every job kind shows its snapshots in Discord.

A :class:`ReplyDelivery` is the engine's :class:`~bot.generation.JobListener` for one job.
It renders each snapshot (:func:`bot.ui.generation_render.render`), skips renders a member
could not tell apart, paces edits of one message (:class:`EditPacer`), retries a terminal
edit a few times, and when the message can no longer be edited (token expired, message
deleted) lets the kind post the result elsewhere (:meth:`ReplyDelivery.fallback`). A terminal
snapshot that reaches nobody raises :class:`DeliveryError`: the engine then keeps the job
undelivered and delivers it again at the next resume.

A kind supplies only where its message lives: :meth:`ReplyDelivery.edit` (edit it in place)
and :meth:`ReplyDelivery.fallback` (post a new message), plus :meth:`ReplyDelivery.prepare`
when the terminal result must be stored or trimmed first.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod

import discord

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.state import JobSnapshot
from bot.metrics import record as metrics
from bot.ui.generation_render import Rendered, RequestFacts, render
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL, EditPacer

__all__ = ["EDIT_ATTEMPTS", "NO_MENTIONS", "DeliveryError", "ReplyDelivery"]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
# A terminal edit is tried this often (with 1 s, 2 s … between) before giving up.
EDIT_ATTEMPTS = 3


class DeliveryError(Exception):
    """The result could not be shown anywhere; the engine tries again at the next resume."""


class ReplyDelivery(ABC):
    """Shows one job's snapshots in one Discord message (see the module docstring)."""

    def __init__(
        self,
        client: discord.Client,
        facts: RequestFacts,
        *,
        clock: Clock = SYSTEM_CLOCK,
        min_interval: float = DEFAULT_EDIT_INTERVAL,
    ) -> None:
        self._client = client
        self._facts = facts
        self._clock = clock
        self._pacer = EditPacer(clock, min_interval)
        self._shown: Rendered | None = None
        self._gone = False  # the message can no longer be edited: only the fallback is left
        self._refused = False  # Discord refused an edit (deleted, no access, dead token)

    # --- what a kind supplies -------------------------------------------------------------

    async def prepare(self, snapshot: JobSnapshot) -> JobSnapshot:
        """The snapshot to show (a kind may store or trim a terminal result here)."""
        return snapshot

    def editable(self) -> bool:
        """Whether the message may still be edited in place (e.g. its token still lives)."""
        return not self._gone

    @abstractmethod
    async def edit(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        """Edit the message in place; raise discord's errors as they come."""

    @abstractmethod
    async def fallback(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        """Post the terminal result as a new message (raise DeliveryError when impossible)."""

    # --- the shared path -------------------------------------------------------------------

    async def on_update(self, snapshot: JobSnapshot) -> None:
        snapshot = await self.prepare(snapshot)
        rendered = render(snapshot, self._facts)
        if rendered == self._shown:
            return
        if self.editable():
            await self._pacer.wait_turn()
            if self.editable():
                shown = await self._edit_with_retries(rendered, snapshot)
                if shown:
                    self._shown = rendered
                if shown is not False:  # shown, or a failed progress edit: the next follows
                    return
        if snapshot.terminal:
            await self._fallback(rendered, snapshot)
            self._shown = rendered

    async def _edit_with_retries(self, rendered: Rendered, snapshot: JobSnapshot) -> bool | None:
        """True when shown; False when the message is gone (then: fall back); None when a
        progress edit failed otherwise. A terminal edit that keeps failing raises."""
        attempts = EDIT_ATTEMPTS if snapshot.terminal else 1
        for attempt in range(1, attempts + 1):
            self._pacer.edited()
            try:
                self._ensure_open(snapshot)
                await self.edit(rendered, snapshot)
                return True
            except (discord.NotFound, discord.Forbidden) as exc:
                return self._dead(snapshot, exc)
            except discord.HTTPException as exc:
                if exc.status == 401:
                    return self._dead(snapshot, exc)
                log.warning(
                    "Editing the reply of job %s failed (%s, attempt %d)",
                    snapshot.job_id,
                    exc.status,
                    attempt,
                )
                if attempt == attempts:
                    if snapshot.terminal:
                        raise DeliveryError(f"editing the reply failed: {exc.status}") from exc
                    return None  # a progress edit is not worth more; the next one follows
                await self._clock.sleep(float(attempt))
            except RuntimeError:
                # Shutting down (discord.py's session is closed): the next resume shows it.
                if not self._client.is_closed():
                    raise
                if snapshot.terminal:
                    raise DeliveryError("the bot closed before the reply was shown") from None
                return None
        return True

    def _ensure_open(self, snapshot: JobSnapshot) -> None:
        if self._client.is_closed():
            raise RuntimeError("the bot is closed")

    def _dead(self, snapshot: JobSnapshot, exc: discord.HTTPException) -> bool:
        log.info(
            "The reply of job %s can no longer be edited (%s %s); falling back",
            snapshot.job_id,
            exc.status,
            exc.code,
        )
        self._gone = self._refused = True
        return False

    async def _fallback(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        metrics.delivery_fell_back("edit_refused" if self._refused else "not_editable")
        try:
            await self.fallback(rendered, snapshot)
        except discord.HTTPException as exc:
            raise DeliveryError(f"posting the result failed: {exc.status} {exc.code}") from exc
