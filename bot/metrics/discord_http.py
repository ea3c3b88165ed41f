"""Counting discord.py's HTTP requests where they are made, instead of an aiohttp trace config.

Why not a trace (discord.py's ``http_trace`` option): once an aiohttp session has any trace
config, aiohttp builds a parameter object and awaits a signal at every step of every request,
hooked or not — about 40 µs a request, a measurable share of a generation (performance.md §6).

What is wrapped: every request discord.py makes — its ``HTTPClient``'s REST calls, the
interaction and webhook calls of its webhook adapter, the gateway's websocket upgrade — goes
through one aiohttp session, the ``HTTPClient``'s private ``__session``, created at each login
(discord.py itself reads it as ``_HTTPClient__session`` for interactions and webhooks). That
session's ``request`` is replaced, on the instance, by one that times the call to its response
headers and reports method, path, status and the ``X-RateLimit-Scope`` header to
:mod:`bot.metrics.record` — what the trace hooks saw, at the cost of one wrapper object. The
session is wrapped by ``HTTPClient.request``, just before the first request discord.py makes
on it (``static_login``'s ``GET /users/@me``), so a session made by a later login is wrapped
too.

This reads discord.py's and aiohttp's private shapes (pyproject.toml pins discord.py 2.7.x):
``tests/unit/core/test_discord_http_metrics.py`` pins them and fails if an upgrade moves them.
Only installed when metrics are on (``bot.metrics.count_discord_requests``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import aiohttp
import discord.http
import yarl

from bot.metrics import record

_Request = Callable[..., Any]  # aiohttp.ClientSession.request: awaitable and async-with-able


def count_requests(http: discord.http.HTTPClient) -> None:
    """Count every request of ``http``'s session from its next request on (idempotent)."""
    if getattr(http, "_horde_counted", False):
        return
    request = http.request

    async def counted_request(route: discord.http.Route, **kwargs: Any) -> Any:
        _wrap_session(http)
        return await request(route, **kwargs)

    http._horde_counted = True  # type: ignore[attr-defined]
    http.request = counted_request  # type: ignore[method-assign]


def _wrap_session(http: discord.http.HTTPClient) -> None:
    session = getattr(http, "_HTTPClient__session", None)
    if not isinstance(session, aiohttp.ClientSession) or isinstance(
        session.request, _CountedRequest
    ):
        return
    # object.__setattr__: aiohttp's debug-mode __setattr__ warns against custom attributes;
    # this replaces a method of this one instance on purpose.
    object.__setattr__(session, "request", _CountedRequest(session.request))


class _CountedRequest:
    """Stands in for ``session.request``: same arguments, same result, counted."""

    __slots__ = ("_request",)

    def __init__(self, request: _Request) -> None:
        self._request = request

    def __call__(self, method: str, url: str | yarl.URL, **kwargs: Any) -> _Counted:
        return _Counted(self._request(method, url, **kwargs), method, url)


class _Counted:
    """What aiohttp's ``session.request(...)`` returns — awaitable (the gateway upgrade) and an
    async context manager (REST calls) — timed to the response headers and counted."""

    __slots__ = ("_method", "_pending", "_url")

    def __init__(self, pending: Any, method: str, url: str | yarl.URL) -> None:
        self._pending = pending
        self._method = method
        self._url = url

    def __await__(self) -> Generator[Any, None, aiohttp.ClientResponse]:
        return self._answer(self._pending).__await__()

    async def __aenter__(self) -> aiohttp.ClientResponse:
        return await self._answer(self._pending.__aenter__())

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._pending.__aexit__(*exc_info)

    async def _answer(self, pending: Awaitable[aiohttp.ClientResponse]) -> aiohttp.ClientResponse:
        started = time.perf_counter()
        try:
            response = await pending
        except Exception as exc:
            path = yarl.URL(self._url).path
            record.discord_no_answer(self._method, path, exc)
            raise
        record.discord_answered(
            self._method,
            response.url.path,
            response.status,
            time.perf_counter() - started,
            response.headers.get("X-RateLimit-Scope"),
        )
        return response
