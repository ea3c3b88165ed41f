"""An injectable clock, so timeouts and schedules can be tested without real waiting."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Time source used by every component that waits or schedules."""

    def time(self) -> float:
        """Seconds since the Unix epoch (wall clock: timestamps shown to users, expiry)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic clock (intervals, rate limits)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a virtual clock may return as soon as time is advanced)."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


SYSTEM_CLOCK: Clock = SystemClock()
