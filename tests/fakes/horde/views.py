"""JSON views of users, workers and teams in the marshalled shapes of swagger.json."""

from __future__ import annotations

from typing import Any

from tests.fakes.horde.models import Team, User, Worker
from tests.fakes.horde.state import HordeState


def _kudos_details(user: User) -> dict[str, float]:
    details = dict.fromkeys(
        ("accumulated", "gifted", "donated", "admin", "received", "recurring", "awarded", "styled"),
        0.0,
    )
    details["accumulated"] = round(user.kudos_accumulated, 2)
    details["gifted"] = round(user.kudos_gifted, 2)
    details["received"] = round(user.kudos_received, 2)
    return details


def _records(user: User) -> dict[str, dict[str, Any]]:
    return {
        "usage": {"megapixelsteps": 0.0, "tokens": user.tokens_requested},
        "contribution": {"megapixelsteps": 0.0, "tokens": user.tokens_generated},
        "fulfillment": {"image": 0, "text": user.texts_fulfilled, "interrogation": 0},
        "request": {"image": 0, "text": user.texts_requested, "interrogation": 0},
        "style": {"image": 0, "text": 0, "interrogation": 0},
    }


def user_view(state: HordeState, user: User, privileged: bool = False) -> dict[str, Any]:
    """``UserDetails``; ``privileged`` (self or moderator) adds the private fields."""
    workers = [w for w in state.workers.values() if w.owner is user]
    active = [
        r.id
        for r in state.text_requests.values()
        if r.user is user and (r.waiting or r.processing) and not r.faulted
    ]
    now = state.clock.time()
    return {
        "username": user.username,
        "id": user.id,
        "kudos": round(user.kudos, 2),
        "evaluating_kudos": 0.0 if privileged else None,
        "concurrency": user.concurrency,
        "worker_invited": 0,
        "moderator": user.moderator,
        "kudos_details": _kudos_details(user),
        "worker_count": len(workers),
        "worker_ids": [w.id for w in workers],
        "sharedkey_ids": [k.id for k in state.records.keys_of(user)] if privileged else None,
        "active_generations": {"text": active, "image": [], "alchemy": []} if privileged else None,
        "monthly_kudos": {"amount": 0, "last_received": None},
        "trusted": user.trusted,
        "flagged": False if privileged else None,
        "vpn": False if privileged else None,
        "service": False,
        "education": False,
        "customizer": False,
        "special": False if privileged else None,
        "deleted": False,
        "pseudonymous": user.is_anonymous,
        "account_age": int(now - user.created_at),
        "usage": {"megapixelsteps": 0.0, "requests": 0},
        "contributions": {"megapixelsteps": 0.0, "fulfillments": 0},
        "records": _records(user),
        "styles": [],
        "contact": None,
        "admin_comment": None,
    }


def team_lite(team: Team | None) -> dict[str, Any]:
    return {"name": team.name if team else None, "id": team.id if team else None}


def worker_view(state: HordeState, worker: Worker) -> dict[str, Any]:
    """``WorkerDetails`` of a text worker."""
    now = state.clock.time()
    return {
        "type": "text",
        "name": worker.name,
        "id": worker.id,
        "online": worker.online(now),
        "requests_fulfilled": worker.requests_fulfilled,
        "kudos_rewards": round(worker.kudos_rewards, 2),
        "kudos_details": {"generated": round(worker.kudos_rewards, 2), "uptime": 0},
        "performance": f"{worker.tokens_per_second:.1f} tokens per second",
        "threads": worker.threads,
        "uptime": int(now - worker.created_at),
        "maintenance_mode": worker.maintenance,
        "paused": worker.paused,
        "info": worker.info or None,
        "nsfw": worker.nsfw,
        "owner": None,
        "ipaddr": None,
        "trusted": worker.trusted,
        "flagged": False,
        "suspicious": None,
        "uncompleted_jobs": worker.uncompleted_jobs,
        "models": list(worker.models),
        "forms": None,
        "team": team_lite(worker.team),
        "contact": None,
        "bridge_agent": worker.bridge_agent,
        "max_pixels": None,
        "megapixelsteps_generated": None,
        "img2img": None,
        "painting": None,
        "post-processing": None,
        "lora": None,
        "controlnet": None,
        "sdxl_controlnet": None,
        "max_length": worker.max_length,
        "max_context_length": worker.max_context_length,
        "tokens_generated": worker.tokens_generated,
    }


def team_view(state: HordeState, team: Team) -> dict[str, Any]:
    """``TeamDetails``: aggregates of the workers in the team."""
    members = [w for w in state.workers.values() if w.team is team]
    models = sorted({m for w in members for m in w.models})
    now = state.clock.time()
    return {
        "name": team.name,
        "id": team.id,
        "info": team.info,
        "requests_fulfilled": sum(w.requests_fulfilled for w in members),
        "kudos": round(sum(w.kudos_rewards for w in members), 2),
        "uptime": int(sum(now - w.created_at for w in members)),
        "creator": team.owner.username,
        "worker_count": len(members),
        "workers": [{"type": "text", "name": w.name, "id": w.id, "online": True} for w in members],
        "models": [{"name": m, "count": sum(1 for w in members if m in w.models)} for m in models],
    }
