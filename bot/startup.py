"""Start-up when Discord cannot be reached: which faults are expected, how to say so, when to retry.

An unreachable Discord (DNS, connection refused, TLS, a 5xx, a timeout) is an expected fault at
start-up — a network that is not up yet, a Discord outage — so it gets one plain line and a
retry with capped exponential backoff, never a traceback. A rejected token is not retried.
"""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import discord

from bot.clock import Clock

# Faults that mean "Discord could not be reached", not "something in the bot is wrong".
DISCORD_UNREACHABLE: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectionError,  # DNS, refused, TLS, dropped connection, read timeout
    ssl.SSLError,
    TimeoutError,
    discord.DiscordServerError,  # 5xx after discord.py's own retries
    discord.GatewayNotFound,
)

FIRST_DELAY = 1.0
MAX_DELAY = 60.0


class DiscordUnreachableError(Exception):
    """Discord stayed unreachable for longer than ``STARTUP_RETRY_SECONDS``; one line of text."""


def describe_discord_fault(error: BaseException) -> str:
    """What could not be reached and why, in one line without a traceback."""
    if isinstance(error, discord.DiscordServerError):
        return f"Discord answered HTTP {error.status} (a Discord outage)"
    if isinstance(error, discord.GatewayNotFound):
        return "Discord's gateway could not be found (a Discord outage)"
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"Cannot connect to Discord at {error.host}:{error.port} ({connect_reason(error)})"
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return "Discord did not answer in time"
    if isinstance(error, ssl.SSLError):
        return "The TLS connection to Discord failed"
    return f"The connection to Discord failed ({type(error).__name__})"


def connect_reason(error: aiohttp.ClientConnectorError) -> str:
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return "its TLS certificate was not accepted"
    if isinstance(error, aiohttp.ClientSSLError):
        return "the TLS handshake failed"
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return "DNS lookup failed"
    if isinstance(error.os_error, ConnectionRefusedError):
        return "connection refused"
    return error.os_error.strerror or type(error.os_error).__name__


class StartupRetry:
    """Capped exponential backoff (1 s, 2 s, 4 s … 60 s) until ``limit`` seconds have passed.

    ``limit`` None retries forever; 0 never retries. The clock is injected so tests do not
    sleep through real delays.
    """

    def __init__(
        self,
        clock: Clock,
        limit: float | None,
        *,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.clock = clock
        self.limit = limit
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.failures = 0
        self._started = clock.monotonic()

    def next_delay(self) -> float | None:
        """Seconds to wait before the next attempt, or None when it is time to give up."""
        elapsed = self.clock.monotonic() - self._started
        if self.limit is not None and elapsed >= self.limit:
            return None
        # The exponent is capped too: retrying forever must not overflow a float.
        delay = min(self.max_delay, self.first_delay * 2.0 ** min(self.failures, 32))
        self.failures += 1
        if self.limit is not None:
            delay = min(delay, self.limit - elapsed)
        return delay

    def describe_plan(self) -> str:
        """The "and then" half of the first log line."""
        if self.limit is None:
            return "retrying with backoff until it answers"
        return f"retrying with backoff for up to {self.limit:g} s"

    async def wait(self, delay: float, stop: asyncio.Event) -> None:
        """Sleep ``delay`` on the clock, or less if ``stop`` is set meanwhile (a signal)."""
        sleeper = asyncio.ensure_future(self.clock.sleep(delay))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
