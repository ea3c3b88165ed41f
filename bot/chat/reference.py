"""The Horde's text model reference: each model's instruct format and recommended settings.

The reference (``db.json`` of Haidra-Org/AI-Horde-text-model-reference, at the
``MODEL_REFERENCE_URL`` setting) maps model names to records holding ``instruct_format``
and ``settings``. It is fetched when first needed and kept for :data:`REFRESH_SECONDS`; when
a refresh fails the last copy stays in use and the next try waits :data:`RETRY_SECONDS`,
so a turn never waits on an unreachable GitHub more than once per few minutes. Lookups
ignore the worker backend prefix (``koboldcpp/``) and case.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.chat.formats import InstructFormat, find_format, strip_backend
from bot.clock import SYSTEM_CLOCK, Clock

__all__ = ["ModelInfo", "ModelReference", "parse_reference"]

log = logging.getLogger(__name__)

REFRESH_SECONDS = 6 * 3600.0
RETRY_SECONDS = 300.0
FETCH_TIMEOUT = 15.0
# Recommended settings a chat may take over (the Horde's own sampler parameter names).
SETTING_KEYS = frozenset({"temperature", "top_p", "top_k", "top_a", "min_p", "rep_pen", "typical"})


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the reference says about one model."""

    name: str
    instruct_format: InstructFormat | None = None
    format_name: str | None = None
    settings: Mapping[str, float] = field(default_factory=dict)


def _key(model: str) -> str:
    return strip_backend(model.strip()).lower()


def _settings(raw: Any) -> dict[str, float]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    return {
        k: float(v)
        for k, v in raw.items()
        if k in SETTING_KEYS and isinstance(v, int | float) and not isinstance(v, bool)
    }


def parse_reference(data: Any) -> dict[str, ModelInfo]:
    """The reference's records by lookup key; records without a usable name are skipped."""
    found: dict[str, ModelInfo] = {}
    if not isinstance(data, Mapping):
        return found
    for key, record in data.items():
        if not isinstance(record, Mapping):
            continue
        name = str(record.get("name") or key)
        format_name = record.get("instruct_format")
        format_name = format_name if isinstance(format_name, str) and format_name else None
        info = ModelInfo(
            name=name,
            instruct_format=find_format(format_name),
            format_name=format_name,
            settings=_settings(record.get("settings")),
        )
        existing = found.get(_key(name))
        # Backend-prefixed duplicates often lack the fields: keep the richer record.
        if existing is None or (existing.format_name is None and info.format_name):
            found[_key(name)] = info
    return found


class ModelReference:
    """Fetches and caches the reference; :meth:`lookup` never raises."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._url = url
        self._clock = clock
        self._session = session
        self._own_session = session is None
        self._models: dict[str, ModelInfo] = {}
        self._next_fetch = 0.0
        self._lock = asyncio.Lock()

    async def lookup(self, model: str | None) -> ModelInfo | None:
        """The reference's record for ``model`` (backend prefix ignored), or None."""
        if not model:
            return None
        await self._refresh_if_due()
        return self._models.get(_key(model))

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def _refresh_if_due(self) -> None:
        if self._clock.monotonic() < self._next_fetch:
            return
        async with self._lock:
            if self._clock.monotonic() < self._next_fetch:
                return
            try:
                self._models = parse_reference(await self._fetch())
                self._next_fetch = self._clock.monotonic() + REFRESH_SECONDS
                log.info("Loaded the text model reference: %d models", len(self._models))
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                self._next_fetch = self._clock.monotonic() + RETRY_SECONDS
                log.warning("Could not load the text model reference: %s", type(exc).__name__)

    async def _fetch(self) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        async with self._session.get(self._url, timeout=timeout) as response:
            response.raise_for_status()
            # GitHub serves raw files as text/plain: parse whatever the content type.
            return json.loads(await response.text())
