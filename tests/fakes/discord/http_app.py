"""HTTP plumbing: Discord-style JSON answers, multipart parsing, call recording, auth, faults and
optional rate-limit emulation."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests.fakes.discord.models import FakeAttachment, RecordedCall
from tests.fakes.discord.state import ApiError

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIX = "/api/v10"
# Interaction callbacks and webhook calls are authorised by the token in the URL, not the header.
TOKEN_IN_URL = (f"{API_PREFIX}/interactions/", f"{API_PREFIX}/webhooks/")
BODY_KEY: web.RequestKey[tuple[Any, list[FakeAttachment]]] = web.RequestKey("body", tuple)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with ``Content-Type: application/json`` exactly (discord.py insists)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


async def parse_body(request: web.Request) -> tuple[Any, list[FakeAttachment]]:
    """The JSON body (or multipart ``payload_json``) and uploaded ``files[n]`` (id = n)."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[FakeAttachment] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            raw = await part.read()
            if name == "payload_json":
                payload = json.loads(raw)
            elif name.startswith("files["):
                index = int(name[len("files[") : -1])
                ctype = part.headers.get("Content-Type")
                files.append(FakeAttachment(index, part.filename or name, bytes(raw), ctype))
        return payload, files
    raw_text = await request.text()
    return (json.loads(raw_text) if raw_text else None), []


@dataclass
class Fault:
    """A canned error answer for the next ``times`` matching requests."""

    method: str
    path_contains: str
    status: int
    body: Any
    times: int
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """Per-route buckets like Discord's (off until ``enable``); records every 429 in ``hits``."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.limit = 0
        self.per = 1.0
        self.match: Callable[[str, str], bool] | None = None
        self.buckets: dict[tuple[str, ...], tuple[float, int]] = {}
        self.hits: list[tuple[str, str]] = []

    def enable(
        self, limit: int = 5, per: float = 5.0, match: Callable[[str, str], bool] | None = None
    ) -> None:
        """Allow ``limit`` requests per ``per`` seconds per bucket on routes where
        ``match(method, path)`` is true (all routes when None)."""
        self.limit, self.per, self.match = limit, per, match
        self.buckets.clear()

    def disable(self) -> None:
        self.limit = 0

    def check(self, request: web.Request) -> tuple[dict[str, str], float | None]:
        """Rate-limit headers for this request, and ``retry_after`` when it must get a 429."""
        if self.limit <= 0 or (self.match and not self.match(request.method, request.path)):
            return {}, None
        template = (
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else request.path
        )
        majors = tuple(
            v
            for k, v in sorted(request.match_info.items())
            if k in ("channel_id", "guild_id", "token")
        )
        key = (request.method, template, *majors)
        now = self.state.clock.monotonic()
        start, count = self.buckets.get(key, (now, 0))
        if now - start >= self.per:
            start, count = now, 0
        reset_after = max(0.0, self.per - (now - start))
        bucket = format(zlib.crc32(f"{request.method} {template}".encode()), "08x")
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Reset": f"{self.state.clock.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        if count >= self.limit:
            self.hits.append((request.method, request.path))
            headers.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                    "Retry-After": str(math.ceil(reset_after)),
                    "Via": "1.1 google",
                }
            )
            return headers, reset_after
        self.buckets[key] = (start, count + 1)
        headers["X-RateLimit-Remaining"] = str(self.limit - count - 1)
        return headers, None


def build_middleware(state: FakeState, faults: list[Fault], limiter: RateLimiter) -> Any:
    """Record, authenticate, inject faults, rate-limit, and turn ApiError into JSON."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        payload, files = await parse_body(request)
        request[BODY_KEY] = (payload, files)
        call = RecordedCall(
            request.method,
            request.path[len(API_PREFIX) :],
            payload,
            files,
            state.clock.time(),
            query=dict(request.query),
        )
        state.calls.append(call)
        response = await _answer(state, faults, limiter, request, handler)
        call.status = response.status
        return response

    return middleware


async def _answer(
    state: FakeState,
    faults: list[Fault],
    limiter: RateLimiter,
    request: web.Request,
    handler: Handler,
) -> web.StreamResponse:
    authorised = request.headers.get("Authorization") == f"Bot {state.token}"
    if not authorised and not request.path.startswith(TOKEN_IN_URL):
        return json_response({"message": "401: Unauthorized", "code": 0}, 401)
    for fault in faults:
        if fault.method == request.method and fault.path_contains in request.path:
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)
            return json_response(fault.body, fault.status, fault.headers)
    headers, retry_after = limiter.check(request)
    if retry_after is not None:
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        return json_response(body, 429, headers)
    try:
        response = await handler(request)
    except ApiError as exc:
        response = json_response(exc.body(), exc.status)
    response.headers.update(headers)
    return response


def unhandled_route(state: FakeState) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state.unhandled.append(f"{request.method} {request.path}")
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    return handle
