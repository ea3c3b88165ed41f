"""Moderator and admin changes: PUT/DELETE users, PUT status/modes, kudos awards and
worker-IP blocks. Who may change what follows the live Horde (DESIGN.md §2)."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from tests.fakes.horde.common import (
    body_of,
    is_moderator,
    no_changes,
    ok,
    require_moderator,
    require_user,
    state_of,
)
from tests.fakes.horde.errors import HordeError, not_found, not_moderator
from tests.fakes.horde.models import User
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.swagger_schema import given, validated

routes = web.RouteTableDef()

ADMIN_FIELDS = frozenset({"kudos", "monthly_kudos", "usage_multiplier", "moderator"})
SELF_FIELDS = frozenset(
    {"username", "public_workers", "contact", "undelete", "generate_proxy_passkey"}
)
#: Only this account may award kudos (the Horde's own user #1).
AWARD_USER_ID = 1
DAY = 86400.0


def _target(state: HordeState, request: web.Request) -> User:
    ident = request.match_info["id"]
    user = state.users.get(int(ident)) if ident.isdigit() else None
    if user is None:
        raise not_found("UserNotFound", "User")
    return user


def _check_user_rights(actor: User, target: User, fields: set[str]) -> None:
    if fields & ADMIN_FIELDS and not actor.admin:
        raise HordeError(403, "NotAdmin", "You are not an admin of this Horde.")
    self_or_mod = actor is target or is_moderator(actor)
    if fields & SELF_FIELDS and not self_or_mod:
        raise HordeError(403, "NotUserOrMod", "Only the user or a moderator may do this.")
    if fields - ADMIN_FIELDS - SELF_FIELDS and not is_moderator(actor):
        raise not_moderator()


def _apply_user(target: User, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for name, value in body.items():
        if name == "kudos":
            target.kudos += float(value)
            answer["new_kudos"] = target.kudos
        elif name == "username":
            target.alias = str(value)
            answer["username"] = target.username
        elif name in ("moderator", "trusted", "customizer", "concurrency"):
            setattr(target, name, value)
            answer[name] = value
        elif name == "undelete":
            target.deleted = False
            answer["undeleted"] = True
        elif name == "reset_suspicion":
            answer["new_suspicion"] = 0
        elif name == "generate_proxy_passkey":
            answer["proxy_passkey"] = secrets.token_hex(8)
        else:
            target.settings[name] = value
            answer[name] = value
    return answer


@routes.put("/api/v2/users/{id}")
async def modify_user(request: web.Request) -> web.Response:
    state = state_of(request)
    actor = require_user(request)
    target = _target(state, request)
    body = given(body_of(request), "ModifyUserInput")
    if "generate_kudos" in (body_of(request) or {}):
        body["generate_kudos"] = body_of(request)["generate_kudos"]
    if not body:
        raise no_changes("NoUserModSelected")
    _check_user_rights(actor, target, set(body))
    return ok(_apply_user(target, body))


@routes.delete("/api/v2/users/{id}")
async def delete_user(request: web.Request) -> web.Response:
    state = state_of(request)
    actor = require_user(request)
    target = _target(state, request)
    if actor is not target and not is_moderator(actor):
        raise not_moderator()
    if target.moderator:
        raise HordeError(403, "CannotDeleteMod", "You cannot delete a moderator.")
    target.deleted = True
    return ok({"message": "OK"})


@routes.put("/api/v2/status/modes")
async def set_modes(request: web.Request) -> web.Response:
    state = state_of(request)
    actor = require_user(request)
    body = {k: v for k, v in (body_of(request) or {}).items() if v is not None}
    if not body:
        raise no_changes("NoHordeModSelected")
    if "maintenance_mode" in body and not actor.admin:
        raise HordeError(403, "NotAdmin", "Only an admin can change maintenance mode.")
    if not is_moderator(actor):
        raise not_moderator()
    if "maintenance_mode" in body:
        state.maintenance = bool(body["maintenance_mode"])
    if "invite_only_mode" in body:
        state.invite_only = bool(body["invite_only_mode"])
    if "raid_mode" in body:
        state.raid_mode = bool(body["raid_mode"])
    return ok(body)


@routes.post("/api/v2/kudos/award")
async def award_kudos(request: web.Request) -> web.Response:
    state = state_of(request)
    actor = require_user(request)
    if actor.id != AWARD_USER_ID:
        raise HordeError(403, "NotAllowedAwards", "You are not allowed to award kudos.")
    body = body_of(request) or {}
    target = state.user_by_username(str(body.get("username", "")))
    if target is None:
        raise HordeError(400, "InvalidAwardUsername", "Invalid username.")
    if target.is_anonymous:
        raise HordeError(400, "KudosAwardToAnon", "You cannot award kudos to Anonymous.")
    amount = float(body.get("amount", 0))
    target.kudos += amount
    return ok({"awarded": amount})


@routes.put("/api/v2/operations/block_worker_ipaddr/{id}")
async def block_worker_ip(request: web.Request) -> web.Response:
    state = state_of(request)
    require_moderator(request, key_required=True)
    body = validated(body_of(request), "AddWorkerTimeout")
    worker = state.workers.get(request.match_info["id"])
    if worker is None:
        raise not_found("WorkerNotFound", "Worker")
    state.records.worker_ip_blocks[worker.id] = state.clock.time() + int(body["days"]) * DAY
    return ok({"message": "OK"})


@routes.delete("/api/v2/operations/block_worker_ipaddr/{id}")
async def unblock_worker_ip(request: web.Request) -> web.Response:
    state = state_of(request)
    require_moderator(request, key_required=True)
    worker = state.workers.get(request.match_info["id"])
    if worker is None:
        raise not_found("WorkerNotFound", "Worker")
    state.records.worker_ip_blocks.pop(worker.id, None)
    return ok({"message": "OK"})
