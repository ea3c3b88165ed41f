"""The fake AI Horde HTTP server (aiohttp on 127.0.0.1) with fault injection and rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from typing import Any

from aiohttp import web

from tests.fakes.horde import (
    routes_account,
    routes_admin,
    routes_generate,
    routes_moderation,
    routes_owner,
    routes_sharedkeys,
    routes_status,
    routes_styles,
)
from tests.fakes.horde.clock import OffsetClock
from tests.fakes.horde.common import HORDE, JSON_BODY
from tests.fakes.horde.errors import HordeError, PayloadValidationError, html_page, rate_limited
from tests.fakes.horde.models import Fault, RecordedRequest
from tests.fakes.horde.ratelimit import RateLimiter, rules_for
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.webhooks import WebhookPump

log = logging.getLogger(__name__)

BASE = "/api"
FAULT_KINDS = {"500", "502", "503", "504", "drop", "slow", "429"}
_PROXY_TITLES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}


class FakeHorde(HordeState):
    """A started-on-demand fake Horde; see ``tests/fakes/horde/__init__.py`` for the contract."""

    def __init__(self, clock: OffsetClock | None = None) -> None:
        super().__init__(clock)
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.limiter = RateLimiter()
        self.base_url = ""
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.webhook_pump = WebhookPump(self)

    # -- lifecycle ---------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        app[HORDE] = self
        # Before the account/status tables: /v2/workers/messages must win over /workers/{id}.
        app.add_routes(routes_moderation.routes)
        app.add_routes(routes_generate.routes)
        app.add_routes(routes_account.routes)
        app.add_routes(routes_status.routes)
        for table in (routes_owner, routes_admin, routes_styles, routes_sharedkeys):
            app.add_routes(table.routes)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); return the base URL ``http://…/api``."""
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://{host}:{self.port}{BASE}"
        return self.base_url

    async def close(self) -> None:
        self._closing.set()
        await self.webhook_pump.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- test controls -----------------------------------------------------------------------
    def inject_fault(
        self,
        method: str | None = None,
        path_prefix: str = "",
        kind: str = "500",
        count: int | None = 1,
        retry_after: int = 1,
        delay: float = 5.0,
    ) -> Fault:
        """Make the next ``count`` matching requests fail (None: all of them).

        ``path_prefix`` is relative to ``/api`` (e.g. ``/v2/generate/text/status``). Kinds:
        "500" JSON error, "502"/"503"/"504" proxy HTML page, "429" rate-limit shape with
        ``Retry-After: retry_after``, "drop" closes the connection without an answer,
        "slow" waits ``delay`` real seconds before answering normally.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(method, path_prefix, kind, count, retry_after, delay)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path (relative to ``/api``) starts with ``path``."""
        return [
            r
            for r in self.requests
            if r.path.startswith(path) and (method is None or r.method == method.upper())
        ]

    # -- request pipeline --------------------------------------------------------------------
    async def _record(self, request: web.Request, rel: str) -> None:
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        request[JSON_BODY] = body
        now = self.clock.time()
        self.requests.append(
            RecordedRequest(
                request.method, rel, dict(request.query), dict(request.headers), body, now
            )
        )
        if request.method == "POST" and rel == "/v2/generate/text/async":
            self.submit_times.append(now)

    def _take_fault(self, method: str, rel: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, rel):
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None

    async def _apply_fault(self, request: web.Request, fault: Fault) -> web.StreamResponse | None:
        """The faulty answer, or None to continue normally (after a "slow" delay)."""
        if fault.kind == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), timeout=fault.delay)
            return None
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if fault.kind == "429":
            return rate_limited("90 per 1 minute", fault.retry_after)
        if fault.kind == "500":
            return web.json_response({"message": "Internal Server Error"}, status=500)
        status = int(fault.kind)
        return html_page(status, _PROXY_TITLES[status], "The upstream server did not answer.")

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        rel = request.path[len(BASE) :] if request.path.startswith(BASE) else request.path
        await self._record(request, rel)
        fault = self._take_fault(request.method, rel)
        if fault is not None:
            faulty = await self._apply_fault(request, fault)
            if faulty is not None:
                return faulty
        unmatched = request.match_info.http_exception
        if unmatched is not None:
            return html_page(
                unmatched.status,
                unmatched.reason,
                "The requested URL was not found on the server. If you entered the URL "
                "manually please check your spelling and try again.",
            )
        limit_headers: dict[str, str] = {}
        if self.rate_limits:
            rules = rules_for(self, request.method, rel, request.remote or "", _key(request))
            verdict = self.limiter.check(rules, self.clock.time())
            if verdict.blocked is not None:
                refusal = rate_limited(verdict.blocked.label, verdict.retry_after)
                refusal.headers.update(verdict.headers)
                return refusal
            limit_headers = verdict.headers
        self.evaluate()
        response = await self._call(request, handler)
        response.headers.update(limit_headers)
        if self.webhooks.used:
            self.webhook_pump.poke()  # a new request or job may change the next deadline
        return response

    async def _call(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except (HordeError, PayloadValidationError) as error:
            response = error.response()
        except web.HTTPException:
            raise
        except Exception:
            log.exception("fake horde handler crashed on %s %s", request.method, request.path)
            return web.json_response({"message": "Internal Server Error"}, status=500)
        return response


def _key(request: web.Request) -> str | None:
    return request.headers.get("apikey") or None
