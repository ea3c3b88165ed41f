"""Account routes: find_user, users, kudos transfer and IP timeouts (operations)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from aiohttp import web

from tests.fakes.horde.common import (
    body_of,
    int_param,
    ok,
    require_moderator,
    require_user,
    state_of,
)
from tests.fakes.horde.errors import HordeError, invalid_key, missing_header, not_found
from tests.fakes.horde.models import User
from tests.fakes.horde.state import HordeState, ip_in_block
from tests.fakes.horde.validation import IPADDR_DELETE, IPADDR_INPUT, TRANSFER_INPUT, require
from tests.fakes.horde.views import user_view

routes = web.RouteTableDef()

USERS_PER_PAGE = 25
#: The same sender → receiver pair may transfer once a minute.
TRANSFER_INTERVAL = 60.0


@routes.get("/api/v2/find_user")
async def find_user(request: web.Request) -> web.Response:
    """The user owning the key: missing key 401, unknown key 404 UserNotFound."""
    apikey = request.headers.get("apikey")
    if not apikey:
        raise invalid_key()
    user = state_of(request).user_by_key(apikey)
    if user is None:
        raise not_found("UserNotFound", "User")
    return ok(user_view(state_of(request), user, privileged=True))


@routes.get("/api/v2/users")
async def list_users(request: web.Request) -> web.Response:
    state = state_of(request)
    page = max(1, int_param(request, "page", 1) or 1)
    sort = request.query.get("sort", "kudos")
    users = list(state.users.values())
    if sort == "age":
        users.sort(key=lambda u: u.id)
    else:
        users.sort(key=lambda u: u.kudos, reverse=True)
    chunk = users[(page - 1) * USERS_PER_PAGE : page * USERS_PER_PAGE]
    return ok([user_view(state, u) for u in chunk])


@routes.get("/api/v2/users/{id}")
async def get_user(request: web.Request) -> web.Response:
    state = state_of(request)
    ident = request.match_info["id"]
    user = state.users.get(int(ident)) if ident.isdigit() else None
    if user is None:
        raise not_found("UserNotFound", "User")
    viewer = state.user_by_key(request.headers.get("apikey"))
    privileged = viewer is not None and (viewer is user or viewer.moderator)
    return ok(user_view(state, user, privileged=privileged))


def _transfer(state: HordeState, sender: User, body: dict[str, Any]) -> float:
    """Move kudos or raise the server's KudosValidationError rc (all 400)."""
    amount = int(body["amount"])
    if sender.is_anonymous:
        raise HordeError(400, "KudosTransferFromAnon", "You cannot transfer kudos from Anonymous.")
    target = state.user_by_username(body["username"])
    if target is None:
        raise HordeError(400, "InvalidTargetUsername", "Invalid target username.")
    if target is sender:
        raise HordeError(400, "KudosTransferToSelf", "You cannot send Kudos to yourself.")
    if target.is_anonymous:
        raise HordeError(400, "KudosTransferToAnon", "You cannot transfer kudos to Anonymous.")
    if amount < 0:
        raise HordeError(400, "NegativeKudosTransfer", "Cannot send negative amount of kudos.")
    if amount > sender.kudos:
        raise HordeError(400, "KudosTransferNotEnough", "Not enough kudos.")
    now = state.clock.time()
    last = state.last_transfer.get((sender.id, target.id))
    if last is not None and now - last < TRANSFER_INTERVAL:
        raise HordeError(
            400, "TooFastKudosTransfers", "You are transferring kudos too fast. Please wait."
        )
    state.last_transfer[(sender.id, target.id)] = now
    sender.kudos -= amount
    sender.kudos_gifted += amount
    target.kudos += amount
    target.kudos_received += amount
    return float(amount)


@routes.post("/api/v2/kudos/transfer")
async def transfer_kudos(request: web.Request) -> web.Response:
    """Transfer kudos; a repeated ``Idempotency-Key`` replays the first answer."""
    state = state_of(request)
    body = require(body_of(request), TRANSFER_INPUT)
    sender = require_user(request)
    key = request.headers.get("Idempotency-Key")
    fingerprint = json.dumps([body["username"], body["amount"]])
    if key:
        previous = state.idempotency.get((sender.id, key))
        if previous is not None:
            if previous[0] != fingerprint:
                raise HordeError(
                    400, "IdempotencyKeyConflict", "Idempotency key reused with another payload."
                )
            return ok(previous[2], status=previous[1])
    try:
        answer: dict[str, Any] = {"transferred": _transfer(state, sender, body)}
        status = 200
    except HordeError as error:
        answer, status = {"message": error.message, "rc": error.rc}, error.status
    if key:
        state.idempotency[(sender.id, key)] = (fingerprint, status, answer)
    return ok(answer, status=status)


def _moderator(request: web.Request) -> None:
    if not request.headers.get("apikey"):
        raise missing_header("apikey")
    require_moderator(request, key_required=True)


@routes.get("/api/v2/operations/ipaddr")
async def list_ip_timeouts(request: web.Request) -> web.Response:
    _moderator(request)
    state = state_of(request)
    now = state.clock.time()
    return ok(
        [
            {"ipaddr": ip, "seconds": int(until - now)}
            for ip, until in state.ip_timeouts.items()
            if until > now
        ]
    )


@routes.get("/api/v2/operations/ipaddr/{ipaddr}")
async def ip_timeouts_matching(request: web.Request) -> web.Response:
    """The timeouts whose block contains one IP (added for the client tests)."""
    _moderator(request)
    state = state_of(request)
    now = state.clock.time()
    wanted = request.match_info["ipaddr"]
    return ok(
        [
            {"ipaddr": ip, "seconds": int(until - now)}
            for ip, until in state.ip_timeouts.items()
            if until > now and _ip_in(wanted, ip)
        ]
    )


def _ip_in(address: str, block: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(block, strict=False)
    except ValueError:
        return address == block


@routes.get("/api/v2/operations/ipaddr/{ipaddr:.+}")
async def get_ip_timeout(request: web.Request) -> web.Response:
    """Timeouts (CIDR blocks) covering one address or block."""
    _moderator(request)
    state = state_of(request)
    now = state.clock.time()
    wanted = request.match_info["ipaddr"]
    return ok(
        [
            {"ipaddr": block, "seconds": int(until - now)}
            for block, until in state.ip_timeouts.items()
            if until > now and (block == wanted or ip_in_block(wanted, block))
        ]
    )


@routes.post("/api/v2/operations/ipaddr")
async def add_ip_timeout(request: web.Request) -> web.Response:
    state = state_of(request)
    body = require(body_of(request), IPADDR_INPUT)
    _moderator(request)
    state.ip_timeouts[body["ipaddr"]] = state.clock.time() + int(body["hours"]) * 3600
    return ok({"message": "OK"})


@routes.delete("/api/v2/operations/ipaddr")
async def delete_ip_timeout(request: web.Request) -> web.Response:
    state = state_of(request)
    body = require(body_of(request), IPADDR_DELETE)
    _moderator(request)
    state.ip_timeouts.pop(body["ipaddr"], None)
    return ok({"message": "OK"})
