"""Helpers shared by the route modules: the app key, JSON body access and authentication."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.horde.errors import (
    HordeError,
    PayloadValidationError,
    invalid_key,
    missing_header,
    not_moderator,
)
from tests.fakes.horde.models import User
from tests.fakes.horde.state import HordeState

HORDE = web.AppKey("horde", HordeState)
#: The request's JSON body, parsed once by the middleware (None when absent or not JSON).
JSON_BODY = web.RequestKey("json_body", object)


def state_of(request: web.Request) -> HordeState:
    return request.app[HORDE]


def body_of(request: web.Request) -> Any:
    """The JSON body parsed by the middleware (None when absent or not JSON)."""
    return request.get(JSON_BODY)


def require_user(request: web.Request) -> User:
    """The user owning the required ``apikey`` header (missing: 400 shape 2; unknown: 401)."""
    apikey = request.headers.get("apikey")
    if not apikey:
        raise missing_header("apikey")
    user = state_of(request).user_by_key(apikey)
    if user is None:
        raise invalid_key()
    return user


def optional_user(request: web.Request) -> User | None:
    """The user of an optional ``apikey`` header (unknown key: 401)."""
    if not request.headers.get("apikey"):
        return None
    return require_user(request)


def require_moderator(request: web.Request, key_required: bool) -> User | None:
    """Moderator-only routes: a non-moderator key gets 403 NotModerator."""
    user = require_user(request) if key_required else optional_user(request)
    if user is not None and not is_moderator(user):
        raise not_moderator()
    return user


def int_param(request: web.Request, name: str, default: int | None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        message = f"invalid literal for int() with base 10: {raw!r}"
        raise PayloadValidationError({name: message}) from None


def ok(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def is_moderator(user: User) -> bool:
    """Admins are moderators too, as on the live Horde."""
    return user.moderator or user.admin


def require_admin(request: web.Request) -> User:
    """Admin-only changes: anyone else gets 403 NotAdmin."""
    user = require_user(request)
    if not user.admin:
        raise HordeError(403, "NotAdmin", "You are not an admin of this Horde.")
    return user


def require_known_user(request: web.Request) -> User:
    """A registered (non-anonymous) user's key; anonymous gets 403 AnonForbidden."""
    user = require_user(request)
    if user.is_anonymous:
        raise HordeError(403, "AnonForbidden", "Anonymous users cannot do this.")
    return user


def not_owner(what: str) -> HordeError:
    return HordeError(403, "NotOwner", f"You are not the owner of this {what}.")


def no_changes(rc: str) -> HordeError:
    return HordeError(400, rc, "No modification selected!")
