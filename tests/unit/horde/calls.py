"""One representative call of every client method, for the header and key tests."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.horde import HordeClient, HordeError
from tests.fakes.horde import FakeHorde
from tests.fakes.horde.records import WorkerMessage
from tests.unit.horde.conftest import MODEL


@dataclass
class Ids:
    request: str
    worker: str
    team: str
    user: int
    bob: str
    style: str = ""
    collection: str = ""
    sharedkey: str = ""
    filter: str = ""
    message: str = ""


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
    "modify_worker": (lambda h, i, k: h.modify_worker(i.worker, info="hello", **k), True),
    "delete_worker": (lambda h, i, k: h.delete_worker(i.worker, **k), True),
    "modify_user": (lambda h, i, k: h.modify_user(i.user, contact="me@x.invalid", **k), True),
    "delete_user": (lambda h, i, k: h.delete_user(i.user, **k), True),
    "generate_proxy_passkey": (lambda h, i, k: h.generate_proxy_passkey(i.user, **k), True),
    "set_modes": (lambda h, i, k: h.set_modes(raid_mode=True, **k), True),
    "create_team": (lambda h, i, k: h.create_team("Blue", **k), True),
    "modify_team": (lambda h, i, k: h.modify_team(i.team, info="about us", **k), True),
    "delete_team": (lambda h, i, k: h.delete_team(i.team, **k), True),
    "award_kudos": (lambda h, i, k: h.award_kudos(i.bob, 5, **k), True),
    "block_worker_ip": (lambda h, i, k: h.block_worker_ip(i.worker, 1, **k), True),
    "unblock_worker_ip": (lambda h, i, k: h.unblock_worker_ip(i.worker, **k), True),
    "create_shared_key": (lambda h, i, k: h.create_shared_key(**k), True),
    "shared_key": (lambda h, i, k: h.shared_key(i.sharedkey, **k), False),
    "modify_shared_key": (lambda h, i, k: h.modify_shared_key(i.sharedkey, kudos=9, **k), True),
    "delete_shared_key": (lambda h, i, k: h.delete_shared_key(i.sharedkey, **k), True),
    "text_styles": (lambda h, i, k: h.text_styles(**k), False),
    "text_style": (lambda h, i, k: h.text_style(i.style, **k), False),
    "text_style_by_name": (lambda h, i, k: h.text_style_by_name("tale", **k), False),
    "create_text_style": (
        lambda h, i, k: h.create_text_style("new", "{p}!", [MODEL], **k),
        True,
    ),
    "modify_text_style": (lambda h, i, k: h.modify_text_style(i.style, nsfw=True, **k), True),
    "delete_text_style": (lambda h, i, k: h.delete_text_style(i.style, **k), True),
    "collections": (lambda h, i, k: h.collections(**k), False),
    "collection": (lambda h, i, k: h.collection(i.collection, **k), False),
    "collection_by_name": (lambda h, i, k: h.collection_by_name("shelf", **k), False),
    "create_collection": (lambda h, i, k: h.create_collection("box", ["tale"], **k), True),
    "modify_collection": (lambda h, i, k: h.modify_collection(i.collection, info="x", **k), True),
    "delete_collection": (lambda h, i, k: h.delete_collection(i.collection, **k), True),
    "worker_messages": (lambda h, i, k: h.worker_messages(**k), True),
    "worker_message": (lambda h, i, k: h.worker_message(i.message, **k), False),
    "send_worker_message": (
        lambda h, i, k: h.send_worker_message("hi", worker_id=i.worker, **k),
        True,
    ),
    "delete_worker_message": (lambda h, i, k: h.delete_worker_message(i.message, **k), True),
    "filters": (lambda h, i, k: h.filters(**k), True),
    "filter": (lambda h, i, k: h.filter(i.filter, **k), True),
    "filter_regex": (lambda h, i, k: h.filter_regex(**k), True),
    "add_filter": (lambda h, i, k: h.add_filter("bad", 10, **k), True),
    "check_prompt": (lambda h, i, k: h.check_prompt("a bad prompt", **k), True),
    "modify_filter": (lambda h, i, k: h.modify_filter(i.filter, regex="worse", **k), True),
    "delete_filter": (lambda h, i, k: h.delete_filter(i.filter, **k), True),
    "text_stats_totals": (lambda h, i, k: h.text_stats_totals(**k), False),
    "text_stats_models": (lambda h, i, k: h.text_stats_models(**k), False),
    "model": (lambda h, i, k: h.model("plain-model", **k), False),
    "document": (lambda h, i, k: h.document("terms", **k), False),
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
        "shared_key",
        "text_styles",
        "text_style",
        "text_style_by_name",
        "collections",
        "collection",
        "collection_by_name",
        "text_stats_totals",
        "text_stats_models",
        "model",
        "document",
    }
)


async def prepare(fake: FakeHorde, horde: HordeClient, alice: Any) -> Ids:
    """Objects the calls refer to: a queued request, a worker, a team, a second user."""
    worker = fake.add_worker("w1", models=["other/model"])
    team = fake.add_team("Red", owner=alice)
    bob = fake.add_user("bob", apikey="bob-key-0123456789")
    queued = await horde.generate_async("setup", params={"max_length": 32}, models=[MODEL])
    assert queued.id is not None
    records = fake.records
    style = records.add_style("tale", alice, prompt="{p}", models=[MODEL])
    collection = records.add_collection("shelf", alice, [style])
    key = records.add_shared_key(alice)
    item = records.add_filter("bad", 10, alice)
    message = await _message(fake, worker.id)
    ids = Ids(queued.id, worker.id, team.id, alice.id, bob.username)
    ids.style, ids.collection, ids.sharedkey = style.id, collection.id, key.id
    ids.filter, ids.message = item.id, message
    return ids


async def _message(fake: FakeHorde, worker_id: str) -> str:
    """A worker message sent by a moderator (straight into the fake's records)."""
    mod = fake.add_user("mod", apikey="mod-key-for-calls-0123", moderator=True)
    message = WorkerMessage("msg-setup", mod, "hello", worker_id, None, fake.clock.time() + 3600)
    fake.records.messages[message.id] = message
    return message.id


async def run(name: str, horde: HordeClient, ids: Ids, **kwargs: Any) -> None:
    """Run one call; the server's refusal is fine, only the request it sent matters."""
    call, _ = CALLS[name]
    with contextlib.suppress(HordeError):
        await call(horde, ids, kwargs)
