"""The queue simulation: scripted workers serve jobs on the clock, lazily caught up to "now".

Every HTTP request (and ``FakeHorde.evaluate()``) replays what happened since the last call in
time order: scripted jobs finishing, popped jobs going stale, idle scripted workers taking the
oldest job they can serve, and expired requests being deleted. So ``clock.advance()`` takes effect
at the next request without any real waiting.
"""

from __future__ import annotations

import math
import zlib
from typing import TYPE_CHECKING, Any

from tests.fakes.horde.models import JOB_TTL, REQUEST_LIFETIME, Job, TextRequest, Worker, new_id

if TYPE_CHECKING:
    from tests.fakes.horde.state import HordeState

#: Assumed seconds per job for external workers when estimating wait times.
EXTERNAL_SECONDS_PER_JOB = 10.0


def job_kudos(max_length: int, max_context_length: int) -> float:
    """A simple deterministic cost per generation (grows with tokens and context)."""
    return round(max_length / 21 * (1 + max_context_length / 8192), 2)


def skip_reason(worker: Worker, req: TextRequest) -> str | None:
    """Why ``worker`` cannot serve ``req`` (a pop ``skipped`` key), or None when it can."""
    if req.workers:
        listed = worker.id in req.workers[:5]
        if listed == req.worker_blacklist:
            return "worker_id"
    if req.models and not set(req.models) & set(worker.models):
        return "models"
    if req.max_length > worker.max_length:
        return "max_length"
    if req.max_context_length > worker.max_context_length:
        return "max_context_length"
    if req.trusted_workers and not worker.trusted:
        return "untrusted"
    if worker.extra_slow and not req.extra_slow_workers:
        return "performance"
    return None


def pick_model(worker: Worker, req: TextRequest) -> str:
    for model in worker.models:
        if not req.models or model in req.models:
            return model
    return worker.models[0] if worker.models else ""


def extend(req: TextRequest, t: float) -> None:
    """Pops and submits keep a request alive for another lifetime."""
    req.expires_at = max(req.expires_at, t + REQUEST_LIFETIME)


def start_job(state: HordeState, worker: Worker, req: TextRequest, t: float) -> Job:
    """Hand one waiting generation of ``req`` to ``worker`` at time ``t``."""
    duration = worker.seconds_per_job if worker.scripted else JOB_TTL
    job = Job(new_id(), req, worker, pick_model(worker, req), started_at=t, deadline=t + duration)
    req.waiting -= 1
    req.jobs.append(job)
    state.jobs[job.id] = job
    state.processing[job.id] = job
    worker.last_job_at = t
    extend(req, t)
    return job


def finish_job(
    state: HordeState,
    job: Job,
    t: float,
    text: str,
    gen_state: str = "ok",
    seed: int = 0,
    gen_metadata: list[dict[str, Any]] | None = None,
) -> float:
    """Deliver a generation; move kudos from requester to worker owner; return the reward."""
    req, worker = job.request, job.worker
    job.state, job.finished_at, job.text = "done", t, text
    job.gen_state, job.seed, job.gen_metadata = gen_state, seed, list(gen_metadata or [])
    job.kudos = req.kudos_per_job
    state.processing.pop(job.id, None)
    if worker.current_job is job:
        worker.current_job = None
    req.user.kudos -= job.kudos
    req.user.kudos_accumulated -= job.kudos
    req.user.tokens_requested += req.max_length
    req.user.texts_requested += 1
    worker.requests_fulfilled += 1
    worker.kudos_rewards += job.kudos
    worker.tokens_generated += req.max_length
    worker.owner.kudos += job.kudos
    worker.owner.kudos_accumulated += job.kudos
    worker.owner.tokens_generated += req.max_length
    worker.owner.texts_fulfilled += 1
    state.delivered.append((t, req.max_length, job.model))
    extend(req, t)
    state.webhooks.queue(job)
    return job.kudos


def fault_job(state: HordeState, job: Job, t: float) -> None:
    """A worker reported failure: re-queue, or fault the request after more than 2 faults."""
    req = job.request
    job.state, job.finished_at = "faulted", t
    state.processing.pop(job.id, None)
    if job.worker.current_job is job:
        job.worker.current_job = None
    req.faults += 1
    req.restarted += 1
    if req.faults > 2:
        req.faulted = True
        req.waiting = 0
    elif not req.cancelled:
        req.waiting += 1
    extend(req, t)


def abort_stale_job(state: HordeState, job: Job) -> None:
    """A popped job passed its TTL: it is re-queued and counted in ``restarted``."""
    req = job.request
    job.state = "aborted"
    state.processing.pop(job.id, None)
    job.worker.uncompleted_jobs += 1
    req.restarted += 1
    if not req.cancelled and not req.faulted:
        req.waiting += 1


def scripted_text(worker: Worker, req: TextRequest) -> str:
    if worker.text is None:
        return f"[{worker.name}] reply to: {req.prompt[-40:]}"
    if isinstance(worker.text, str):
        return worker.text
    return worker.text(req.prompt, dict(req.params))


def _complete_scripted(state: HordeState, job: Job) -> None:
    worker = job.worker
    if worker.fail:
        fault_job(state, job, job.deadline)
        return
    text = scripted_text(worker, job.request)
    seed = zlib.crc32(job.id.encode()) & 0x7FFFFFFF
    gen_state = "censored" if worker.censor else "ok"
    finish_job(state, job, job.deadline, text, gen_state, seed)


def _cleanup(state: HordeState, t: float) -> None:
    """Delete requests whose lifetime ended, finished or not (the server's cleanup pass)."""
    for req in [r for r in state.text_requests.values() if r.expires_at <= t]:
        for job in req.jobs:
            state.jobs.pop(job.id, None)
            state.processing.pop(job.id, None)
            if job.state == "processing":
                job.state = "aborted"
            if job.worker.current_job is job:
                job.worker.current_job = None
        del state.text_requests[req.id]


def _assign(state: HordeState, t: float) -> None:
    """Each idle scripted worker takes the oldest waiting job it can serve."""
    queue = [
        r
        for r in state.text_requests.values()
        if r.waiting > 0 and not r.faulted and r.expires_at > t
    ]
    if not queue:
        return
    for worker in state.workers.values():
        if not worker.scripted or worker.paused or worker.maintenance or worker.current_job:
            continue
        for req in queue:
            if req.waiting > 0 and skip_reason(worker, req) is None:
                worker.current_job = start_job(state, worker, req, t)
                break


def evaluate(state: HordeState, now: float) -> None:
    """Replay everything due up to ``now`` in time order."""
    while True:
        due = [job for job in state.processing.values() if job.deadline <= now]
        if not due:
            break
        job = min(due, key=lambda j: j.deadline)
        t = job.deadline
        _cleanup(state, t)
        if job.state == "processing":
            if job.worker.scripted and job.worker.current_job is job:
                _complete_scripted(state, job)
            else:
                abort_stale_job(state, job)
        _assign(state, t)
    _cleanup(state, now)
    _assign(state, now)


def capable_workers(state: HordeState, req: TextRequest, now: float) -> list[Worker]:
    return [w for w in state.workers.values() if w.online(now) and skip_reason(w, req) is None]


def generation_view(job: Job) -> dict[str, Any]:
    return {
        "text": job.text,
        "seed": job.seed,
        "worker_id": job.worker.id,
        "worker_name": job.worker.name,
        "model": job.model,
        "state": job.gen_state,
        "gen_metadata": job.gen_metadata,
    }


def request_status(state: HordeState, req: TextRequest, now: float) -> dict[str, Any]:
    """The ``RequestStatusKobold`` body of ``req`` at ``now`` (FIFO queue position)."""
    ahead = 0
    for other in state.text_requests.values():
        if other is req:
            break
        if not other.faulted:
            ahead += other.waiting
    capable = capable_workers(state, req, now)
    per_job = (
        sum(w.seconds_per_job if w.scripted else EXTERNAL_SECONDS_PER_JOB for w in capable)
        / len(capable)
        if capable
        else EXTERNAL_SECONDS_PER_JOB
    )
    running = [j.deadline - now for j in req.jobs if j.state == "processing" and j.worker.scripted]
    wait = (ahead + req.waiting) * per_job / max(1, len(capable)) + max([0.0, *running])
    return {
        "finished": req.finished,
        "processing": req.processing,
        "restarted": req.restarted,
        "waiting": req.waiting,
        "done": req.done,
        "faulted": req.faulted,
        "wait_time": math.ceil(wait) if req.waiting or req.processing else 0,
        "queue_position": ahead + 1 if req.waiting else 0,
        "kudos": round(sum(j.kudos for j in req.generations), 2),
        "is_possible": bool(capable) or req.waiting == 0,
        "generations": [generation_view(j) for j in req.generations],
    }
