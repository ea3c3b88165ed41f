"""Test-only start-up hook: point discord.py at a fake Discord in a child ``python -m bot``.

Put this directory first on the child's ``PYTHONPATH`` and set ``FAKE_DISCORD_URL`` to the fake's
``base_url`` (``http://127.0.0.1:PORT``). Without the variable this does nothing, so the product
never gains a "Discord URL" setting that could send the token elsewhere.
"""

from __future__ import annotations

import os

_url = os.environ.get("FAKE_DISCORD_URL", "").rstrip("/")
if _url:
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = f"{_url}/api/v10"
    _ws = "ws" + _url[len("http") :] if _url.startswith("http") else _url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{_ws}/gateway")

    async def _no_identify_delay(
        self: object, shard_id: int | None, *, initial: bool = False
    ) -> None:
        """The fake has no IDENTIFY rate limit: skip discord.py's 5 s wait per extra shard
        (as ``running_bot`` does in-process), so a child running several shards starts fast."""

    import discord.client

    discord.client.Client.before_identify_hook = _no_identify_delay  # type: ignore[method-assign]


# A gateway close that never finishes (a hung connection while the bot shuts down), so a test
# can show that the shutdown bound still ends the process. Third-party code is patched here,
# never the bot's own.
if os.environ.get("FAKE_DISCORD_CLOSE_HANGS"):
    import asyncio

    import discord

    async def _close_hangs(self: discord.Client) -> None:
        await asyncio.Event().wait()

    discord.Client.close = _close_hangs  # type: ignore[method-assign]
    discord.AutoShardedClient.close = _close_hangs  # type: ignore[method-assign]
