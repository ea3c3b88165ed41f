"""Changes a worker's or a team's owner makes (moderators may too): PUT/DELETE workers,
POST/PATCH/DELETE teams. Permission rules as measured on the live Horde (DESIGN.md §2)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.horde.common import (
    body_of,
    is_moderator,
    no_changes,
    not_owner,
    ok,
    require_known_user,
    require_user,
    state_of,
)
from tests.fakes.horde.errors import HordeError, not_found, not_moderator
from tests.fakes.horde.models import Team, User, Worker
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.swagger_schema import given, validated

routes = web.RouteTableDef()

#: A worker that took a job within this many seconds cannot be deleted (423 Locked).
DELETE_LOCK_SECONDS = 20 * 60.0
OWNER_FIELDS = ("maintenance", "maintenance_msg", "info")
OWNER_OR_MOD_FIELDS = ("name", "team")


def _worker(state: HordeState, request: web.Request) -> Worker:
    worker = state.workers.get(request.match_info["id"])
    if worker is None:
        raise not_found("WorkerNotFound", f"Worker with ID '{request.match_info['id']}'")
    return worker


def _check_worker_rights(user: User, worker: Worker, body: dict[str, Any]) -> None:
    owner, mod = worker.owner is user, is_moderator(user)
    if any(f in body for f in OWNER_FIELDS) and not (owner or mod):
        raise not_owner("worker")
    if any(f in body for f in OWNER_OR_MOD_FIELDS) and not (owner or mod):
        raise not_moderator()
    if "paused" in body and not mod:
        raise not_moderator()


def _check_profanity(state: HordeState, text: str, rc: str) -> None:
    words = text.casefold().split()
    if any(bad.casefold() in words for bad in state.profane_words):
        raise HordeError(400, rc, "The text contains profanity.")


def _rename_worker(state: HordeState, worker: Worker, name: str) -> None:
    other = state.worker_by_name(name)
    if other is not None and other is not worker:
        raise HordeError(400, "WorkerNameAlreadyExists", "A worker with this name exists.")
    worker.name = name


def _join_team(state: HordeState, worker: Worker, team_id: str) -> str:
    if team_id == "":
        worker.team = None
        return "None"
    team = state.teams.get(team_id)
    if team is None:
        raise not_found("TeamNotFound", "Team")
    worker.team = team
    return team.name


@routes.put("/api/v2/workers/{id}")
async def modify_worker(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    worker = _worker(state, request)
    body = {
        k: v for k, v in validated(body_of(request), "ModifyWorkerInput").items() if v is not None
    }
    if not body:
        raise no_changes("NoWorkerModSelected")
    _check_worker_rights(user, worker, body)
    _check_profanity(state, str(body.get("name", "")), "ProfaneWorkerName")
    _check_profanity(state, str(body.get("info", "")), "ProfaneWorkerInfo")
    answer: dict[str, Any] = {}
    if "maintenance" in body:
        worker.maintenance = answer["maintenance"] = bool(body["maintenance"])
        worker.maintenance_msg = str(body.get("maintenance_msg", ""))
    if "paused" in body:
        worker.paused = answer["paused"] = bool(body["paused"])
    if "info" in body:
        worker.info = answer["info"] = str(body["info"])
    if "name" in body:
        _rename_worker(state, worker, str(body["name"]))
        answer["name"] = worker.name
    if "team" in body:
        answer["team"] = _join_team(state, worker, str(body["team"]))
    return ok(answer)


@routes.delete("/api/v2/workers/{id}")
async def delete_worker(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    worker = _worker(state, request)
    if worker.owner is not user and not is_moderator(user):
        raise not_owner("worker")
    now = state.clock.time()
    if worker.last_job_at is not None and now - worker.last_job_at < DELETE_LOCK_SECONDS:
        raise HordeError(423, "Locked", "This worker has been active recently; try again later.")
    del state.workers[worker.id]
    return ok({"deleted_id": worker.id, "deleted_name": worker.name})


def _team(state: HordeState, request: web.Request) -> Team:
    team = state.teams.get(request.match_info["id"])
    if team is None:
        raise not_found("TeamNotFound", "Team")
    return team


def _check_team_name(state: HordeState, name: str, team: Team | None = None) -> None:
    if any(t.name == name and t is not team for t in state.teams.values()):
        raise HordeError(400, "TeamNameAlreadyExists", "A team with this name already exists.")


@routes.post("/api/v2/teams")
async def create_team(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_known_user(request)
    if not user.trusted:
        raise HordeError(403, "UntrustedTeamCreation", "Only trusted users can create teams.")
    body = validated(body_of(request), "CreateTeamInput")
    if not body.get("name"):
        raise HordeError(400, "BadRequest", "A team needs a name.")
    _check_team_name(state, body["name"])
    _check_profanity(state, body["name"], "ProfaneTeamName")
    _check_profanity(state, body.get("info") or "", "ProfaneTeamInfo")
    team = state.add_team(body["name"], owner=user, info=body.get("info") or "")
    return ok({"id": team.id, "name": team.name, "info": team.info})


@routes.patch("/api/v2/teams/{id}")
async def modify_team(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    team = _team(state, request)
    if team.owner is not user and not is_moderator(user):
        raise not_owner("team")
    body = given(body_of(request), "ModifyTeamInput")
    if not body:
        raise no_changes("NoTeamModSelected")
    _check_profanity(state, body.get("name") or "", "ProfaneTeamName")
    _check_profanity(state, body.get("info") or "", "ProfaneTeamInfo")
    if "name" in body:
        _check_team_name(state, body["name"], team)
        team.name = body["name"]
    if "info" in body:
        team.info = body["info"]
    return ok({"id": team.id, "name": team.name, "info": team.info})


@routes.delete("/api/v2/teams/{id}")
async def delete_team(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_user(request)
    team = _team(state, request)
    if team.owner is not user and not is_moderator(user):
        raise not_owner("team")
    for worker in state.workers.values():
        if worker.team is team:
            worker.team = None
    del state.teams[team.id]
    return ok({"deleted_id": team.id, "deleted_name": team.name})
