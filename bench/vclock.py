"""A discrete-event virtual clock and the driver that moves it when the process goes quiet.

Latency comparisons must not depend on how busy the machine is, so they run on virtual time:
every ``sleep`` registers a deadline, and :class:`Driver` jumps the clock to the earliest one
once nothing is happening any more (no HTTP request in flight, no sleep started or ended for a
short real-time window). Time never moves while a request is on the wire, so what a poller
sees is exactly what the fake Horde had at the virtual instant it asked.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

from tests.fakes.horde import OffsetClock

__all__ = ["Driver", "VirtualClock"]

EPOCH = 1_800_000_000.0  # a fixed wall-clock start keeps runs identical


class VirtualClock(OffsetClock):
    """Time that only moves when :meth:`advance` is called; satisfies ``bot.clock.Clock``.

    It subclasses the fakes' ``OffsetClock`` so the fake Horde and the fake Discord accept it.
    """

    def __init__(self, start: float = EPOCH) -> None:
        super().__init__()
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self.activity = 0  # bumped on every sleep start/end: the driver's sign of life

    def time(self) -> float:
        return self._start + self._elapsed

    def monotonic(self) -> float:
        return 1000.0 + self._elapsed

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a VirtualClock cannot move backwards")
        self._elapsed += seconds
        now = self.monotonic()
        while self._sleepers and self._sleepers[0][0] <= now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        self.activity += 1

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.monotonic() + seconds, next(self._seq), future))
        self.activity += 1
        try:
            await future
        finally:
            self.activity += 1

    def next_deadline(self) -> float | None:
        """The monotonic time of the earliest pending sleep (None when nobody sleeps)."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None


class Driver:
    """Advances a :class:`VirtualClock` whenever the process has gone quiet.

    ``busy()`` says how many requests are in flight (any source) and ``activity()`` returns a
    counter that changes whenever something happens; both are polled in real time.
    """

    def __init__(
        self,
        clock: VirtualClock,
        busy: Callable[[], int],
        activity: Callable[[], int],
        *,
        quiet: float = 0.006,
    ) -> None:
        self.clock = clock
        self._busy = busy
        self._activity = activity
        self._quiet = quiet
        self.jumps = 0

    async def settle(self, stall_timeout: float = 10.0) -> None:
        """Return once nothing is in flight and nothing changed for ``quiet`` real seconds."""
        last = self._signature()
        quiet_since = time.monotonic()
        started = quiet_since
        while True:
            await asyncio.sleep(0.001)
            now = time.monotonic()
            signature = self._signature()
            if self._busy() > 0 or signature != last:
                last, quiet_since = signature, now
                if now - started > stall_timeout:
                    raise TimeoutError("the process never went quiet")
                continue
            if now - quiet_since >= self._quiet:
                return

    async def run_until(self, done: Callable[[], bool], *, limit: float) -> None:
        """Advance time deadline by deadline until ``done()``; at most ``limit`` virtual s."""
        end = self.clock.monotonic() + limit
        idle_rounds = 0
        while not done():
            await self.settle()
            if done():
                return
            deadline = self.clock.next_deadline()
            if deadline is None or deadline > end:
                idle_rounds += 1
                if idle_rounds > 200:
                    raise TimeoutError("virtual run stalled: nothing left to wait for")
                await asyncio.sleep(0.005)
                continue
            idle_rounds = 0
            self.clock.advance(max(0.0, deadline - self.clock.monotonic()))
            self.jumps += 1

    def _signature(self) -> tuple[int, int]:
        return (self.clock.activity, self._activity())
