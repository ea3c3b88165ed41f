"""Prompt filters (moderators only) and messages to worker owners; the Horde's documents."""

from __future__ import annotations

import datetime
import re
from typing import Any

from aiohttp import web

from tests.fakes.horde.common import (
    body_of,
    int_param,
    is_moderator,
    no_changes,
    ok,
    require_moderator,
    require_user,
    state_of,
)
from tests.fakes.horde.errors import HordeError, PayloadValidationError, not_found
from tests.fakes.horde.records import MESSAGE_CACHE_SECONDS, Filter, WorkerMessage
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.swagger_schema import given, validated

routes = web.RouteTableDef()

HOUR = 3600.0
MESSAGES_PER_PAGE = 50


def filter_view(item: Filter) -> dict[str, Any]:
    return {
        "id": item.id,
        "regex": item.regex,
        "filter_type": item.filter_type,
        "description": item.description,
        "replacement": item.replacement,
        "user": item.user.username,
    }


def _filter(request: web.Request) -> Filter:
    require_moderator(request, key_required=True)
    item = state_of(request).records.filters.get(request.match_info["id"])
    if item is None:
        raise not_found("FilterNotFound", "Filter")
    return item


def _filter_type(request: web.Request) -> int | None:
    return int_param(request, "filter_type", None)


@routes.get("/api/v2/filters")
async def list_filters(request: web.Request) -> web.Response:
    require_moderator(request, key_required=True)
    kind, contains = _filter_type(request), request.query.get("contains")
    items = [
        f
        for f in state_of(request).records.filters.values()
        if (kind is None or f.filter_type == kind)
        and (contains is None or contains in f.regex or contains in (f.description or ""))
    ]
    return ok([filter_view(f) for f in items])


@routes.get("/api/v2/filters/regex")
async def filter_regex(request: web.Request) -> web.Response:
    require_moderator(request, key_required=True)
    kind = _filter_type(request)
    groups: dict[int, list[str]] = {}
    for item in state_of(request).records.filters.values():
        if kind is None or item.filter_type == kind:
            groups.setdefault(item.filter_type, []).append(item.regex)
    return ok([{"filter_type": t, "regex": "|".join(r)} for t, r in sorted(groups.items())])


@routes.put("/api/v2/filters")
async def add_filter(request: web.Request) -> web.Response:
    user = require_moderator(request, key_required=True)
    assert user is not None
    body = validated(body_of(request), "PutNewFilter")
    if "regex" not in body or "filter_type" not in body:
        raise PayloadValidationError({"regex": "'regex' and 'filter_type' are required"})
    item = state_of(request).records.add_filter(
        body["regex"],
        body["filter_type"],
        user,
        description=body.get("description"),
        replacement=body.get("replacement") or "",
    )
    return ok(filter_view(item), status=201)


@routes.post("/api/v2/filters")
async def check_prompt(request: web.Request) -> web.Response:
    require_moderator(request, key_required=True)
    body = body_of(request) or {}
    prompt, kind = str(body.get("prompt", "")), body.get("filter_type")
    matches = [
        m.group(0)
        for f in state_of(request).records.filters.values()
        if kind is None or f.filter_type == kind
        for m in re.finditer(f.regex, prompt, flags=re.IGNORECASE)
    ]
    return ok({"suspicion": len(matches), "matches": matches})


@routes.get("/api/v2/filters/{id}")
async def get_filter(request: web.Request) -> web.Response:
    return ok(filter_view(_filter(request)))


@routes.patch("/api/v2/filters/{id}")
async def modify_filter(request: web.Request) -> web.Response:
    item = _filter(request)
    body = given(body_of(request), "PatchExistingFilter")
    if not body:
        raise no_changes("NoFilterModSelected")
    for name, value in body.items():
        setattr(item, name, value)
    return ok(filter_view(item))


@routes.delete("/api/v2/filters/{id}")
async def delete_filter(request: web.Request) -> web.Response:
    item = _filter(request)
    del state_of(request).records.filters[item.id]
    return ok({"message": "OK"})


def message_view(message: WorkerMessage) -> dict[str, Any]:
    expiry = datetime.datetime.fromtimestamp(message.expiry, datetime.UTC).isoformat()
    return {
        "id": message.id,
        "worker_id": message.worker_id,
        "message": message.message,
        "origin": message.origin,
        "expiry": expiry,
    }


def _visible(state: HordeState, request: web.Request, message: WorkerMessage) -> bool:
    now, validity = state.clock.time(), request.query.get("validity", "active")
    if validity == "active" and message.expiry <= now:
        return False
    if validity == "expired" and message.expiry > now:
        return False
    worker_id = request.query.get("worker_id")
    return worker_id is None or message.worker_id == worker_id


@routes.get("/api/v2/workers/messages")
async def list_messages(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    mine = {w.id for w in state.workers.values() if w.owner is user}
    items = [
        m
        for m in state.records.messages.values()
        if _visible(state, request, m)
        and (is_moderator(user) or m.worker_id in mine or m.sender is user)
    ]
    page = max(1, int_param(request, "page", 1) or 1)
    chunk = items[(page - 1) * MESSAGES_PER_PAGE : page * MESSAGES_PER_PAGE]
    return ok([message_view(m) for m in chunk])


@routes.post("/api/v2/workers/messages")
async def send_message(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    now = state.clock.time()
    cached = state.records.message_cache.get(user.id)
    if cached is not None and now - cached[0] < MESSAGE_CACHE_SECONDS:
        return ok(message_view(cached[1]))  # the live server caches this POST for 60 s
    body = validated(body_of(request), "ResponseModelMessage")
    worker_id = body.get("worker_id")
    worker = state.workers.get(worker_id) if worker_id else None
    if worker_id and worker is None:
        raise not_found("WorkerNotFound", "Worker")
    if not is_moderator(user) and (worker is None or worker.owner is not user):
        raise HordeError(403, "MessagesOnlyOwnWorkers", "You can only message your own workers.")
    message = WorkerMessage(
        f"msg-{len(state.records.messages) + 1}",
        user,
        str(body.get("message", "")),
        worker_id,
        body.get("origin"),
        now + int(body.get("expiry", 12)) * HOUR,
    )
    state.records.messages[message.id] = message
    state.records.message_cache[user.id] = (now, message)
    return ok(message_view(message))


@routes.get("/api/v2/workers/messages/{id}")
async def get_message(request: web.Request) -> web.Response:
    message = state_of(request).records.messages.get(request.match_info["id"])
    if message is None:
        raise not_found("WorkermessageNotFound", "Worker Message")
    return ok(message_view(message))


@routes.delete("/api/v2/workers/messages/{id}")
async def delete_message(request: web.Request) -> web.Response:
    user = require_user(request)
    records = state_of(request).records
    message = records.messages.get(request.match_info["id"])
    if message is None:
        raise not_found("WorkermessageNotFound", "Worker Message")
    if message.sender is not user and not is_moderator(user):
        raise HordeError(403, "NotModerator", "You are not a moderator of this Horde.")
    del records.messages[message.id]
    return ok({"message": "OK"})


@routes.get("/api/v2/documents/{name}")
async def document(request: web.Request) -> web.Response:
    text = state_of(request).records.documents.get(request.match_info["name"])
    if text is None:
        raise not_found("ThingNotFound", "Document")
    if request.query.get("format", "html") == "markdown":
        return ok({"markdown": text})
    return ok({"html": f"<p>{text}</p>"})
