"""The engine's one way to wait: sleep on the injected clock, or less when woken."""

from __future__ import annotations

import asyncio

from bot.clock import Clock

__all__ = ["sleep_or_wake"]


async def sleep_or_wake(clock: Clock, wake: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` on ``clock``, returning early once ``wake`` is set (a new job, a
    new deadline): the governor and the poller re-plan instead of oversleeping."""
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    waker = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        waker.cancel()
