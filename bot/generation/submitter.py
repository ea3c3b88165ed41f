"""Submitting one job: wait for the governor's slot, POST it, retry only where that is safe.

A 429 without an rc comes from the per-IP rate limiter, which refused the request before
anything was created: the governor is paused for ``Retry-After`` and the job keeps its turn.
``HordeUnavailable`` is retried ``retries`` times with exponential backoff. That can create a
duplicate when a proxy failed *after* the Horde had accepted the request — an accepted risk:
the Horde has no idempotency key for submits; the usual 5xx comes from a front that never
reached the backend; an orphan costs the payer one small text generation and expires in 20
minutes; and failing at once would only make the member press the button again, with the
same risk. Every other Horde error is final and is raised to the caller.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.generation.governor import SubmitGovernor
from bot.generation.live import LiveJob
from bot.generation.state import GenerationRequest
from bot.horde.errors import HordeUnavailable, RateLimited
from bot.webhooks.registry import WebhookRegistry

if TYPE_CHECKING:
    from bot.horde import HordeClient

__all__ = ["Submitter"]

log = logging.getLogger(__name__)

# Give up after this many rate-limiter refusals in a row (each one paused every submit).
MAX_RATE_LIMITED = 10


class Submitter:
    """Turns a pending :class:`LiveJob` into a Horde request id."""

    def __init__(
        self,
        client: HordeClient,
        governor: SubmitGovernor,
        clock: Clock,
        publish: Callable[[LiveJob], None],
        *,
        retries: int = 3,
        backoff: float = 2.0,
        webhooks: WebhookRegistry | None = None,
    ) -> None:
        self._client = client
        self._governor = governor
        self._clock = clock
        self._publish = publish
        self._retries = retries
        self._backoff = backoff
        self._webhooks = webhooks

    async def submit(self, job: LiveJob, request: GenerationRequest, apikey: str) -> str | None:
        """Wait for a slot and submit; the Horde's request id, or None if the job ended first.

        On success ``job.submitting`` stays True: the caller resets it once the id is stored.

        Raises the final :class:`~bot.horde.errors.HordeError` when the Horde refused it.
        """
        unavailable = limited = 0
        front = False
        while not _ended(job):
            ticket = self._governor.enqueue(
                job.user_id, functools.partial(self._on_position, job), front=front
            )
            job.ticket = ticket
            await ticket.wait()
            job.ticket, job.bot_position = None, None
            if _ended(job):  # cancelled while waiting for the slot
                return None
            job.submitting = True
            self._publish(job)
            accepted = False
            try:
                answer = await self._client.generate_async(
                    request.prompt,
                    params=dict(request.params) or None,
                    models=request.models,
                    apikey=apikey,
                    webhook=self._webhooks.open(job.id) if self._webhooks else None,
                    **request.submit_options(),
                )
            except RateLimited as exc:
                limited += 1
                self._governor.penalize(exc.retry_after)
                if limited >= MAX_RATE_LIMITED:
                    raise
            except HordeUnavailable as exc:
                unavailable += 1
                if unavailable > self._retries:
                    raise
                log.warning("submit of job %s failed (%r); retrying", job.id, exc)
                await self._clock.sleep(self._backoff * 2 ** (unavailable - 1))
            else:
                if not answer.id:
                    raise HordeUnavailable("The AI Horde accepted the request without an id.")
                accepted = True
                return answer.id
            finally:
                # An accepted job stays "submitting" until the caller has stored its id, so
                # a shutdown waits for that instead of losing the id.
                job.submitting = accepted
            front = True  # a retry keeps its place at the head of its user's queue
        return None

    def _on_position(self, job: LiveJob, position: int) -> None:
        job.bot_position = position
        self._publish(job)


def _ended(job: LiveJob) -> bool:
    """Whether the job was ended meanwhile (a function: awaits may change it behind mypy)."""
    return job.state.terminal
