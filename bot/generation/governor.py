"""The submit governor: keeps one Horde base URL's submits under its per-IP limits, fairly.

Everyone using the bot shares one IP, and the Horde allows 2 submits/s and 90/min per IP. The
governor grants submit slots under both sliding windows (and any ``Retry-After`` pause the
Horde asked for) and picks whom to grant in round robin over the users who are waiting, so a
member with twenty queued requests cannot starve a member with one.

The Horde counts a request when it *arrives*, and between our grant and that moment lie our
own event loop (a garbage-collector pass, a busy moment), the network and the Horde's proxies.
So the windows are not counted at grant times. Each grant stands for the latest moment its
request can reach the Horde: while it is open (granted, no answer yet) that is ``hold``
seconds after the grant — it might arrive at any moment until then — and once the answer (or
the failure) came back, the time of the answer. A grant given back unused (nothing was sent)
no longer counts. A new grant is made only when one more request fits every window even if
all the others arrive as late as they still can, so no delay anywhere between grant and
arrival can put more than the budget in a window. The holder of a grant must therefore say
how it ended (:meth:`Ticket.answered` / :meth:`Ticket.unused`), and may only start sending
within ``send_within`` of the grant (:meth:`Ticket.usable`), which keeps ``hold`` a true bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.waiting import sleep_or_wake

__all__ = ["OPEN_HOLD", "SEND_WITHIN", "SubmitGovernor", "Ticket"]

log = logging.getLogger(__name__)

PositionCallback = Callable[[int], None]

# A grant must be used (its request started) within this many seconds, or given back.
SEND_WITHIN = 5.0
# How long after its grant an unanswered request is counted as possibly still on its way to
# the Horde: SEND_WITHIN, plus one submit with the client's connect retries (backoff ≤ 7 s)
# and its 30 s timeout, with room to spare. It only matters when a holder never answers (a
# process killed mid-submit): the others then run one slot short for this long.
OPEN_HOLD = 60.0


@dataclass(eq=False, slots=True)
class Grant:
    """One granted submit: ``latest`` is the latest moment its request can reach the Horde."""

    granted_at: float  # monotonic, taken before any shared reservation
    latest: float
    key: object = None  # the shared store's handle for it (None: this process only)
    open: bool = True


class Ticket:
    """A place in the governor's queue; ``await ticket.wait()`` returns when it may submit.

    Once granted, the holder sends within :data:`SEND_WITHIN` (see :meth:`usable`) and then
    says how it ended: :meth:`answered` once the Horde's answer or a failure came back,
    :meth:`unused` when nothing was sent.
    """

    def __init__(self, user_id: int, on_position: PositionCallback | None) -> None:
        self.user_id = user_id
        self.position: int | None = None
        self._on_position = on_position
        self._granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._governor: SubmitGovernor | None = None
        self._grant: Grant | None = None

    @property
    def granted(self) -> bool:
        return self._granted.done() and not self._granted.cancelled()

    async def wait(self) -> None:
        """Wait for the slot; cancelling the waiter gives the place (or the grant) up."""
        try:
            await asyncio.shield(self._granted)
        except asyncio.CancelledError:
            self.cancel()
            raise

    def cancel(self) -> None:
        """Leave the queue, or give back a grant nothing was sent with yet."""
        if self._governor is not None and not self._granted.done():
            self._governor._remove(self)
        if not self._granted.done():
            self._granted.cancel()
        self.unused()

    def usable(self) -> bool:
        """Whether the grant may still be used: granted, not settled, and recent enough that
        its request reaches the Horde before the governor stops counting it as on its way."""
        grant, governor = self._grant, self._governor
        if grant is None or governor is None or not grant.open:
            return False
        return governor._clock.monotonic() - grant.granted_at < governor.send_within

    def answered(self) -> None:
        """The request was sent and its answer (or failure) came back: it counts from now."""
        if self._grant is not None and self._governor is not None:
            self._governor._settle(self._grant, answered=True)

    def unused(self) -> None:
        """Nothing was sent with this grant (or no connection was made): give it back."""
        if self._grant is not None and self._governor is not None:
            self._governor._settle(self._grant, answered=False)

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
    """The earliest time, from ``now``, one more grant fits every ``(limit, window)``.

    ``grants`` are ascending; times after ``now`` (requests that may still arrive) count in
    every window that reaches them.
    """
    earliest = now
    times = list(grants)
    for limit, window in limits:
        recent = [t for t in times if t > now - window]
        if len(recent) >= limit:
            earliest = max(earliest, recent[-limit] + window)
    return earliest


def budget_windows(per_second: float, per_minute: int, second: float, minute: float) -> Limits:
    """The Horde's windows: ``n`` per ``n / per_second`` seconds (2/s: 2 per second; 0.5/s:
    1 per 2 s) and ``per_minute`` per minute, the minute last (pruning)."""
    n = max(1, int(per_second))
    return ((n, second * n / per_second), (per_minute, minute))


class SubmitGovernor:
    """Grants submit slots: at most ``per_second`` and ``per_minute``, round robin by user.

    ``time_scale`` shrinks both windows (tests); ``slack`` widens them by a fraction, for
    what no bound covers: the Horde's own idea of a window's edges. Grants are also spread
    evenly (one per ``1 s / per_second``) instead of leaving in bursts, which keeps the
    queue moving at a steady pace; safety comes from the windows alone (module docstring).
    """

    def __init__(
        self,
        clock: Clock = SYSTEM_CLOCK,
        *,
        per_second: float = 2,
        per_minute: int = 90,
        time_scale: float = 1.0,
        slack: float = 0.1,
        hold: float = OPEN_HOLD,
        send_within: float = SEND_WITHIN,
    ) -> None:
        if per_second <= 0 or per_minute < 1:
            raise ValueError("submit limits must be positive")
        self._clock = clock
        second = 1.0 * time_scale * (1 + slack)
        self._spacing = second / per_second
        self._limits = budget_windows(per_second, per_minute, second, 60.0 * second)
        self._fewest = min(limit for limit, _ in self._limits)
        self.hold = hold
        self.send_within = send_within
        self._grants: list[Grant] = []  # recent grants, open or answered
        self._last_grant = float("-inf")
        self._queues: OrderedDict[int, deque[Ticket]] = OrderedDict()  # round-robin order
        self._deep = 0  # how many of the queues hold more than one ticket
        # Members whose queue changed since a subclass last looked; None: nobody looks (the
        # shared governor sets a set, to write only what changed).
        self._touched: set[int] | None = None
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # The longest sleep between two looks while tickets wait (a subclass shortens it).
        self._longest_wait = float("inf")

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
        if self._touched is not None:
            self._touched.add(user_id)
        if front:
            queue.appendleft(ticket)
        else:
            queue.append(ticket)
        if len(queue) == 2:
            self._deep += 1
        if len(queue) == 1 and not self._deep:
            # A member new to the rotation, behind members with one ticket each: it is last
            # and nobody else moves (a burst of members costs no walk of the whole queue).
            ticket._set_position(len(self._queues))
            self._wake.set()
        else:
            self._changed()
        return ticket

    async def settled(self) -> None:
        """Until every grant settled so far is recorded where other processes count them.
        In-process there is nothing to write; the shared governor overrides this."""

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
            if len(queue) == 1:
                self._deep -= 1
            if not queue:
                del self._queues[ticket.user_id]
            if self._touched is not None:
                self._touched.add(ticket.user_id)
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
        """The earliest monotonic time a grant fits every window, the spacing and the pause."""
        earliest = max(self._paused_until, self._last_grant + self._spacing)
        if len(self._grants) < self._fewest:
            return max(now, earliest)  # no window can be full (keeps huge test limits cheap)
        horizon = now - self._limits[-1][1]
        self._grants = [g for g in self._grants if g.latest > horizon]
        latest = sorted(g.latest for g in self._grants)
        return max(earliest, earliest_grant(latest, now, self._limits))

    async def _reserve_shared(self) -> tuple[float, object, int | None]:
        """Reserve the slot among the processes sharing the IP: ``(0, key, user)`` when
        reserved (``user``: whom it is for, None: the next in this process's rotation), else
        ``(seconds to wait, None, None)``. Nothing is shared here; a subclass overrides it."""
        return 0.0, None, None

    async def _idle(self) -> None:
        """Nobody waits here any more: tell the other processes (subclass)."""

    def _settle_shared(self, key: object, *, answered: bool) -> None:
        """Tell the shared store how the grant reserved under ``key`` ended (subclass)."""

    def _settle(self, grant: Grant, *, answered: bool) -> None:
        """A grant ended: answered (it counts from now) or unused (it no longer counts)."""
        if not grant.open:
            return
        grant.open = False
        if answered:
            grant.latest = self._clock.monotonic()
        elif grant in self._grants:
            self._grants.remove(grant)
        if grant.key is not None:
            self._settle_shared(grant.key, answered=answered)
        self._wake.set()  # the windows may have room now

    def _grant_next(self, granted_at: float, key: object, user: int | None = None) -> bool:
        """Grant the next ticket of ``user`` (None: of the user first in the rotation); False
        when that user has nothing waiting any more."""
        user_id = next(iter(self._queues)) if user is None else user
        queue = self._queues.get(user_id)
        if not queue:
            return False
        ticket = queue.popleft()
        if len(queue) == 1:
            self._deep -= 1
        if self._touched is not None:
            self._touched.add(user_id)
        # The user goes to the back of the rotation (or leaves it when nothing is left).
        del self._queues[user_id]
        if queue:
            self._queues[user_id] = queue
        grant = Grant(granted_at, granted_at + self.hold, key)
        self._grants.append(grant)
        self._last_grant = granted_at
        ticket._grant = grant
        ticket.position = None
        ticket._granted.set_result(None)
        self._renumber()
        return True

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if not self._queues:
                await self._idle()
                await self._wake.wait()
                continue
            now = self._clock.monotonic()
            allowed = self._next_allowed(now)
            if allowed <= now:
                shared, key, user = await self._reserve_shared()
                if shared <= 0:
                    # Its send deadline runs from before the reservation (Ticket.usable).
                    granted = bool(self._queues) and self._grant_next(now, key, user)
                    if not granted and key is not None:  # nobody left to use it
                        self._settle_shared(key, answered=False)
                    continue
                allowed = now + shared
            await sleep_or_wake(self._clock, self._wake, min(allowed - now, self._longest_wait))
