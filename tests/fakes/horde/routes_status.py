"""Public read routes: workers, status (performance, modes, models, news, heartbeat), teams."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from tests.fakes.horde.common import int_param, ok, optional_user, require_moderator, state_of
from tests.fakes.horde.errors import not_found
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.views import team_view, worker_view

routes = web.RouteTableDef()


def _text_type(request: web.Request, default: str) -> bool:
    return request.query.get("type", default) == "text"


@routes.get("/api/v2/workers")
async def list_workers(request: web.Request) -> web.Response:
    """Online workers; only text workers exist here, so ``type=image`` lists none."""
    state = state_of(request)
    if not _text_type(request, "text") and "type" in request.query:
        return ok([])
    name = request.query.get("name")
    now = state.clock.time()
    workers = [
        worker_view(state, w)
        for w in state.workers.values()
        if w.online(now) and (name is None or w.name == name)
    ]
    return ok(workers)


@routes.get("/api/v2/workers/name/{name}")
async def worker_by_name(request: web.Request) -> web.Response:
    state = state_of(request)
    worker = state.worker_by_name(request.match_info["name"])
    if worker is None:
        raise not_found("WorkerNotFound", "Worker")
    return ok(worker_view(state, worker))


@routes.get("/api/v2/workers/{id}")
async def worker_by_id(request: web.Request) -> web.Response:
    state = state_of(request)
    worker = state.workers.get(request.match_info["id"])
    if worker is None:
        raise not_found("WorkerNotFound", f"Worker with ID '{request.match_info['id']}'")
    return ok(worker_view(state, worker))


def _queued_tokens(state: HordeState) -> int:
    return sum(
        (r.waiting + r.processing) * r.max_length
        for r in state.text_requests.values()
        if not r.faulted
    )


@routes.get("/api/v2/status/performance")
async def performance(request: web.Request) -> web.Response:
    state = state_of(request)
    now = state.clock.time()
    online = [w for w in state.workers.values() if w.online(now)]
    return ok(
        {
            "queued_requests": 0,
            "queued_text_requests": sum(
                1
                for r in state.text_requests.values()
                if (r.waiting or r.processing) and not r.faulted
            ),
            "worker_count": 0,
            "text_worker_count": len(online),
            "thread_count": 0,
            "text_thread_count": sum(w.threads for w in online),
            "queued_megapixelsteps": 0.0,
            "past_minute_megapixelsteps": 0.0,
            "queued_forms": 0.0,
            "interrogator_count": 0,
            "interrogator_thread_count": 0,
            "queued_tokens": float(_queued_tokens(state)),
            "past_minute_tokens": float(
                sum(tokens for when, tokens, _ in state.delivered if when > now - 60)
            ),
        }
    )


@routes.get("/api/v2/status/modes")
async def modes(request: web.Request) -> web.Response:
    state = state_of(request)
    user = require_moderator(request, key_required=False)
    return ok(
        {
            "maintenance_mode": state.maintenance,
            "invite_only_mode": state.invite_only,
            "raid_mode": state.raid_mode if user is not None else False,
        }
    )


def _model_rows(state: HordeState) -> list[dict[str, Any]]:
    now = state.clock.time()
    online = [w for w in state.workers.values() if w.online(now)]
    rows = []
    for name in sorted({m for w in online for m in w.models}):
        serving = [w for w in online if name in w.models]
        pending = [
            r
            for r in state.text_requests.values()
            if not r.faulted and (r.waiting or r.processing) and (not r.models or name in r.models)
        ]
        jobs = sum(r.waiting + r.processing for r in pending)
        per_second = sum(w.tokens_per_second for w in serving) / len(serving)
        seconds = sum(w.seconds_per_job for w in serving) / len(serving)
        rows.append(
            {
                "name": name,
                # As on the real Horde: ``count`` sums the serving workers' threads.
                "count": sum(w.threads for w in serving),
                "performance": round(per_second, 2),
                "queued": float(sum((r.waiting + r.processing) * r.max_length for r in pending)),
                "jobs": float(jobs),
                "eta": math.ceil(jobs * seconds / len(serving)),
                "type": "text",
            }
        )
    return rows


@routes.get("/api/v2/status/models")
async def models(request: web.Request) -> web.Response:
    """Models served by online workers; ``type`` defaults to image, as on the real server."""
    state = state_of(request)
    if not _text_type(request, "image"):
        return ok([])
    min_count = int_param(request, "min_count", None)
    max_count = int_param(request, "max_count", None)
    model_state = request.query.get("model_state", "all")
    rows = []
    for row in _model_rows(state):
        known = state.known_models is None or row["name"] in state.known_models
        if (model_state == "known" and not known) or (model_state == "custom" and known):
            continue
        if min_count is not None and row["count"] < min_count:
            continue
        if max_count is not None and row["count"] > max_count:
            continue
        rows.append(row)
    return ok(rows)


@routes.get("/api/v2/status/models/{name}")
async def model_by_name(request: web.Request) -> web.Response:
    """One model by name; like the real route it cannot match names containing ``/``."""
    state = state_of(request)
    name = request.match_info["name"]
    return ok([row for row in _model_rows(state) if row["name"] == name])


@routes.get("/api/v2/status/news")
async def news(request: web.Request) -> web.Response:
    return ok(list(state_of(request).news))


@routes.get("/api/v2/status/heartbeat")
async def heartbeat(request: web.Request) -> web.Response:
    state = state_of(request)
    return ok({"message": state.heartbeat_message, "version": state.version})


@routes.get("/api/v2/teams")
async def list_teams(request: web.Request) -> web.Response:
    optional_user(request)
    state = state_of(request)
    return ok([team_view(state, t) for t in state.teams.values()])


@routes.get("/api/v2/teams/{id}")
async def get_team(request: web.Request) -> web.Response:
    """A non-moderator key gets 403 NotModerator (seen live); send no key."""
    state = state_of(request)
    require_moderator(request, key_required=False)
    team = state.teams.get(request.match_info["id"])
    if team is None:
        raise not_found("TeamNotFound", "Team")
    return ok(team_view(state, team))


_PERIODS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0, "month": 30 * 86400.0}


@routes.get("/api/v2/stats/text/totals")
async def text_totals(request: web.Request) -> web.Response:
    """Requests and tokens delivered per period (each generation counts as one request)."""
    state = state_of(request)
    now = state.clock.time()
    periods: dict[str, Any] = {}
    for name, span in [*_PERIODS.items(), ("total", math.inf)]:
        recent = [tokens for when, tokens, _ in state.delivered if now - when < span]
        periods[name] = {"requests": len(recent), "tokens": sum(recent)}
    return ok(periods)


@routes.get("/api/v2/stats/text/models")
async def text_model_stats(request: web.Request) -> web.Response:
    """Generations per model over the last day, month and in total."""
    state = state_of(request)
    now = state.clock.time()
    periods: dict[str, dict[str, int]] = {}
    for name, span in [("day", _PERIODS["day"]), ("month", _PERIODS["month"]), ("total", math.inf)]:
        counts: dict[str, int] = {}
        for when, _, model in state.delivered:
            if now - when < span:
                counts[model] = counts.get(model, 0) + 1
        periods[name] = counts
    return ok(periods)
