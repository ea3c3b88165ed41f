"""Submitting one job: wait for the governor's slot, POST it, retry only where that is safe.

A 429 without an rc comes from the per-IP rate limiter, which refused the request before
anything was created: the governor is paused for ``Retry-After`` and the job keeps its turn.
When no connection to the Horde can be made at all (``HordeUnreachable``: DNS, refused, TLS)
nothing was sent, so the job simply stays pending and is tried again with capped backoff for
as long as it takes (the member is told, and may cancel). Any other ``HordeUnavailable`` (a
5xx, a dropped connection, a timeout) is retried ``retries`` times with exponential backoff.
That can create a duplicate when a proxy failed *after* the Horde had accepted the request —
an accepted risk: the Horde has no idempotency key for submits; the usual 5xx comes from a
front that never reached the backend; an orphan costs the payer one small text generation
and expires in 20 minutes; and failing at once would only make the member press the button
again, with the same risk. Every other Horde error is final and is raised to the caller.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.generation.governor import SubmitGovernor, Ticket
from bot.generation.health import HordeHealth
from bot.generation.live import LiveJob
from bot.generation.state import GenerationRequest
from bot.horde.errors import HordeUnavailable, HordeUnreachable, RateLimited
from bot.metrics import record
from bot.webhooks.registry import WebhookRegistry

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import RequestAsync

__all__ = ["Submitter"]

log = logging.getLogger(__name__)

# Give up after this many rate-limiter refusals in a row (each one paused every submit).
MAX_RATE_LIMITED = 10
# The longest wait between two tries of a submit while the Horde cannot be reached.
MAX_UNREACHABLE_BACKOFF = 60.0


@dataclass
class _Failures:
    """What went wrong so far with one job's submit."""

    limited: int = 0  # rate-limiter refusals in a row
    unavailable: int = 0  # answers that were not an answer (5xx, dropped, timed out)
    unreachable: int = 0  # tries that could not connect at all


class Submitter:
    """Turns a pending :class:`LiveJob` into a Horde request id."""

    def __init__(
        self,
        client: HordeClient,
        governor: SubmitGovernor,
        clock: Clock,
        publish: Callable[[LiveJob], None],
        *,
        health: HordeHealth,
        retries: int = 3,
        backoff: float = 2.0,
        webhooks: WebhookRegistry | None = None,
    ) -> None:
        self._client = client
        self._governor = governor
        self._clock = clock
        self._publish = publish
        self._health = health
        self._retries = retries
        self._backoff = backoff
        self._webhooks = webhooks

    async def submit(self, job: LiveJob, request: GenerationRequest, apikey: str) -> str | None:
        """Wait for a slot and submit; the Horde's request id, or None if the job ended first.

        On success ``job.submitting`` stays True: the caller resets it once the id is stored.

        Raises the final :class:`~bot.horde.errors.HordeError` when the Horde refused it.
        """
        failures = _Failures()
        front = False
        while not _ended(job):
            ticket = await self._wait_for_slot(job, front=front)
            if ticket is None:
                return None  # cancelled while waiting for the slot
            outcome = await self._attempt(job, request, apikey, failures, ticket)
            if isinstance(outcome, str):
                return outcome
            if outcome > 0:
                await self._clock.sleep(outcome)
            front = True  # a retry keeps its place at the head of its user's queue
        return None

    async def _wait_for_slot(self, job: LiveJob, *, front: bool) -> Ticket | None:
        """Wait for the governor's grant; None (grant given back) when the job ended meanwhile."""
        ticket = self._governor.enqueue(
            job.user_id, functools.partial(self._on_position, job), front=front
        )
        job.ticket = ticket
        started = self._clock.monotonic()
        await ticket.wait()
        record.submit_waited(self._clock.monotonic() - started)
        job.ticket, job.bot_position = None, None
        if _ended(job):
            ticket.unused()
            return None
        return ticket

    async def _attempt(
        self,
        job: LiveJob,
        request: GenerationRequest,
        apikey: str,
        failures: _Failures,
        ticket: Ticket,
    ) -> str | float:
        """One POST with ``ticket``'s grant, which it settles: the Horde's request id, or the
        seconds to wait before the next try.

        Raises the final :class:`~bot.horde.errors.HordeError`.
        """
        job.submitting = True
        self._publish(job)
        if _stale(job, ticket):
            job.submitting = False
            return 0.0  # ask for a fresh slot, still first in the user's queue
        accepted = False
        try:
            answer = await self._post(job, request, apikey)
        except RateLimited as exc:
            self._answered(job)
            failures.limited += 1
            self._governor.penalize(exc.retry_after)
            if failures.limited >= MAX_RATE_LIMITED:
                raise
            return 0.0
        except HordeUnreachable as exc:
            ticket.unused()  # no connection was made: nothing reached the Horde
            return self._unreachable(job, exc, failures)
        except HordeUnavailable as exc:
            failures.unavailable += 1
            if failures.unavailable > self._retries:
                raise
            log.warning("submit of job %s failed (%r); retrying", job.id, exc)
            return float(self._backoff * 2.0 ** (failures.unavailable - 1))
        else:
            self._answered(job)
            if not answer.id:
                raise HordeUnavailable("The AI Horde accepted the request without an id.")
            accepted = True
            return answer.id
        finally:
            ticket.answered()  # whatever came back, the request counts from now (see governor)
            # An accepted job stays "submitting" until the caller has stored its id, so
            # a shutdown waits for that instead of losing the id.
            job.submitting = accepted

    async def _post(self, job: LiveJob, request: GenerationRequest, apikey: str) -> RequestAsync:
        return await self._client.generate_async(
            request.prompt,
            params=dict(request.params) or None,
            models=request.models,
            apikey=apikey,
            webhook=self._webhooks.open(job.id) if self._webhooks else None,
            **request.submit_options(),
        )

    def _unreachable(self, job: LiveJob, exc: HordeUnreachable, failures: _Failures) -> float:
        """Nothing was sent: the job stays pending and waits for the Horde (no limit)."""
        self._health.unreachable(exc)
        failures.unreachable += 1
        if not job.waiting_for_horde:
            job.waiting_for_horde = True
            job.submitting = False
            self._publish(job)  # the member is told the request waits for the Horde
        exponent = min(failures.unreachable - 1, 16)
        return min(MAX_UNREACHABLE_BACKOFF, self._backoff * 2.0**exponent)

    def _answered(self, job: LiveJob) -> None:
        self._health.answered()
        job.waiting_for_horde = False

    def _on_position(self, job: LiveJob, position: int) -> None:
        job.bot_position = position
        self._publish(job)


def _stale(job: LiveJob, ticket: Ticket) -> bool:
    """Whether the grant came too long ago to be used (the process stalled): given back."""
    if ticket.usable():
        return False
    ticket.unused()
    log.warning("the submit slot of job %s expired before it was used; waiting again", job.id)
    return True


def _ended(job: LiveJob) -> bool:
    """Whether the job was ended meanwhile (a function: awaits may change it behind mypy)."""
    return job.state.terminal
