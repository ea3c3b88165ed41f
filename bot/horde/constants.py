"""The client's defaults, importable without aiohttp or pydantic (the settings use them)."""

from __future__ import annotations

from bot import PROJECT_URL, __version__

__all__ = ["ANONYMOUS_API_KEY", "DEFAULT_BASE_URL", "DEFAULT_CLIENT_AGENT"]

DEFAULT_BASE_URL = "https://aihorde.net/api"
DEFAULT_CLIENT_AGENT = f"horde-text-bot:{__version__}:{PROJECT_URL}"
ANONYMOUS_API_KEY = "0000000000"
