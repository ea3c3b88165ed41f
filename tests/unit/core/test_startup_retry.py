"""Start-up retry schedule, fault descriptions and the signal handler, on a virtual clock."""

from __future__ import annotations

import asyncio
import signal
import ssl

import aiohttp
import discord
import pytest

from bot.shutdown import EXIT_FORCED, ShutdownSignals
from bot.startup import DISCORD_UNREACHABLE, StartupRetry, describe_discord_fault


class VirtualClock:
    """monotonic() moves only when sleep() is awaited; nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def time(self) -> float:
        return 1_700_000_000 + self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def delays_until_giving_up(retry: StartupRetry, clock: VirtualClock) -> list[float]:
    delays = []
    stop = asyncio.Event()
    while (delay := retry.next_delay()) is not None:
        delays.append(delay)
        await retry.wait(delay, stop)
        if len(delays) > 50:
            break
    return delays


async def test_backoff_doubles_up_to_the_cap_and_stops_at_the_limit() -> None:
    clock = VirtualClock()
    retry = StartupRetry(clock, limit=200)
    delays = await delays_until_giving_up(retry, clock)
    assert delays[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert sum(delays) == pytest.approx(200)
    assert max(delays) == 60
    assert clock.slept == delays


async def test_no_limit_retries_forever_at_the_cap() -> None:
    clock = VirtualClock()
    retry = StartupRetry(clock, limit=None)
    delays = [retry.next_delay() for _ in range(30)]
    assert delays[-1] == 60
    assert None not in delays


def test_limit_zero_gives_up_at_once() -> None:
    assert StartupRetry(VirtualClock(), limit=0).next_delay() is None


async def test_wait_ends_early_when_a_signal_asks_to_stop() -> None:
    class RealSleep(VirtualClock):
        async def sleep(self, seconds: float) -> None:
            await asyncio.sleep(seconds)

    retry = StartupRetry(RealSleep(), limit=None)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, stop.set)
    async with asyncio.timeout(2):
        await retry.wait(60, stop)


# Any host: the message names whatever the connector was asked for (tests name no real host).
DISCORD_HOST = "discord.invalid"


def connector_error(os_error: OSError, cls: type = aiohttp.ClientConnectorError) -> Exception:
    key = aiohttp.client_reqrep.ConnectionKey(DISCORD_HOST, 443, True, True, None, None, None)
    return cls(key, os_error)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            connector_error(
                OSError(-2, "Name or service not known"), aiohttp.ClientConnectorDNSError
            ),
            f"Cannot connect to Discord at {DISCORD_HOST}:443 (DNS lookup failed)",
        ),
        (
            connector_error(ConnectionRefusedError(111, "Connection refused")),
            f"Cannot connect to Discord at {DISCORD_HOST}:443 (connection refused)",
        ),
        (
            connector_error(ssl.SSLError(1, "handshake"), aiohttp.ClientConnectorSSLError),
            f"Cannot connect to Discord at {DISCORD_HOST}:443 (the TLS handshake failed)",
        ),
        (TimeoutError(), "Discord did not answer in time"),
    ],
)
def test_expected_faults_are_described_in_one_line(error: Exception, expected: str) -> None:
    assert isinstance(error, DISCORD_UNREACHABLE)
    assert describe_discord_fault(error) == expected


def test_a_discord_5xx_is_an_expected_fault() -> None:
    class Response:
        status = 503
        reason = "Service Unavailable"

    error = discord.DiscordServerError(Response(), {"message": "down", "code": 0})  # type: ignore[arg-type]
    assert isinstance(error, DISCORD_UNREACHABLE)
    assert describe_discord_fault(error) == "Discord answered HTTP 503 (a Discord outage)"


def test_a_rejected_token_is_not_an_expected_network_fault() -> None:
    assert not isinstance(discord.LoginFailure("bad"), DISCORD_UNREACHABLE)


async def test_first_signal_arms_the_bound_second_exits_now() -> None:
    exits: list[int] = []
    signals = ShutdownSignals(asyncio.get_running_loop(), timeout=0.05, exit_now=exits.append)
    signals.on_signal(signal.SIGTERM)
    assert signals.requested.is_set()
    assert exits == []
    signals.on_signal(signal.SIGINT)
    assert exits == [EXIT_FORCED]


async def test_the_bound_exits_when_shutdown_hangs() -> None:
    exits: list[int] = []
    signals = ShutdownSignals(asyncio.get_running_loop(), timeout=0.02, exit_now=exits.append)
    signals.on_signal(signal.SIGTERM)
    await asyncio.sleep(0.1)
    assert exits == [EXIT_FORCED]
    signals.uninstall()
