"""The fake Horde's generation semantics: queue, scripted workers, status, cancel, expiry."""

from __future__ import annotations

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import status, submit

MODEL = "koboldcpp/test-model"


async def test_scripted_worker_delivers_text_after_its_job_time(
    horde: FakeHorde, alice: User, call
):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call, prompt="Tell me a story")).body["id"]
    horde.clock.advance(10.0)
    body = (await status(call, horde_id)).body
    assert body["done"] is True
    assert body["finished"] == 1
    assert body["generations"][0]["text"] == "[w1] reply to: Tell me a story"
    assert body["generations"][0]["worker_name"] == "w1"
    assert body["generations"][0]["model"] == MODEL
    assert body["generations"][0]["state"] == "ok"
    assert isinstance(body["generations"][0]["seed"], int)


async def test_job_is_processing_before_its_time_is_up(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(5.0)
    body = (await status(call, horde_id)).body
    assert (body["processing"], body["finished"], body["done"]) == (1, 0, False)
    assert body["generations"] == []


async def test_submit_answers_202_with_id_and_zero_kudos(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1")
    answer = await submit(call)
    assert answer.status == 202
    assert answer.body["kudos"] == 0.0
    assert "message" not in answer.body
    assert horde.get_request(answer.body["id"]).prompt == "Once upon a time"


async def test_second_request_queues_behind_first_with_one_worker(
    horde: FakeHorde, alice: User, call
):
    horde.add_worker("w1", seconds_per_job=10.0)
    first = (await submit(call)).body["id"]
    second = (await submit(call)).body["id"]
    assert (await status(call, first)).body["queue_position"] == 0
    queued = (await status(call, second)).body
    assert (queued["queue_position"], queued["waiting"]) == (1, 1)
    assert queued["wait_time"] > 0


async def test_queued_request_starts_when_worker_frees(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=10.0)
    first = (await submit(call)).body["id"]
    second = (await submit(call)).body["id"]
    horde.clock.advance(10.0)
    assert (await status(call, first)).body["done"] is True
    body = (await status(call, second)).body
    assert (body["processing"], body["queue_position"]) == (1, 0)


async def test_n_generations_are_served_one_job_at_a_time(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call, params={"n": 3})).body["id"]
    horde.clock.advance(25.0)
    body = (await status(call, horde_id)).body
    assert (body["finished"], body["processing"], body["waiting"]) == (2, 1, 0)


async def test_no_capable_worker_warns_and_is_impossible(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", models=["other/model"])
    answer = await submit(call, models=[MODEL])
    assert "expire in 20 minutes" in answer.body["message"]
    body = (await status(call, answer.body["id"])).body
    assert body["is_possible"] is False
    assert body["waiting"] == 1


async def test_worker_skips_requests_longer_than_its_max_length(
    horde: FakeHorde, alice: User, call
):
    horde.add_worker("w1", max_length=100)
    horde_id = (await submit(call, params={"max_length": 200})).body["id"]
    horde.clock.advance(60.0)
    assert (await status(call, horde_id)).body["waiting"] == 1


async def test_trusted_only_request_waits_for_a_trusted_worker(horde: FakeHorde, alice: User, call):
    horde.add_worker("untrusted", seconds_per_job=1.0)
    horde.add_worker("trusted", seconds_per_job=1.0, trusted=True)
    horde_id = (await submit(call, trusted_workers=True)).body["id"]
    horde.clock.advance(1.0)
    body = (await status(call, horde_id)).body
    assert body["generations"][0]["worker_name"] == "trusted"


async def test_paused_worker_takes_no_jobs(horde: FakeHorde, alice: User, call):
    worker = horde.add_worker("w1", seconds_per_job=1.0)
    worker.paused = True
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(5.0)
    assert (await status(call, horde_id)).body["waiting"] == 1


async def test_text_callable_receives_prompt_and_params(horde: FakeHorde, alice: User, call):
    horde.add_worker(
        "w1", seconds_per_job=1.0, text=lambda p, params: f"{p}|{params['max_length']}"
    )
    horde_id = (await submit(call, prompt="abc", params={"max_length": 50})).body["id"]
    horde.clock.advance(1.0)
    assert (await status(call, horde_id)).body["generations"][0]["text"] == "abc|50"


async def test_censoring_worker_marks_generation_censored(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=1.0, censor=True)
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(1.0)
    assert (await status(call, horde_id)).body["generations"][0]["state"] == "censored"


async def test_request_faults_after_more_than_two_failed_jobs(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=1.0, fail=True)
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(2.0)
    assert (await status(call, horde_id)).body["faulted"] is False
    horde.clock.advance(1.0)
    body = (await status(call, horde_id)).body
    assert (body["faulted"], body["restarted"], body["done"]) == (True, 3, False)


async def test_finished_job_moves_kudos_from_requester_to_worker_owner(
    horde: FakeHorde, alice: User, bob: User, call
):
    horde.add_worker("w1", seconds_per_job=1.0, owner=bob)
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(1.0)
    cost = (await status(call, horde_id)).body["kudos"]
    assert cost > 0
    assert alice.kudos == 1000.0 - cost
    assert bob.kudos == 50.0 + cost


async def test_dry_run_returns_cost_and_creates_nothing(horde: FakeHorde, alice: User, call):
    answer = await submit(call, dry_run=True, params={"n": 2})
    assert answer.status == 200
    assert answer.body["kudos"] > 0
    assert set(answer.body) == {"kudos"}
    assert horde.text_requests == {}


async def test_cancel_returns_generations_so_far_and_drops_waiting_jobs(
    horde: FakeHorde, alice: User, call
):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call, params={"n": 3})).body["id"]
    horde.clock.advance(10.0)
    cancelled = await call("DELETE", f"/v2/generate/text/status/{horde_id}")
    assert cancelled.status == 200
    assert (cancelled.body["finished"], cancelled.body["waiting"]) == (1, 1)
    assert len(cancelled.body["generations"]) == 1
    after = (await status(call, horde_id)).body
    assert after["waiting"] == 0


async def test_cancelled_jobs_never_run(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call, params={"n": 3})).body["id"]
    horde.clock.advance(10.0)
    await call("DELETE", f"/v2/generate/text/status/{horde_id}")
    horde.clock.advance(60.0)
    body = (await status(call, horde_id)).body
    assert (body["finished"], body["processing"], body["waiting"]) == (2, 0, 0)


async def test_cancel_with_nothing_finished_never_becomes_done(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    await call("DELETE", f"/v2/generate/text/status/{horde_id}")
    horde.clock.advance(60.0)
    body = (await status(call, horde_id)).body
    assert (body["waiting"], body["done"]) == (0, False)


async def test_unknown_request_id_is_404_request_not_found(horde: FakeHorde, call):
    answer = await status(call, "00000000-0000-0000-0000-000000000000")
    assert answer.status == 404
    assert answer.body["rc"] == "RequestNotFound"


async def test_request_expires_twenty_minutes_after_creation(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(20 * 60 - 1)
    assert (await status(call, horde_id)).status == 200
    horde.clock.advance(2.0)
    answer = await status(call, horde_id)
    assert (answer.status, answer.body["rc"]) == (404, "RequestNotFound")


async def test_finished_request_lives_twenty_minutes_after_last_job(
    horde: FakeHorde, alice: User, call
):
    horde.add_worker("w1", seconds_per_job=100.0)
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(100.0 + 20 * 60 - 1)
    assert (await status(call, horde_id)).body["done"] is True
    horde.clock.advance(2.0)
    assert (await status(call, horde_id)).status == 404


async def test_status_needs_no_apikey_and_is_json(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    answer = await status(call, horde_id)
    assert answer.headers["Content-Type"].startswith("application/json")
    assert set(answer.body) >= {
        "finished", "processing", "restarted", "waiting", "done", "faulted",
        "wait_time", "queue_position", "kudos", "is_possible", "generations",
    }  # fmt: skip


async def test_cancel_sets_the_server_side_n_to_zero(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call, params={"n": 2})).body["id"]
    await call("DELETE", f"/v2/generate/text/status/{horde_id}")
    record = horde.get_request(horde_id)
    assert (record.n, record.requested_n, record.state) == (0, 2, "cancelled")
