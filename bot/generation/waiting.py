"""The engine's one way to wait: sleep on the injected clock, or less when woken."""

from __future__ import annotations

import asyncio

from bot.clock import Clock, SystemClock

__all__ = ["Alarm", "sleep_or_wake"]


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


class Alarm:
    """What a scheduler loop sleeps on: a deadline, or an earlier :meth:`ring`.

    The same contract as :func:`sleep_or_wake` with an :class:`asyncio.Event`, without its
    two tasks and ``asyncio.wait`` per sleep: on the real clock a sleep is one future and one
    loop timer (the poller sleeps once per due poll). A ring while nobody sleeps is kept for
    the next :meth:`sleep`, as a set event would be, until :meth:`clear`.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._rung = False
        self._waiter: asyncio.Future[None] | None = None

    def ring(self) -> None:
        """End the current sleep now (or the next one at once)."""
        self._rung = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def clear(self) -> None:
        """Forget a ring nobody has slept on yet."""
        self._rung = False

    async def sleep(self, seconds: float | None) -> None:
        """Sleep ``seconds`` on the clock (None: until rung); return early when rung."""
        if self._rung:
            return
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer: asyncio.TimerHandle | asyncio.Future[None] | None = None
        if seconds is not None and type(self._clock) is SystemClock:
            timer = loop.call_later(max(0.0, seconds), _resolve, waiter)
        elif seconds is not None:  # an injected clock: its own sleep decides when
            timer = asyncio.ensure_future(self._clock.sleep(seconds))
            timer.add_done_callback(lambda _: _resolve(waiter))
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
