"""Shared keys: 3 per user (10 when trusted); an unknown or deleted key answers 401
InvalidAPIKey, a fourth key 403 rc Forbidden, a stranger's key 403 rc Forbidden."""

from __future__ import annotations

import datetime
from typing import Any

from aiohttp import web

from tests.fakes.horde.common import body_of, no_changes, ok, require_known_user, state_of
from tests.fakes.horde.errors import HordeError
from tests.fakes.horde.models import User
from tests.fakes.horde.records import MAX_SHARED_KEYS, MAX_SHARED_KEYS_TRUSTED, SharedKey
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.swagger_schema import given

routes = web.RouteTableDef()

DAY = 86400.0
LIMIT_FIELDS = ("kudos", "name", "max_image_pixels", "max_image_steps", "max_text_tokens")


def shared_key_view(state: HordeState, key: SharedKey) -> dict[str, Any]:
    expiry = None
    if key.expiry is not None:
        expiry = datetime.datetime.fromtimestamp(key.expiry, datetime.UTC).isoformat()
    return {
        "id": key.id,
        "username": key.owner.username,
        "name": key.name,
        "kudos": key.kudos,
        "expiry": expiry,
        "utilized": key.utilized,
        "max_image_pixels": key.max_image_pixels,
        "max_image_steps": key.max_image_steps,
        "max_text_tokens": key.max_text_tokens,
    }


def _shared_not_found() -> HordeError:
    return HordeError(401, "InvalidAPIKey", "Shared Key Not Found.")


def _apply(state: HordeState, key: SharedKey, body: dict[str, Any]) -> None:
    if "expiry" in body:
        days = int(body["expiry"])
        key.expiry = None if days == -1 else state.clock.time() + days * DAY
    for name in LIMIT_FIELDS:
        if name in body:
            setattr(key, name, body[name])


def _own_key(request: web.Request) -> tuple[SharedKey, User]:
    state = state_of(request)
    key = state.records.shared_keys.get(request.match_info["id"])
    if key is None:  # looked up before the caller's key, as the server does
        raise _shared_not_found()
    user = require_known_user(request)
    if key.owner is not user:
        raise HordeError(403, "Forbidden", f"Shared Key {key.id} belongs to someone else.")
    return key, user


@routes.put("/api/v2/sharedkeys")
async def create_shared_key(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_known_user(request)
    limit = MAX_SHARED_KEYS_TRUSTED if user.trusted else MAX_SHARED_KEYS
    if len(state.records.keys_of(user)) >= limit:
        raise HordeError(403, "Forbidden", f"You cannot have more than {limit} shared keys.")
    body = given(body_of(request), "SharedKeyInput")
    key = state.records.add_shared_key(user)
    _apply(state, key, body)
    return ok(shared_key_view(state, key))


@routes.get("/api/v2/sharedkeys/{id}")
async def get_shared_key(request: web.Request) -> web.Response:
    state = state_of(request)
    key = state.records.shared_keys.get(request.match_info["id"])
    if key is None:
        raise _shared_not_found()
    return ok(shared_key_view(state, key))


@routes.patch("/api/v2/sharedkeys/{id}")
async def modify_shared_key(request: web.Request) -> web.Response:
    state = state_of(request)
    key, _ = _own_key(request)
    body = given(body_of(request), "SharedKeyInput")
    if not body:
        raise no_changes("NoSharedKeyModSelected")
    _apply(state, key, body)
    return ok(shared_key_view(state, key))


@routes.delete("/api/v2/sharedkeys/{id}")
async def delete_shared_key(request: web.Request) -> web.Response:
    key, _ = _own_key(request)
    del state_of(request).records.shared_keys[key.id]
    return ok({"message": "OK"})
