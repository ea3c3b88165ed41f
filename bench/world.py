"""The benchmarks' world: instrumented fakes and the production bot assembly wired to them.

Instrumentation only counts (requests in flight, a change counter): it never alters what the
fakes answer or what the bot does.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet

from bot.app import open_bot
from bot.bot import HordeBot
from bot.clock import Clock
from bot.config import Settings
from bot.generation import GenerationService
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL
from tests.fakes.discord import FakeDiscord, running_bot
from tests.fakes.horde import FakeHorde, OffsetClock
from tests.fakes.horde.webhooks import WebhookCall

__all__ = ["CountingHorde", "Meter", "bot_on_fakes", "production_env"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Meter:
    """Requests in flight and a counter of everything that happened (for the driver)."""

    inflight: int = 0
    events: int = 0

    def trace_config(self) -> aiohttp.TraceConfig:
        """An aiohttp client trace that keeps this meter up to date."""
        trace = aiohttp.TraceConfig()

        async def start(_s: aiohttp.ClientSession, _c: SimpleNamespace, _p: Any) -> None:
            self.inflight += 1
            self.events += 1

        async def end(_s: aiohttp.ClientSession, _c: SimpleNamespace, _p: Any) -> None:
            self.inflight -= 1
            self.events += 1

        trace.on_request_start.append(start)
        trace.on_request_end.append(end)
        trace.on_request_exception.append(end)
        return trace


class CountingHorde(FakeHorde):
    """The fake Horde, with a meter counting requests being served."""

    def __init__(self, clock: OffsetClock | None = None) -> None:
        super().__init__(clock)
        self.meter = Meter()
        self._count_webhook_calls()

    def _count_webhook_calls(self) -> None:
        """A webhook call on the wire is activity too: virtual time must not jump over it."""
        pump, meter = self.webhook_pump, self.meter
        send = pump._send

        async def counted(call: WebhookCall) -> None:
            meter.inflight += 1
            meter.events += 1
            try:
                await send(call)
            finally:
                meter.inflight -= 1
                meter.events += 1

        pump._send = counted  # type: ignore[method-assign]

    def make_app(self) -> web.Application:
        app = super().make_app()
        meter = self.meter

        @web.middleware
        async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
            meter.inflight += 1
            meter.events += 1
            try:
                return await handler(request)
            finally:
                meter.inflight -= 1
                meter.events += 1

        app.middlewares.insert(0, count)
        return app


def production_env(**overrides: str) -> dict[str, str]:
    """The bot's default polling settings (the point of the benchmark), plus overrides."""
    return {"POLL_MIN_SECONDS": "2", "POLL_MAX_SECONDS": "15", **overrides}


@contextlib.asynccontextmanager
async def bot_on_fakes(
    discord_fake: FakeDiscord,
    horde: FakeHorde,
    clock: Clock,
    *,
    discord_meter: Meter | None = None,
    edit_interval: float = DEFAULT_EDIT_INTERVAL,
    env: dict[str, str] | None = None,
) -> AsyncIterator[tuple[HordeBot, GenerationService]]:
    """A ready bot with /generate and a started engine: ``bot.app.open_bot`` on the fakes.

    The engine is the one ``bot.app`` wires. ``discord_meter`` traces the bot's Discord HTTP
    session.
    """
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        settings = Settings.from_env(
            {
                "DISCORD_TOKEN": discord_fake.token,
                "HORDE_API_URL": horde.base_url,
                "DATA_DIR": str(Path(tmp)),
                "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "LOG_LEVEL": "WARNING",
                **production_env(),
                **(env or {}),
            }
        )
        async with open_bot(
            settings, clock=clock, extensions=("cogs.generate",), edit_interval=edit_interval
        ) as bot:
            bot._connection.guild_ready_timeout = 0.05
            if discord_meter is not None:
                bot.http.http_trace = discord_meter.trace_config()
            # bot.app built, started and (in setup_hook) resumed the engine; open_bot closes it.
            async with running_bot(bot, discord_fake) as ready:
                yield ready, ready.services.generations
