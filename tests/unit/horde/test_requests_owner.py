"""Exact requests and parsed answers: workers, users, modes, teams, awards, worker-IP
blocks and shared keys (each against the fake Horde over real HTTP)."""

from __future__ import annotations

import pytest

from bot.horde import HordeClient
from tests.fakes.horde import FakeHorde, User
from tests.unit.horde.exact import Case, run_case, seed

CASES: dict[str, Case] = {
    "modify_worker": Case(
        lambda h, w: h.modify_worker(w.worker.id, maintenance=True, maintenance_msg="brb"),
        "PUT",
        "/v2/workers/{w.worker.id}",
        True,
        lambda r, w: r.maintenance is True and w.worker.maintenance_msg == "brb",
        body={"maintenance": True, "maintenance_msg": "brb"},
    ),
    "delete_worker": Case(
        lambda h, w: h.delete_worker(w.worker.id),
        "DELETE",
        "/v2/workers/{w.worker.id}",
        True,
        lambda r, w: r.deleted_id == w.worker.id and w.worker.id not in w.fake.workers,
    ),
    "modify_user": Case(
        lambda h, w: h.modify_user(w.bob.id, kudos=10, trusted=True),
        "PUT",
        "/v2/users/{w.bob.id}",
        True,
        lambda r, w: r.new_kudos == 110.0 and r.trusted is True and w.bob.trusted,
        body={"kudos": 10, "trusted": True},
    ),
    "delete_user": Case(
        lambda h, w: h.delete_user(w.bob.id),
        "DELETE",
        "/v2/users/{w.bob.id}",
        True,
        lambda r, w: r.message == "OK" and w.bob.deleted,
    ),
    "generate_proxy_passkey": Case(
        lambda h, w: h.generate_proxy_passkey(w.alice.id),
        "PUT",
        "/v2/users/{w.alice.id}",
        True,
        lambda r, w: len(r.proxy_passkey or "") == 16,
        body={"generate_proxy_passkey": True},
    ),
    "set_modes": Case(
        lambda h, w: h.set_modes(raid_mode=True),
        "PUT",
        "/v2/status/modes",
        True,
        lambda r, w: r.raid_mode is True and w.fake.raid_mode,
        body={"raid_mode": True},
    ),
    "create_team": Case(
        lambda h, w: h.create_team("Blue", info="the blue team"),
        "POST",
        "/v2/teams",
        True,
        lambda r, w: r.id in w.fake.teams and r.name == "Blue",
        body={"name": "Blue", "info": "the blue team"},
    ),
    "modify_team": Case(
        lambda h, w: h.modify_team(w.team.id, name="Green"),
        "PATCH",
        "/v2/teams/{w.team.id}",
        True,
        lambda r, w: r.name == "Green" and w.team.name == "Green",
        body={"name": "Green"},
    ),
    "delete_team": Case(
        lambda h, w: h.delete_team(w.team.id),
        "DELETE",
        "/v2/teams/{w.team.id}",
        True,
        lambda r, w: r.deleted_name == "Red" and not w.fake.teams,
    ),
    "award_kudos": Case(
        lambda h, w: h.award_kudos(w.bob.username, 5),
        "POST",
        "/v2/kudos/award",
        True,
        lambda r, w: r == 5.0 and w.bob.kudos == 105.0,
        body={"username": "bob#2", "amount": 5},
    ),
    "block_worker_ip": Case(
        lambda h, w: h.block_worker_ip(w.worker.id, 3),
        "PUT",
        "/v2/operations/block_worker_ipaddr/{w.worker.id}",
        True,
        lambda r, w: r.message == "OK" and w.worker.id in w.fake.records.worker_ip_blocks,
        body={"days": 3},
    ),
    "unblock_worker_ip": Case(
        lambda h, w: h.unblock_worker_ip(w.worker.id),
        "DELETE",
        "/v2/operations/block_worker_ipaddr/{w.worker.id}",
        True,
        lambda r, w: r.message == "OK",
    ),
    "create_shared_key": Case(
        lambda h, w: h.create_shared_key(name="for friends", max_text_tokens=200),
        "PUT",
        "/v2/sharedkeys",
        True,
        lambda r, w: r.id in w.fake.records.shared_keys and r.max_text_tokens == 200,
        body={"kudos": 5000, "expiry": -1, "name": "for friends", "max_text_tokens": 200},
    ),
    "shared_key": Case(
        lambda h, w: h.shared_key(w.key.id),
        "GET",
        "/v2/sharedkeys/{w.key.id}",
        False,
        lambda r, w: (r.id, r.name, r.username, r.expiry) == (w.key.id, "friends", "alice#1", None),
    ),
    "modify_shared_key": Case(
        lambda h, w: h.modify_shared_key(w.key.id, kudos=9, expiry=2),
        "PATCH",
        "/v2/sharedkeys/{w.key.id}",
        True,
        lambda r, w: r.kudos == 9 and r.expiry is not None,
        body={"kudos": 9, "expiry": 2},
    ),
    "delete_shared_key": Case(
        lambda h, w: h.delete_shared_key(w.key.id),
        "DELETE",
        "/v2/sharedkeys/{w.key.id}",
        True,
        lambda r, w: r.message == "OK" and not w.fake.records.shared_keys,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_the_request_sent_and_the_answer_parsed(
    name: str, horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    await run_case(CASES[name], horde, seed(fake_horde, alice))


def test_each_case_calls_the_method_it_is_named_after() -> None:
    for name, case in CASES.items():
        assert name in case.call.__code__.co_names
