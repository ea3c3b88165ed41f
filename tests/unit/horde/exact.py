"""Support for the exact-request tests: a seeded world, and one case = one call checked
against the request the fake Horde received and the model the client parsed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.horde import HordeClient
from tests.fakes.horde import FakeHorde, Team, User, Worker
from tests.fakes.horde.records import Collection, Filter, SharedKey, Style, WorkerMessage
from tests.unit.horde.conftest import ALICE_KEY, MODEL


@dataclass
class World:
    """What the calls refer to. Alice (the client's key) is user #1, admin and moderator."""

    fake: FakeHorde
    alice: User
    bob: User
    worker: Worker
    team: Team
    style: Style
    collection: Collection
    key: SharedKey
    filter: Filter
    message: WorkerMessage


def seed(fake: FakeHorde, alice: User) -> World:
    fake.rate_limits = False
    alice.admin = alice.moderator = alice.trusted = True
    bob = fake.add_user("bob", apikey="bob-key-0123456789", kudos=100.0)
    worker = fake.add_worker("alice-worker", owner=alice, models=["other/model"])
    team = fake.add_team("Red", owner=alice)
    records = fake.records
    style = records.add_style("tale", alice, prompt="{p}", models=[MODEL], info="a tale style")
    collection = records.add_collection("shelf", alice, [style])
    key = records.add_shared_key(alice, name="friends")
    item = records.add_filter("bad", 10, alice, description="bad words")
    message = WorkerMessage("msg-1", alice, "hello", worker.id, "tests", fake.clock.time() + 3600)
    records.messages[message.id] = message
    return World(fake, alice, bob, worker, team, style, collection, key, item, message)


Call = Callable[[HordeClient, World], Awaitable[Any]]
Check = Callable[[Any, World], bool]


@dataclass
class Case:
    """One call and what must come of it.

    ``path`` is formatted with the world (``{w.worker.id}``); ``key`` says whether the
    client's key must be sent (False: no apikey header at all).
    """

    call: Call
    method: str
    path: str
    key: bool
    check: Check
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)


async def run_case(case: Case, horde: HordeClient, world: World) -> None:
    before = len(world.fake.requests)
    result = await case.call(horde, world)
    sent = world.fake.requests[-1]
    assert len(world.fake.requests) > before
    assert (sent.method, sent.path) == (case.method, case.path.format(w=world))
    assert sent.query == _fill(case.query, world)
    assert sent.json == _fill(case.body, world)
    assert sent.headers.get("apikey") == (ALICE_KEY if case.key else None)
    assert case.check(result, world), result


def _fill(value: Any, world: World) -> Any:
    """Format ``{w.…}`` templates in the expected query or body with the world."""
    if isinstance(value, str):
        return value.format(w=world) if "{w." in value else value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value
