"""Test support for the Horde client tests: a clock that records sleeps and returns fast."""

from __future__ import annotations

import asyncio
from typing import Protocol


class _Advanceable(Protocol):
    def time(self) -> float: ...
    def monotonic(self) -> float: ...
    def advance(self, seconds: float) -> None: ...


class RecordingClock:
    """A ``bot.clock.Clock`` whose ``sleep`` records the delay and jumps time instead of waiting.

    It wraps the fake Horde's clock, so a client sleeping 5 s moves the fake's scripted workers
    and expiry timers 5 s forward too.
    """

    def __init__(self, base: _Advanceable) -> None:
        self.base = base
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.base.time()

    def monotonic(self) -> float:
        return self.base.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.base.advance(max(0.0, seconds))
        await asyncio.sleep(0)
