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
