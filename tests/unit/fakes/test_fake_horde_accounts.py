"""The fake Horde's accounts and public status: kudos transfer, moderator routes, lists."""

from __future__ import annotations

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import ALICE_KEY, BOB_KEY, MOD_KEY, submit


async def transfer(call, to: str, amount, key: str = ALICE_KEY, headers=None):
    body = {"username": to, "amount": amount}
    return await call("POST", "/v2/kudos/transfer", key=key, json=body, headers=headers)


async def test_transfer_moves_kudos(horde: FakeHorde, alice: User, bob: User, call):
    answer = await transfer(call, "bob#2", 100)
    assert answer.body == {"transferred": 100.0}
    assert (alice.kudos, bob.kudos) == (900.0, 150.0)


async def test_transfer_errors_have_their_rc(horde: FakeHorde, alice: User, bob: User, call):
    cases = {
        "alice#1": "KudosTransferToSelf",
        "bob#99": "InvalidTargetUsername",
        "carol#2": "InvalidTargetUsername",
    }
    for target, rc in cases.items():
        answer = await transfer(call, target, 1)
        assert (answer.status, answer.body["rc"]) == (400, rc)


async def test_transfer_more_than_owned_is_not_enough(horde: FakeHorde, alice, bob, call):
    assert (await transfer(call, "alice#1", 51, key=BOB_KEY)).body["rc"] == "KudosTransferNotEnough"


async def test_negative_transfer_is_refused(horde: FakeHorde, alice: User, bob: User, call):
    assert (await transfer(call, "bob#2", -5)).body["rc"] == "NegativeKudosTransfer"


async def test_anonymous_cannot_transfer(horde: FakeHorde, alice: User, call):
    answer = await transfer(call, "alice#1", 1, key="0000000000")
    assert answer.body["rc"] == "KudosTransferFromAnon"


async def test_same_pair_within_a_minute_is_too_fast(horde: FakeHorde, alice, bob, call):
    await transfer(call, "bob#2", 1)
    horde.clock.advance(30)
    assert (await transfer(call, "bob#2", 1)).body["rc"] == "TooFastKudosTransfers"
    horde.clock.advance(31)
    assert (await transfer(call, "bob#2", 1)).status == 200


async def test_idempotency_key_replays_without_second_transfer(
    horde: FakeHorde, alice: User, bob: User, call
):
    key = {"Idempotency-Key": "abc-123"}
    first = await transfer(call, "bob#2", 10, headers=key)
    horde.clock.advance(120)
    again = await transfer(call, "bob#2", 10, headers=key)
    assert again.body == first.body == {"transferred": 10.0}
    assert bob.kudos == 60.0


async def test_idempotency_key_reused_for_other_payload_conflicts(
    horde: FakeHorde, alice, bob, call
):
    await transfer(call, "bob#2", 10, headers={"Idempotency-Key": "k"})
    answer = await transfer(call, "bob#2", 11, headers={"Idempotency-Key": "k"})
    assert answer.body["rc"] == "IdempotencyKeyConflict"


async def test_modes_refuse_a_non_moderator_key(horde: FakeHorde, alice: User, call):
    answer = await call("GET", "/v2/status/modes", key=ALICE_KEY)
    assert (answer.status, answer.body["rc"]) == (403, "NotModerator")


async def test_modes_without_key_report_maintenance(horde: FakeHorde, call):
    horde.maintenance = True
    answer = await call("GET", "/v2/status/modes")
    assert answer.body["maintenance_mode"] is True


async def test_modes_answer_a_moderator(horde: FakeHorde, moderator: User, call):
    assert (await call("GET", "/v2/status/modes", key=MOD_KEY)).status == 200


async def test_team_lookup_refuses_a_non_moderator_key(horde: FakeHorde, alice: User, call):
    team = horde.add_team("team-a", owner=alice)
    assert (await call("GET", f"/v2/teams/{team.id}", key=ALICE_KEY)).status == 403
    answer = await call("GET", f"/v2/teams/{team.id}")
    assert (answer.body["name"], answer.body["creator"]) == ("team-a", "alice#1")


async def test_unknown_team_is_team_not_found(horde: FakeHorde, call):
    assert (await call("GET", "/v2/teams/nope")).body["rc"] == "TeamNotFound"


async def test_ip_timeouts_are_moderator_only(horde: FakeHorde, alice: User, call):
    answer = await call("GET", "/v2/operations/ipaddr", key=ALICE_KEY)
    assert (answer.status, answer.body["rc"]) == (403, "NotModerator")


async def test_moderator_puts_an_ip_in_timeout_and_lifts_it(
    horde: FakeHorde, alice: User, moderator: User, call
):
    body = {"ipaddr": "127.0.0.1", "hours": 1}
    assert (await call("POST", "/v2/operations/ipaddr", key=MOD_KEY, json=body)).status == 200
    listed = (await call("GET", "/v2/operations/ipaddr", key=MOD_KEY)).body
    assert listed[0]["ipaddr"] == "127.0.0.1"
    assert (await submit(call)).body["rc"] == "TimeoutIP"
    await call("DELETE", "/v2/operations/ipaddr", key=MOD_KEY, json={"ipaddr": "127.0.0.1"})
    assert (await submit(call)).status == 202


async def test_ip_timeout_hours_are_validated(horde: FakeHorde, moderator: User, call):
    body = {"ipaddr": "127.0.0.1", "hours": 721}
    answer = await call("POST", "/v2/operations/ipaddr", key=MOD_KEY, json=body)
    assert answer.body["errors"] == {"hours": "721 is greater than the maximum of 720"}


async def test_users_are_paged_by_25(horde: FakeHorde, call):
    for index in range(30):
        horde.add_user(f"u{index}", kudos=float(index))
    first = (await call("GET", "/v2/users?page=1")).body
    second = (await call("GET", "/v2/users?page=2")).body
    assert (len(first), len(second)) == (25, 6)
    assert first[0]["username"] == "u29#30"


async def test_models_list_text_models_with_queue(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", models=["a/one"], seconds_per_job=10.0)
    horde.add_worker("w2", models=["a/one", "b/two"], seconds_per_job=10.0)
    await submit(call, models=["b/two"], params={"n": 2})
    rows = {r["name"]: r for r in (await call("GET", "/v2/status/models?type=text")).body}
    assert (rows["a/one"]["count"], rows["b/two"]["count"]) == (2, 1)
    assert rows["b/two"]["jobs"] == 2
    assert rows["b/two"]["type"] == "text"


async def test_models_default_to_image_type(horde: FakeHorde, call):
    horde.add_worker("w1")
    assert (await call("GET", "/v2/status/models")).body == []


async def test_models_min_count_filters(horde: FakeHorde, call):
    horde.add_worker("w1", models=["a/one"])
    rows = (await call("GET", "/v2/status/models?type=text&min_count=2")).body
    assert rows == []


async def test_performance_counts_queue_and_workers(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", threads=2)
    await submit(call, params={"max_length": 100})
    body = (await call("GET", "/v2/status/performance")).body
    assert (body["queued_text_requests"], body["text_worker_count"]) == (1, 1)
    assert (body["text_thread_count"], body["queued_tokens"]) == (2, 100)


async def test_news_lists_added_pieces(horde: FakeHorde, call):
    horde.add_news("Title", "Body text", importance="Important")
    news = (await call("GET", "/v2/status/news")).body
    assert (news[0]["title"], news[0]["importance"]) == ("Title", "Important")


async def test_text_stats_count_delivered_generations(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=1.0)
    await submit(call, params={"n": 2, "max_length": 50})
    horde.clock.advance(2.0)
    totals = (await call("GET", "/v2/stats/text/totals")).body
    models = (await call("GET", "/v2/stats/text/models")).body
    assert totals["minute"] == {"requests": 2, "tokens": 100}
    assert models["day"] == {"koboldcpp/test-model": 2}


async def test_worker_added_first_does_not_shift_user_ids(horde: FakeHorde, call):
    horde.add_worker("w1")
    assert horde.add_user("carol").username == "carol#1"


async def test_cidr_timeout_covers_addresses_inside(
    horde: FakeHorde, alice: User, moderator: User, call
):
    body = {"ipaddr": "127.0.0.0/8", "hours": 2}
    await call("POST", "/v2/operations/ipaddr", key=MOD_KEY, json=body)
    single = (await call("GET", "/v2/operations/ipaddr/127.0.0.1", key=MOD_KEY)).body
    assert [t["ipaddr"] for t in single] == ["127.0.0.0/8"]
    assert (await submit(call)).body["rc"] == "TimeoutIP"


async def test_ip_timeout_ends_after_its_hours(horde: FakeHorde, alice: User, moderator, call):
    body = {"ipaddr": "127.0.0.1", "hours": 1}
    await call("POST", "/v2/operations/ipaddr", key=MOD_KEY, json=body)
    horde.clock.advance(3601)
    assert (await submit(call)).status == 202
