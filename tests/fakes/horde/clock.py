"""A real-time clock that tests can jump forward, for expiry, TTLs and rate-limit windows."""

from __future__ import annotations

import asyncio
import contextlib
import time


class OffsetClock:
    """Real time plus an offset that only grows; satisfies ``bot.clock.Clock``.

    ``advance()`` moves both ``time()`` and ``monotonic()`` forward and wakes anything blocked in
    ``sleep()`` so it can re-check its deadline — a sleeper whose deadline has been jumped over
    returns at once instead of waiting in real time.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self._wakeup = asyncio.Event()

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Jump forward by ``seconds`` (negative values are refused: clocks never run back)."""
        if seconds < 0:
            raise ValueError("an OffsetClock cannot move backwards")
        self.offset += seconds
        old, self._wakeup = self._wakeup, asyncio.Event()
        old.set()

    async def sleep(self, seconds: float) -> None:
        deadline = self.monotonic() + max(0.0, seconds)
        while (remaining := deadline - self.monotonic()) > 0:
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=remaining)
