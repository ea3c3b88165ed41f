"""One shared poller for every tracked Horde request.

A single scheduler task keeps a heap of (due time, job) and hands due jobs to a fixed pool of
``concurrency`` workers, so a hundred generations cost the same number of tasks as one. Each
job's next poll follows the one schedule of :mod:`bot.horde.polling` (the client's
``generate_sync`` uses it too): about ``poll_min`` while it is processing or close to the
front, growing towards ``poll_max`` in a long queue, straight at the predicted finish once the
Horde's ``wait_time`` has proved right for this request, and never more often than
``min_interval`` (the Horde allows 60 status requests per minute per id). In webhook mode the
reads slow to a safety net and a webhook call pokes the job. The poller decides *when* to ask;
what an answer means for a job is the sink's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.waiting import Alarm
from bot.horde.errors import HordeError, HordeUnavailable, NotFound, RateLimited
from bot.horde.polling import PollPolicy, PollSchedule
from bot.logging_setup import log_as_job
from bot.metrics import record

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import RequestStatusKobold

__all__ = ["HORDE_REQUEST_LIFETIME", "PollEvent", "PollOutcome", "Poller"]

log = logging.getLogger(__name__)

# A text request lives 20 minutes after its last pop; the Horde's cleanup pass runs every
# 60 s. After that long without any answer the request is certainly gone.
HORDE_REQUEST_LIFETIME = 20 * 60.0 + 60.0


class PollOutcome(StrEnum):
    STATUS = "status"  # ``status`` holds the Horde's answer
    EXPIRED = "expired"  # 404 RequestNotFound: the Horde no longer knows the request
    UNAVAILABLE = "unavailable"  # no answer for longer than the request can live


@dataclass(frozen=True, slots=True)
class PollEvent:
    key: int
    horde_id: str
    outcome: PollOutcome
    status: RequestStatusKobold | None = None
    error: HordeError | None = None


Sink = Callable[[PollEvent], Awaitable[None]]


@dataclass(eq=False)
class _Entry:
    key: int
    horde_id: str
    last_seen: float  # wall time the Horde last answered about it
    due: float = 0.0  # monotonic
    last_poll: float = float("-inf")  # monotonic
    failures: int = 0
    seq: int = field(default=0)
    schedule: PollSchedule | None = None  # this request's reads so far (see bot.horde.polling)
    poked: bool = False  # a webhook hint arrived since the current read started


class Poller:
    """Polls ``GET /v2/generate/text/status/{id}`` for every tracked job; answers go to the sink.

    Terminal answers (``done``, ``faulted``, expired, unavailable) untrack the job after the
    sink has seen them. The sink is awaited by the worker that polled; an exception from it
    is logged and never stops the poller.
    """

    def __init__(
        self,
        client: HordeClient,
        clock: Clock = SYSTEM_CLOCK,
        *,
        sink: Sink | None = None,
        poll_min: float = 2.0,
        poll_max: float = 15.0,
        min_interval: float = 1.0,
        concurrency: int = 4,
        lifetime: float = HORDE_REQUEST_LIFETIME,
        safety_net: float | None = None,
    ) -> None:
        self._client = client
        self._sink: Sink | None = sink
        self._clock = clock
        self.policy = PollPolicy(poll_min, max(poll_max, poll_min))
        self.poll_min = self.policy.poll_min
        self.poll_max = self.policy.poll_max
        self.min_interval = min_interval
        self._concurrency = concurrency
        self._lifetime = lifetime
        # Webhook mode: the Horde calls when a job is done (see poke); polls are a safety net
        # this far apart that also refresh the queue position.
        self.safety_net = safety_net
        self._entries: dict[int, _Entry] = {}
        self._heap: list[tuple[float, int, int]] = []  # (due, seq, key)
        self._seq = itertools.count()
        self._wake = Alarm(clock)
        # When the scheduler wakes by itself (monotonic; inf: only when woken). A poll due
        # later than that needs no wake-up: the scheduler looks at the heap then anyway.
        self._sleeping_until = float("inf")
        self._due: asyncio.Queue[_Entry] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    def set_sink(self, sink: Sink) -> None:
        """Where answers go (the service sets itself here)."""
        self._sink = sink

    @property
    def tracked(self) -> int:
        return len(self._entries)

    def is_tracked(self, key: int) -> bool:
        return key in self._entries

    def track(
        self, key: int, horde_id: str, *, delay: float = 0.0, last_seen: float | None = None
    ) -> None:
        """Start polling ``horde_id`` for job ``key``, first after ``delay`` seconds.

        ``last_seen`` is when the Horde last answered about it (default: now).
        """
        seen = self._clock.time() if last_seen is None else last_seen
        entry = _Entry(key=key, horde_id=horde_id, last_seen=seen, schedule=self.policy.schedule())
        self._entries[key] = entry
        self._schedule(entry, delay)

    def poke(self, key: int) -> None:
        """A hint (a webhook call) that ``key`` may be done: poll it as soon as allowed."""
        entry = self._entries.get(key)
        if entry is not None:
            # Also remembered on the entry: a read already on the wire may predate the finish,
            # and its answer must not push the next read back to the safety net.
            entry.poked = True
            self._schedule(entry, 0.0)

    def untrack(self, key: int) -> None:
        """Stop polling ``key``; an answer already in flight is dropped."""
        self._entries.pop(key, None)

    def start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._schedule_loop(), name="poller"))
        for i in range(self._concurrency):
            self._tasks.append(asyncio.create_task(self._worker(), name=f"poller-worker-{i}"))

    async def close(self) -> None:
        """Stop polling (tracked jobs are simply forgotten; the database keeps them)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def first_delay(self) -> float:
        """When to read a newly submitted request first (webhook mode: the safety net).

        In webhook mode the Horde calls when the job is done, so an early read would only
        show the queue position sooner, at the price of a third request per generation.
        """
        return self.poll_min if self.safety_net is None else self.safety_net

    def next_delay(self, status: RequestStatusKobold) -> float:
        """Seconds until the next poll, from how far the request is from done (no history)."""
        if self.safety_net is not None:
            return self.safety_net
        return self.policy.base_delay(status)

    def _delay_after(self, entry: _Entry, status: RequestStatusKobold) -> float:
        """The next poll of ``entry``: its schedule also weighs how right wait_time has been."""
        if self.safety_net is not None or entry.schedule is None:
            return self.next_delay(status)
        return entry.schedule.next_delay(status, self._clock.monotonic())

    def _schedule(self, entry: _Entry, delay: float) -> None:
        now = self._clock.monotonic()
        entry.due = max(now + delay, entry.last_poll + self.min_interval)
        record.poll_scheduled(entry.due - now)
        entry.seq = next(self._seq)
        heapq.heappush(self._heap, (entry.due, entry.seq, entry.key))
        if entry.due < self._sleeping_until:
            self._sleeping_until = entry.due
            self._wake.ring()

    async def _schedule_loop(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock.monotonic()
            while self._heap and self._heap[0][0] <= now:
                _, seq, key = heapq.heappop(self._heap)
                entry = self._entries.get(key)
                if entry is not None and entry.seq == seq:  # stale heap items are skipped
                    self._due.put_nowait(entry)
            if not self._heap:
                self._sleeping_until = float("inf")
                await self._wake.sleep(None)
                continue
            self._sleeping_until = self._heap[0][0]
            await self._wake.sleep(self._sleeping_until - now)

    async def _worker(self) -> None:
        while True:
            entry = await self._due.get()
            if self._entries.get(entry.key) is not entry:
                continue
            try:
                await self._poll(entry)
            except Exception:
                log.exception("polling job %s failed unexpectedly", entry.key)
                if self._entries.get(entry.key) is entry:
                    self._schedule(entry, self.poll_max)

    async def _poll(self, entry: _Entry) -> None:
        log_as_job(entry.key)  # this worker's log records name the job it polls
        entry.last_poll = self._clock.monotonic()
        entry.poked = False
        try:
            status = await self._client.generate_status(entry.horde_id, retries=0)
        except NotFound as exc:
            await self._finish(
                entry, PollEvent(entry.key, entry.horde_id, PollOutcome.EXPIRED, error=exc)
            )
            return
        except RateLimited as exc:
            log.info("status of job %s rate limited; backing off", entry.key)
            self._schedule(entry, exc.retry_after or self.poll_max)
            return
        except HordeError as exc:
            await self._on_unavailable(entry, exc)
            return
        if self._entries.get(entry.key) is not entry:
            return  # untracked (cancelled) while the request was in flight
        entry.failures = 0
        entry.last_seen = self._clock.time()
        event = PollEvent(entry.key, entry.horde_id, PollOutcome.STATUS, status=status)
        if status.done or status.faulted:
            await self._finish(entry, event)
            return
        await self._deliver(event)
        if self._entries.get(entry.key) is entry:
            delay = 0.0 if entry.poked else self._delay_after(entry, status)
            self._schedule(entry, delay)

    async def _on_unavailable(self, entry: _Entry, exc: HordeError) -> None:
        """Retry with backoff; give up only once the request can no longer exist."""
        entry.failures += 1
        if self._clock.time() - entry.last_seen > self._lifetime:
            log.warning("Horde unavailable for job %s beyond its lifetime; giving up", entry.key)
            event = PollEvent(entry.key, entry.horde_id, PollOutcome.UNAVAILABLE, error=exc)
            await self._finish(entry, event)
            return
        if not isinstance(exc, HordeUnavailable):
            log.warning("unexpected Horde error polling job %s: %r", entry.key, exc)
        backoff = min(self.poll_max * 2, self.poll_min * 2 ** min(entry.failures, 6))
        self._schedule(entry, max(backoff, exc.retry_after or 0.0))

    async def _finish(self, entry: _Entry, event: PollEvent) -> None:
        if self._entries.get(entry.key) is not entry:
            return
        del self._entries[entry.key]
        await self._deliver(event)

    async def _deliver(self, event: PollEvent) -> None:
        if self._sink is None:
            log.warning("poller has no sink; answer about job %s dropped", event.key)
            return
        try:
            await self._sink(event)
        except Exception:
            log.exception("handling the status of job %s failed", event.key)
