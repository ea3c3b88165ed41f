"""Text generation routes: submit, status/cancel, and the worker side (pop/submit)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.horde import simulation
from tests.fakes.horde.common import body_of, ok, require_user, state_of
from tests.fakes.horde.errors import HordeError, PayloadValidationError, not_found
from tests.fakes.horde.models import JOB_TTL, REQUEST_LIFETIME, TextRequest, Worker, new_id
from tests.fakes.horde.requester import apply_style, charge_shared_key, requester
from tests.fakes.horde.state import HordeState
from tests.fakes.horde.validation import (
    POP_INPUT,
    SUBMIT_INPUT,
    check_text_rules,
    require,
    validate_text_input,
)
from tests.fakes.horde.webhooks import check_webhook

routes = web.RouteTableDef()

NO_WORKER_MESSAGE = (
    "Warning: No available workers can fulfill this request. It will expire in 20 minutes "
    "unless a worker appears. Consider a smaller request or a different model."
)
SKIP_KEYS = (
    "worker_id",
    "performance",
    "nsfw",
    "blacklist",
    "untrusted",
    "models",
    "bridge_version",
    "kudos",
    "max_context_length",
    "max_length",
    "matching_softprompt",
)


def _effective_params(body: dict[str, Any]) -> dict[str, Any]:
    params = dict(body.get("params") or {})
    params.setdefault("n", 1)
    params.setdefault("max_length", 80)
    params.setdefault("max_context_length", 2048)
    params["n"] = int(params["n"])
    params["max_length"] = int(params["max_length"])
    params["max_context_length"] = int(params["max_context_length"])
    return params


def _check_admission(
    state: HordeState, request: web.Request, body: dict[str, Any], params: dict[str, Any]
) -> float:
    """The server's checks after schema validation; returns the kudos cost per job."""
    user = requester(request, body)
    if state.ip_in_timeout(request.remote or ""):
        raise HordeError(403, "TimeoutIP", "Your IP is in timeout. Please try again later.")
    if state.maintenance:
        raise HordeError(400, "MaintenanceMode", "Horde is in maintenance mode. Try again later.")
    check_text_rules(body)
    if any(word in body["prompt"] for word in state.corrupt_prompt_words):
        raise HordeError(400, "CorruptPrompt", "This prompt appears to violate our terms.")
    if body.get("disable_batching") and params["n"] > 1 and not user.trusted:
        raise HordeError(400, "RequiresTrust", "Only trusted users can disable batching.")
    for worker_id in (body.get("workers") or [])[:5]:
        if worker_id not in state.workers:
            raise not_found("WorkerNotFound", f"Worker with ID '{worker_id}'")
    cost = simulation.job_kudos(params["max_length"], params["max_context_length"])
    if params["max_length"] > state.upfront_kudos_threshold and (
        user.is_anonymous or user.kudos < cost * params["n"]
    ):
        if not body.get("allow_downgrade"):
            raise HordeError(
                403,
                "KudosUpfront",
                f"Due to heavy demand, for requests over {state.upfront_kudos_threshold} "
                f"tokens, the client needs to already have the required kudos. This request "
                f"requires {cost * params['n']:.2f} kudos to fulfil.",
            )
        params["max_length"] = state.upfront_kudos_threshold
        cost = simulation.job_kudos(params["max_length"], params["max_context_length"])
    if body.get("dry_run"):
        return cost
    outstanding = state.outstanding(user)
    if outstanding + params["n"] > user.concurrency:
        raise HordeError(
            429,
            "TooManyPrompts",
            f"Parallel requests ({outstanding + params['n']}) exceeded user limit "
            f"({user.concurrency}). Please try again when your existing requests are done.",
        )
    return cost


@routes.post("/api/v2/generate/text/async")
async def submit_text(request: web.Request) -> web.Response:
    state = state_of(request)
    body = apply_style(state, validate_text_input(body_of(request)))
    params = _effective_params(body)
    check_webhook(body.get("webhook"))
    cost = _check_admission(state, request, body, params)
    if body.get("dry_run"):
        return ok({"kudos": round(cost * params["n"], 2)})
    now = state.clock.time()
    req = TextRequest(
        id=new_id(),
        user=requester(request, body),
        prompt=body["prompt"],
        params=params,
        n=params["n"],
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
        models=list(body.get("models") or []),
        workers=list(body.get("workers") or [])[:5],
        worker_blacklist=bool(body.get("worker_blacklist", False)),
        trusted_workers=bool(body.get("trusted_workers", False)),
        slow_workers=bool(body.get("slow_workers", True)),
        extra_slow_workers=bool(body.get("extra_slow_workers", False)),
        validated_backends=bool(body.get("validated_backends", False)),
        softprompt=body.get("softprompt"),
        client_agent=request.headers.get("Client-Agent", "unknown:0:unknown"),
        ipaddr=request.remote or "",
        payload=body,
        requested_n=params["n"],
        kudos_per_job=cost,
        webhook=body.get("webhook"),
    )
    state.text_requests[req.id] = req
    state.webhooks.used = state.webhooks.used or req.webhook is not None
    charge_shared_key(request, cost * params["n"])
    state.evaluate()
    answer: dict[str, Any] = {"id": req.id, "kudos": 0.0}
    if not simulation.capable_workers(state, req, now):
        answer["message"] = NO_WORKER_MESSAGE
    return ok(answer, status=202)


def _lookup(request: web.Request) -> TextRequest:
    horde_id = request.match_info["id"]
    req = state_of(request).text_requests.get(horde_id)
    if req is None:
        raise HordeError(404, "RequestNotFound", f"Request with ID '{horde_id}' not found.")
    return req


@routes.get("/api/v2/generate/text/status/{id}")
async def text_status(request: web.Request) -> web.Response:
    return ok(state_of(request).request_status(_lookup(request)))


@routes.delete("/api/v2/generate/text/status/{id}")
async def cancel_text(request: web.Request) -> web.Response:
    """Answer the status as it was, then drop the jobs not yet started (n = 0)."""
    req = _lookup(request)
    answer = state_of(request).request_status(req)
    req.waiting = 0
    req.cancelled = True
    return ok(answer)


def _pop_worker(state: HordeState, request: web.Request, body: dict[str, Any]) -> Worker:
    """The worker named in a pop, created on first pop; checks ownership."""
    user = require_user(request)
    if user.is_anonymous:
        raise HordeError(403, "AnonForbiddenWorker", "Anonymous users cannot run workers.")
    if not body["models"]:
        raise PayloadValidationError({"models": "[] is too short"})
    now = state.clock.time()
    worker = state.worker_by_name(body["name"])
    if worker is not None and worker.owner is not user:
        raise HordeError(403, "WrongCredentials", "Wrong credentials to submit as this worker.")
    if worker is None:
        worker = Worker(new_id(), body["name"], user, [], scripted=False, created_at=now)
        worker.seconds_per_job = simulation.EXTERNAL_SECONDS_PER_JOB
        state.workers[worker.id] = worker
    worker.models = list(body["models"])
    worker.max_length = int(body.get("max_length") or 512)
    worker.max_context_length = int(body.get("max_context_length") or 2048)
    worker.threads = int(body.get("threads") or 1)
    worker.bridge_agent = str(body.get("bridge_agent") or "unknown:0:unknown")
    worker.nsfw = bool(body.get("nsfw", False))
    worker.extra_slow = bool(body.get("extra_slow_worker", False))
    worker.last_seen = now
    return worker


@routes.post("/api/v2/generate/text/pop")
async def pop_job(request: web.Request) -> web.Response:
    state = state_of(request)
    body = require(body_of(request), POP_INPUT)
    worker = _pop_worker(state, request, body)
    amount = int(body.get("amount") or 1)
    skipped = dict.fromkeys(SKIP_KEYS, 0)
    chosen: TextRequest | None = None
    for req in state.text_requests.values():
        if req.waiting <= 0 or req.faulted or worker.paused:
            continue
        reason = simulation.skip_reason(worker, req)
        if reason is None:
            chosen = req
            break
        skipped[reason] += 1
    answer: dict[str, Any] = {
        "payload": {"n": 1, "max_length": 80, "max_context_length": 2048},
        "id": None,
        "ids": [],
        "messages": [],
        "ttl": None,
        "skipped": skipped,
        "softprompt": None,
        "model": None,
    }
    if chosen is not None:
        now = state.clock.time()
        jobs = [
            simulation.start_job(state, worker, chosen, now)
            for _ in range(min(amount, chosen.waiting))
        ]
        payload = {**chosen.params, "prompt": chosen.prompt, "n": len(jobs)}
        answer |= {
            "payload": payload,
            "id": jobs[0].id,
            "ids": [job.id for job in jobs],
            "ttl": int(JOB_TTL),
            "softprompt": chosen.softprompt,
            "model": jobs[0].model,
            # The request's extra source images travel to the worker with the job.
            "extra_source_images": chosen.payload.get("extra_source_images"),
        }
    return ok(answer)


@routes.post("/api/v2/generate/text/submit")
async def submit_job(request: web.Request) -> web.Response:
    state = state_of(request)
    body = require(body_of(request), SUBMIT_INPUT)
    user = require_user(request)
    job = state.jobs.get(body["id"])
    if job is None:
        raise HordeError(
            404, "InvalidJobID", f"Processing Generation with ID {body['id']} does not exist."
        )
    if job.worker.owner is not user:
        raise HordeError(403, "WrongCredentials", "Wrong credentials to submit as this worker.")
    if job.state in {"done", "faulted"}:
        raise HordeError(
            400, "DuplicateGen", f"Processing Generation with ID {job.id} already submitted."
        )
    if job.state == "aborted":
        raise HordeError(400, "AbortedGen", "This generation was aborted because it took too long.")
    now = state.clock.time()
    job.worker.last_seen = now
    if body.get("state", "ok") == "faulted":
        simulation.fault_job(state, job, now)
        return ok({"reward": 0.0})
    reward = simulation.finish_job(
        state,
        job,
        now,
        str(body.get("generation") or ""),
        gen_state=str(body.get("state", "ok")),
        seed=int(body.get("seed") or 0),
        gen_metadata=list(body.get("gen_metadata") or []),
    )
    return ok({"reward": reward})
