"""One representative call of every client method, for the header and key tests."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.horde import HordeClient, HordeError
from tests.fakes.horde import FakeHorde
from tests.unit.horde.conftest import MODEL


@dataclass
class Ids:
    request: str
    worker: str
    team: str
    user: int
    bob: str


Call = Callable[[HordeClient, Ids, dict[str, Any]], Awaitable[object]]

# method name → (call, does the endpoint require a key?)
CALLS: dict[str, tuple[Call, bool]] = {
    "generate_async": (lambda h, i, k: h.generate_async("hi", **k), True),
    "generate_status": (lambda h, i, k: h.generate_status(i.request, **k), False),
    "generate_check": (lambda h, i, k: h.generate_check(i.request, **k), False),
    "generate_cancel": (lambda h, i, k: h.generate_cancel(i.request, **k), False),
    "job_pop": (lambda h, i, k: h.job_pop("alice-worker", [MODEL], **k), True),
    "job_submit": (lambda h, i, k: h.job_submit(i.request, "x", **k), True),
    "users": (lambda h, i, k: h.users(**k), False),
    "user": (lambda h, i, k: h.user(i.user, **k), False),
    "find_user": (lambda h, i, k: h.find_user(**k), True),
    "workers": (lambda h, i, k: h.workers(**k), False),
    "worker": (lambda h, i, k: h.worker(i.worker, **k), False),
    "worker_by_name": (lambda h, i, k: h.worker_by_name("w1", **k), False),
    "transfer_kudos": (lambda h, i, k: h.transfer_kudos(i.bob, 1, **k), True),
    "performance": (lambda h, i, k: h.performance(**k), False),
    "modes": (lambda h, i, k: h.modes(**k), False),
    "models": (lambda h, i, k: h.models(**k), False),
    "news": (lambda h, i, k: h.news(**k), False),
    "heartbeat": (lambda h, i, k: h.heartbeat(**k), False),
    "teams": (lambda h, i, k: h.teams(**k), False),
    "team": (lambda h, i, k: h.team(i.team, **k), False),
    "ip_timeouts": (lambda h, i, k: h.ip_timeouts(**k), True),
    "ip_timeout": (lambda h, i, k: h.ip_timeout("10.0.0.1", **k), True),
    "add_ip_timeout": (lambda h, i, k: h.add_ip_timeout("10.0.0.1", 1, **k), True),
    "remove_ip_timeout": (lambda h, i, k: h.remove_ip_timeout("10.0.0.1", **k), True),
}

# Methods without an ``apikey`` argument: their endpoints take no key we would send.
WITHOUT_APIKEY_ARG = frozenset(
    {
        "generate_status",
        "generate_check",
        "generate_cancel",
        "users",
        "performance",
        "models",
        "news",
        "heartbeat",
    }
)


async def prepare(fake: FakeHorde, horde: HordeClient, alice: Any) -> Ids:
    """Objects the calls refer to: a queued request, a worker, a team, a second user."""
    worker = fake.add_worker("w1", models=["other/model"])
    team = fake.add_team("Red", owner=alice)
    bob = fake.add_user("bob", apikey="bob-key-0123456789")
    queued = await horde.generate_async("setup", params={"max_length": 32}, models=[MODEL])
    assert queued.id is not None
    return Ids(queued.id, worker.id, team.id, alice.id, bob.username)


async def run(name: str, horde: HordeClient, ids: Ids, **kwargs: Any) -> None:
    """Run one call; the server's refusal is fine, only the request it sent matters."""
    call, _ = CALLS[name]
    with contextlib.suppress(HordeError):
        await call(horde, ids, kwargs)
