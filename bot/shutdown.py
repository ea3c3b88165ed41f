"""SIGTERM / SIGINT: one graceful shutdown within a bounded time; a second signal exits at once.

The graceful order is the one that loses nothing: the generation engine first (it waits for
submits already on the wire so their Horde ids are stored, then stops polling and deliveries),
then the gateway and the bot's HTTP session, then — when ``run`` leaves ``open_bot`` — the Horde
session and the database (which checkpoints its WAL on close).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable

from bot.bot import HordeBot

log = logging.getLogger("bot")

EXIT_FORCED = 130
SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit_now(code: int) -> None:
    """Leave without any clean-up (the second signal, or the bound ran out)."""
    logging.shutdown()  # flush what was logged, including the line saying why
    sys.stderr.flush()
    os._exit(code)


class ShutdownSignals:
    """Turns the first signal into a graceful close of the bot, the second into an exit."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        timeout: float,
        exit_now: Callable[[int], None] = _exit_now,
    ) -> None:
        self.loop = loop
        self.timeout = timeout
        self.requested = asyncio.Event()
        self._exit_now = exit_now
        self._bot: HordeBot | None = None
        self._closing: asyncio.Task[None] | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def install(self) -> None:
        for signum in SIGNALS:
            self.loop.add_signal_handler(signum, self.on_signal, signum)

    def uninstall(self) -> None:
        for signum in SIGNALS:
            self.loop.remove_signal_handler(signum)
        if self._deadline is not None:
            self._deadline.cancel()

    def watch(self, bot: HordeBot) -> None:
        """The bot a signal closes (a new one on every start-up attempt)."""
        self._bot = bot
        if self.requested.is_set():
            self._close_bot()

    def on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.requested.is_set():
            log.warning("Second %s: exiting now without finishing the shutdown", name)
            self._exit_now(EXIT_FORCED)
            return
        self.requested.set()
        log.info("%s received: shutting down (at most %g s)", name, self.timeout)
        self._deadline = self.loop.call_later(self.timeout, self._too_slow)
        self._close_bot()

    def _too_slow(self) -> None:
        log.error("Shutdown did not finish within %g s: exiting now", self.timeout)
        self._exit_now(EXIT_FORCED)

    def _close_bot(self) -> None:
        if self._bot is not None and self._closing is None:
            self._closing = asyncio.ensure_future(graceful_close(self._bot))


async def graceful_close(bot: HordeBot) -> None:
    """Engine first (submits on the wire, polling, deliveries), then the gateway."""
    try:
        await bot.services.generations.close()
    finally:
        if not bot.is_closed():
            await bot.close()
