"""``FakeDiscord``: the aiohttp server (REST under ``/api/v10`` and the gateway websocket)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from tests.fakes.discord.gateway import Gateway
from tests.fakes.discord.http_app import (
    API_PREFIX,
    Fault,
    RateLimiter,
    build_middleware,
    unhandled_route,
)
from tests.fakes.discord.models import DEFAULT_BOT_PERMISSIONS
from tests.fakes.discord.reach_actions import ReachActions
from tests.fakes.discord.rest import RestRoutes
from tests.fakes.discord.slash_routes import CommandRoutes
from tests.fakes.discord.webhooks import WebhookRoutes

log = logging.getLogger(__name__)


class FakeDiscord(ReachActions):
    """A fake Discord on 127.0.0.1 that the real discord.py client talks to."""

    def __init__(
        self,
        token: str = "fake-discord-token",
        *,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        heartbeat_interval_ms: int = 41_250,
        shard_count: int = 1,
    ) -> None:
        super().__init__(token, bot_permissions)
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.gateway.shard_count = shard_count
        self.faults: list[Fault] = []
        self.rate_limits = RateLimiter(self)
        self.webhooks = WebhookRoutes(self)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[build_middleware(self, self.faults, self.rate_limits)])
        RestRoutes(self).add_to(app.router, API_PREFIX)
        CommandRoutes(self).add_to(app.router, API_PREFIX)
        self.webhooks.add_to(app.router, API_PREFIX)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", unhandled_route(self))
        return app

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` of 127.0.0.1 (0: a random free port)."""
        self._runner = web.AppRunner(self._build_app(), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.cdn_url = f"http://127.0.0.1:{self.port}"
        self.gateway.url = self.gateway_url
        log.debug("fake Discord listening on %s", self.cdn_url)

    async def stop(self) -> None:
        await self.gateway.close()
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (what ``FAKE_DISCORD_URL`` holds for subprocess tests)."""
        return self.cdn_url

    @property
    def rest_url(self) -> str:
        return f"{self.cdn_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.rest_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    async def _cdn(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["attachment_id"])
        for msg in self.messages.values():
            for att in msg.attachments:
                if att.id == attachment_id:
                    ctype = att.content_type or "application/octet-stream"
                    return web.Response(body=att.data, headers={"Content-Type": ctype})
        return web.Response(status=404)

    # --- test controls ------------------------------------------------------------------------

    def register_tree(self, tree: discord.app_commands.CommandTree[Any]) -> None:
        """Learn the bot's command definitions (option types) without it syncing."""
        self.tree_commands = {"global": [c.to_dict(tree) for c in tree.get_commands()]}
        for guild_id in self.guilds:
            guild_cmds = tree.get_commands(guild=discord.Object(guild_id))
            if guild_cmds:
                self.tree_commands[guild_id] = [c.to_dict(tree) for c in guild_cmds]

    def fail_next(
        self,
        method: str,
        path_contains: str,
        *,
        status: int = 503,
        body: Any = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` matching REST calls with an error.

        discord.py retries 500/502/504 after 1 s, 3 s, … so prefer 503 or a 4xx in fast tests.
        """
        body = body if body is not None else {"message": "fake failure", "code": 0}
        self.faults.append(Fault(method.upper(), path_contains, status, body, times, headers or {}))

    async def disconnect_gateway(
        self, *, resume: bool = True, timeout: float = 5.0, shard: int = 0
    ) -> None:
        """Drop shard ``shard``'s websocket and wait for the bot to RESUME (or re-IDENTIFY when
        ``resume=False``)."""
        await self.gateway.disconnect(resume=resume, timeout=timeout, shard=shard)

    async def wait_for_identify(self, timeout: float = 5.0) -> None:
        """Wait for the first IDENTIFY (READY and GUILD_CREATEs are then sent)."""
        await self.wait_for(lambda: self.gateway.identify_count > 0, timeout)

    def calls_to(self, method: str, path_contains: str = "") -> list[Any]:
        """Recorded REST calls with this method whose path contains ``path_contains``."""
        return [c for c in self.calls if c.method == method.upper() and path_contains in c.path]
