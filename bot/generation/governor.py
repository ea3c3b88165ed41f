"""The submit governor: keeps one Horde base URL's submits under its per-IP limits, fairly.

Everyone using the bot shares one IP, and the Horde allows 2 submits/s and 90/min per IP. The
governor grants submit slots under both sliding windows (and any ``Retry-After`` pause the
Horde asked for) and picks whom to grant in round robin over the users who are waiting, so a
member with twenty queued requests cannot starve a member with one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.waiting import sleep_or_wake

__all__ = ["SubmitGovernor", "Ticket"]

log = logging.getLogger(__name__)

PositionCallback = Callable[[int], None]


class Ticket:
    """A place in the governor's queue; ``await ticket.wait()`` returns when it may submit."""

    def __init__(self, user_id: int, on_position: PositionCallback | None) -> None:
        self.user_id = user_id
        self.position: int | None = None
        self._on_position = on_position
        self._granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._governor: SubmitGovernor | None = None

    @property
    def granted(self) -> bool:
        return self._granted.done() and not self._granted.cancelled()

    async def wait(self) -> None:
        """Wait for the slot; cancelling the waiter gives the place up."""
        try:
            await asyncio.shield(self._granted)
        except asyncio.CancelledError:
            self.cancel()
            raise

    def cancel(self) -> None:
        """Leave the queue (a no-op once granted)."""
        if self._governor is not None and not self._granted.done():
            self._governor._remove(self)
        if not self._granted.done():
            self._granted.cancel()

    def _set_position(self, position: int | None) -> None:
        if position == self.position:
            return
        self.position = position
        if position is not None and self._on_position is not None:
            try:
                self._on_position(position)
            except Exception:
                log.exception("position callback failed")


Limits = tuple[tuple[int, float], ...]  # (grants allowed, window in seconds), minute last


def earliest_grant(grants: Iterable[float], now: float, limits: Limits) -> float:
    """The earliest time, from ``now``, one more grant fits every ``(limit, window)``."""
    earliest = now
    times = list(grants)
    for limit, window in limits:
        recent = [t for t in times if t > now - window]
        if len(recent) >= limit:
            earliest = max(earliest, recent[-limit] + window)
    return earliest


class SubmitGovernor:
    """Grants submit slots: at most ``per_second`` and ``per_minute``, round robin by user.

    ``time_scale`` shrinks both windows (tests); ``slack`` widens them by a fraction, so
    network jitter between our grant and the Horde's clock cannot make two windows overlap.
    Grants are also spread evenly (one per ``1 s / per_second``) instead of leaving in
    bursts: a burst of simultaneous requests reaches the Horde with uneven delays, which is
    exactly what pushes one more request into the Horde's one-second window.
    """

    def __init__(
        self,
        clock: Clock = SYSTEM_CLOCK,
        *,
        per_second: float = 2,
        per_minute: int = 90,
        time_scale: float = 1.0,
        slack: float = 0.1,
    ) -> None:
        if per_second <= 0 or per_minute < 1:
            raise ValueError("submit limits must be positive")
        self._clock = clock
        second = 1.0 * time_scale * (1 + slack)
        self._limits: Limits = (
            (1, second / per_second),  # even spacing; the minute window stays last (pruning)
            # A fractional rate (e.g. 0.5/s) is enforced by the spacing above.
            (max(1, int(per_second)), second),
            (per_minute, 60.0 * time_scale * (1 + slack)),
        )
        self._grants: deque[float] = deque()  # monotonic times of recent grants
        self._queues: OrderedDict[int, deque[Ticket]] = OrderedDict()  # round-robin order
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        """How many tickets wait in the bot's queue."""
        return sum(len(q) for q in self._queues.values())

    def enqueue(
        self, user_id: int, on_position: PositionCallback | None = None, *, front: bool = False
    ) -> Ticket:
        """Queue a submit for ``user_id``; ``on_position(n)`` is called when its place changes.

        ``front=True`` puts it first among this user's tickets (a retry keeps its turn).
        """
        ticket = Ticket(user_id, on_position)
        ticket._governor = self
        queue = self._queues.setdefault(user_id, deque())
        if front:
            queue.appendleft(ticket)
        else:
            queue.append(ticket)
        self._changed()
        return ticket

    def penalize(self, retry_after: float | None) -> None:
        """Pause every submit for ``retry_after`` seconds (the Horde answered 429)."""
        delay = retry_after if retry_after and retry_after > 0 else 1.0
        until = self._clock.monotonic() + delay
        if until > self._paused_until:
            log.info("Horde rate limit hit: pausing submits for %.1f s", delay)
            self._paused_until = until
        self._wake.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="submit-governor")

    async def close(self) -> None:
        """Stop granting; tickets still waiting are left ungranted (their jobs stay pending)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _remove(self, ticket: Ticket) -> None:
        queue = self._queues.get(ticket.user_id)
        if queue is not None and ticket in queue:
            queue.remove(ticket)
            if not queue:
                del self._queues[ticket.user_id]
            self._changed()

    def _changed(self) -> None:
        self._renumber()
        self._wake.set()

    def _renumber(self) -> None:
        """Give every waiting ticket its place in the order round robin will grant them."""
        queues = list(self._queues.values())
        position = 0
        depth = 0
        while True:
            layer = [q[depth] for q in queues if len(q) > depth]
            if not layer:
                return
            for ticket in layer:
                position += 1
                ticket._set_position(position)
            depth += 1

    def _next_allowed(self, now: float) -> float:
        """The earliest monotonic time a grant fits every window and the pause."""
        while self._grants and self._grants[0] <= now - self._limits[-1][1]:
            self._grants.popleft()
        return max(self._paused_until, earliest_grant(self._grants, now, self._limits))

    async def _shared_wait(self) -> float:
        """Seconds to wait for the other processes sharing the IP (none here); a subclass
        reserves the slot in a shared store when this returns 0."""
        return 0.0

    def _grant_next(self, now: float) -> None:
        user_id, queue = next(iter(self._queues.items()))
        ticket = queue.popleft()
        # The user goes to the back of the rotation (or leaves it when nothing is left).
        del self._queues[user_id]
        if queue:
            self._queues[user_id] = queue
        self._grants.append(now)
        ticket.position = None
        ticket._granted.set_result(None)
        self._renumber()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if not self._queues:
                await self._wake.wait()
                continue
            now = self._clock.monotonic()
            allowed = self._next_allowed(now)
            if allowed <= now:
                shared = await self._shared_wait()
                if shared <= 0:
                    if self._queues:  # (a reserved slot left unused only slows others down)
                        self._grant_next(self._clock.monotonic())
                    continue
                allowed = now + shared
            await sleep_or_wake(self._clock, self._wake, allowed - now)
