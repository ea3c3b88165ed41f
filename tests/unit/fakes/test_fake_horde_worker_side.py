"""The fake Horde's worker side over HTTP: pop, submit, TTL and the worker lists."""

from __future__ import annotations

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import ALICE_KEY, status, submit

MODEL = "koboldcpp/test-model"


def pop_body(**extra):
    return {"name": "ext-worker", "models": [MODEL], "max_length": 512, **extra}


async def pop(call, **extra):
    return (await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json=pop_body(**extra))).body


async def test_popped_job_carries_prompt_and_params(horde: FakeHorde, alice: User, call):
    await submit(call, prompt="Hello", params={"max_length": 100, "temperature": 0.7})
    job = await pop(call)
    assert job["payload"]["prompt"] == "Hello"
    assert job["payload"]["temperature"] == 0.7
    assert (job["model"], job["ttl"], job["ids"]) == (MODEL, 150, [job["id"]])


async def test_submitted_generation_shows_in_status(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    job = await pop(call)
    body = {"id": job["id"], "generation": "The end.", "state": "ok", "seed": 42}
    reward = await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    assert reward.body["reward"] > 0
    answer = (await status(call, horde_id)).body
    assert answer["done"] is True
    assert answer["generations"][0]["text"] == "The end."
    assert answer["generations"][0]["seed"] == 42
    assert answer["generations"][0]["worker_name"] == "ext-worker"


async def test_pop_skips_requests_for_other_models(horde: FakeHorde, alice: User, call):
    await submit(call, models=["other/model"])
    job = await pop(call)
    assert job["id"] is None
    assert job["skipped"]["models"] == 1


async def test_pop_amount_takes_several_jobs_of_one_request(horde: FakeHorde, alice: User, call):
    await submit(call, params={"n": 3})
    job = await pop(call, amount=2)
    assert len(job["ids"]) == 2
    assert job["payload"]["n"] == 2


async def test_stale_popped_job_is_requeued_and_counted_restarted(
    horde: FakeHorde, alice: User, call
):
    horde_id = (await submit(call)).body["id"]
    await pop(call)
    horde.clock.advance(151.0)
    body = (await status(call, horde_id)).body
    assert (body["restarted"], body["waiting"], body["processing"]) == (1, 1, 0)


async def test_faulted_submission_requeues_the_job(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    job = await pop(call)
    body = {"id": job["id"], "generation": "", "state": "faulted", "seed": 0}
    answer = await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    assert answer.body == {"reward": 0.0}
    assert (await status(call, horde_id)).body["waiting"] == 1


async def test_pop_extends_request_lifetime(horde: FakeHorde, alice: User, call):
    horde_id = (await submit(call)).body["id"]
    horde.clock.advance(19 * 60)
    await pop(call)
    horde.clock.advance(5 * 60)
    assert (await status(call, horde_id)).status == 200


async def test_worker_created_by_pop_is_listed(horde: FakeHorde, alice: User, call):
    await pop(call)
    workers = (await call("GET", "/v2/workers?type=text")).body
    assert [w["name"] for w in workers] == ["ext-worker"]
    assert workers[0]["models"] == [MODEL]


async def test_scripted_worker_found_by_id_and_name(horde: FakeHorde, call):
    worker = horde.add_worker("w1", max_length=300)
    by_id = (await call("GET", f"/v2/workers/{worker.id}")).body
    by_name = (await call("GET", "/v2/workers/name/w1")).body
    assert by_id["name"] == "w1"
    assert by_name["id"] == worker.id
    assert by_id["max_length"] == 300


async def test_workers_name_filter(horde: FakeHorde, call):
    horde.add_worker("w1")
    horde.add_worker("w2")
    workers = (await call("GET", "/v2/workers?type=text&name=w2")).body
    assert [w["name"] for w in workers] == ["w2"]


async def test_removed_worker_returns_its_job_to_the_queue(horde: FakeHorde, alice: User, call):
    horde.add_worker("w1", seconds_per_job=10.0)
    horde_id = (await submit(call)).body["id"]
    horde.remove_worker("w1")
    body = (await status(call, horde_id)).body
    assert (body["waiting"], body["processing"], body["is_possible"]) == (1, 0, False)
