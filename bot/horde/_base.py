"""The core of :class:`~bot.horde.HordeClient`: configuration, session lifetime, keys, parsing.

The endpoint methods live in mixins (``_generation``, ``_accounts``, ``_status``) that call
:meth:`_ClientBase._request`; this module holds what they share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
import pydantic

from bot.clock import SYSTEM_CLOCK, Clock
from bot.horde._transport import Call, Transport
from bot.horde.constants import ANONYMOUS_API_KEY, DEFAULT_BASE_URL, DEFAULT_CLIENT_AGENT
from bot.horde.errors import HordeUnavailable
from bot.horde.models import HordeModel

__all__ = ["ANONYMOUS_API_KEY", "DEFAULT_BASE_URL", "DEFAULT_CLIENT_AGENT"]


M = TypeVar("M", bound=HordeModel)


def parse_one(model: type[M], data: Any) -> M:
    """Parse one response object; an unusable shape means the server is not the Horde we know."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise HordeUnavailable(
            f"the AI Horde answered with an unexpected {model.__name__} "
            f"({exc.error_count()} problem(s))"
        ) from None


def parse_list(model: type[M], data: Any) -> list[M]:
    """Parse a JSON array of objects (``null`` entries are skipped)."""
    if not isinstance(data, list):
        raise HordeUnavailable(f"the AI Horde answered with no list of {model.__name__}")
    return [parse_one(model, item) for item in data if item is not None]


class _ClientBase:
    """Holds the transport, the default key and the retry count shared by every method."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client_agent: str = DEFAULT_CLIENT_AGENT,
        apikey: str = ANONYMOUS_API_KEY,
        session: aiohttp.ClientSession | None = None,
        retries: int = 3,
        timeout: float = 30.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._transport = Transport(
            base_url=base_url,
            client_agent=client_agent,
            session=session,
            timeout=timeout,
            clock=clock,
        )
        self._apikey = apikey
        self.retries = retries
        self.clock = clock
        # Clean-up DELETEs run as tasks (shielded from cancellation); keep them referenced.
        self._background: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``https://aihorde.net/api``; calls go to ``{base_url}/v2/…``."""
        return self._transport.base_url

    @property
    def client_agent(self) -> str:
        """The ``Client-Agent`` header sent with every request."""
        return self._transport.client_agent

    def __repr__(self) -> str:
        # The key is a secret: never show it, not even in a repr.
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"client_agent={self.client_agent!r}, apikey='***', retries={self.retries})"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the aiohttp session if the client created it (an injected one is left open)."""
        await self._transport.close()

    def _key(self, apikey: str | None, *, required: bool) -> str | None:
        """The key to send: the caller's, else the default one where the endpoint needs a key."""
        if apikey is not None:
            return apikey
        return self._apikey if required else None

    def _request(
        self,
        method: str,
        path: str,
        *,
        apikey: str | None = None,
        json: Any = None,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        retries: int | None = None,
        request_timeout: float | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Send one call to ``/v2/{path}``; GETs are idempotent unless told otherwise.

        A plain function returning the transport's coroutine (callers await it): one frame
        fewer to create and to resume on every request, status polls included.
        """
        call = Call(
            method=method,
            path=path,
            apikey=apikey,
            json=json,
            query=query,
            headers=dict(headers or {}),
            idempotent=method == "GET" if idempotent is None else idempotent,
            timeout=request_timeout,
        )
        count = self.retries if retries is None else retries
        return self._transport.send(call, retries=max(0, count))

    async def _keyed(
        self,
        method: str,
        path: str,
        apikey: str | None,
        retries: int | None,
        *,
        json: Any = None,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """A call to an endpoint that needs a key: the caller's, else the client's default."""
        return await self._request(
            method,
            path,
            apikey=self._key(apikey, required=True),
            json=json,
            query=query,
            headers=headers,
            idempotent=idempotent,
            retries=retries,
        )
