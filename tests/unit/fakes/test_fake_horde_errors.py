"""The fake Horde's error answers: validation shape, rc errors, HTML 404, worker-side errors."""

from __future__ import annotations

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import ALICE_KEY, BOB_KEY, submit

ANON = "0000000000"


def rc_of(answer) -> tuple[int, str]:
    return answer.status, answer.body["rc"]


async def test_out_of_range_param_is_a_validation_error_naming_it(horde: FakeHorde, alice, call):
    answer = await submit(call, params={"n": 50})
    assert answer.status == 400
    assert answer.body == {
        "message": "Input payload validation failed",
        "errors": {"params.n": "50 is greater than the maximum of 20"},
    }


async def test_wrong_type_is_a_validation_error(horde: FakeHorde, alice, call):
    answer = await submit(call, params={"max_length": "long"})
    assert answer.body["errors"] == {"params.max_length": "'long' is not of type 'integer'"}


async def test_missing_apikey_is_a_validation_error_without_rc(horde: FakeHorde, call):
    answer = await call("POST", "/v2/generate/text/async", json={"prompt": "hi"})
    assert answer.status == 400
    assert "rc" not in answer.body
    assert answer.body["errors"] == {"apikey": "Missing required parameter in the HTTP headers"}


async def test_unknown_key_on_submit_is_401_invalid_api_key(horde: FakeHorde, call):
    assert rc_of(await submit(call, key="nope-nope-nope")) == (401, "InvalidAPIKey")


async def test_empty_prompt_is_missing_prompt(horde: FakeHorde, alice: User, call):
    assert rc_of(await submit(call, prompt="")) == (400, "MissingPrompt")


async def test_max_length_above_context_is_token_overflow(horde: FakeHorde, alice: User, call):
    answer = await submit(call, params={"max_length": 300, "max_context_length": 200})
    assert rc_of(answer) == (400, "TokenOverflow")


async def test_maintenance_mode_refuses_submits_with_400(horde: FakeHorde, alice: User, call):
    horde.maintenance = True
    assert rc_of(await submit(call)) == (400, "MaintenanceMode")


async def test_anonymous_long_request_needs_upfront_kudos(horde: FakeHorde, call):
    answer = await submit(call, key=ANON, params={"max_length": 600})
    assert rc_of(answer) == (403, "KudosUpfront")


async def test_poor_user_long_request_needs_upfront_kudos(horde: FakeHorde, call):
    horde.add_user("poor", apikey="poor-key-0123456789", kudos=1.0)
    answer = await submit(call, key="poor-key-0123456789", params={"max_length": 600})
    assert rc_of(answer) == (403, "KudosUpfront")


async def test_rich_user_long_request_is_accepted(horde: FakeHorde, alice: User, call):
    assert (await submit(call, params={"max_length": 600})).status == 202


async def test_upfront_threshold_is_configurable(horde: FakeHorde, call):
    horde.upfront_kudos_threshold = 100
    answer = await submit(call, key=ANON, params={"max_length": 150})
    assert rc_of(answer) == (403, "KudosUpfront")


async def test_allow_downgrade_lowers_max_length_instead(horde: FakeHorde, call):
    answer = await submit(call, key=ANON, params={"max_length": 600}, allow_downgrade=True)
    assert answer.status == 202
    assert horde.get_request(answer.body["id"]).max_length == 512


async def test_outstanding_generations_above_concurrency_is_too_many_prompts(
    horde: FakeHorde, call
):
    horde.add_user("busy", apikey="busy-key-0123456789", concurrency=3)
    assert (await submit(call, key="busy-key-0123456789", params={"n": 2})).status == 202
    answer = await submit(call, key="busy-key-0123456789", params={"n": 2})
    assert rc_of(answer) == (429, "TooManyPrompts")


async def test_finished_generations_free_concurrency(horde: FakeHorde, call):
    horde.add_user("busy", apikey="busy-key-0123456789", concurrency=2)
    horde.add_worker("w1", seconds_per_job=1.0)
    await submit(call, key="busy-key-0123456789", params={"n": 2})
    horde.clock.advance(2.0)
    assert (await submit(call, key="busy-key-0123456789", params={"n": 2})).status == 202


async def test_unknown_worker_id_is_worker_not_found(horde: FakeHorde, alice: User, call):
    answer = await submit(call, workers=["00000000-0000-0000-0000-000000000000"])
    assert rc_of(answer) == (404, "WorkerNotFound")


async def test_ip_in_timeout_cannot_submit(horde: FakeHorde, alice: User, call):
    horde.ip_timeouts["127.0.0.1"] = horde.clock.time() + 60
    assert rc_of(await submit(call)) == (403, "TimeoutIP")


async def test_unknown_route_is_404_html_page(horde: FakeHorde, call):
    answer = await call("GET", "/v2/generate/text/check/abc")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<title>404 Not Found</title>" in answer.text


async def test_find_user_returns_the_key_owner(horde: FakeHorde, alice: User, call):
    answer = await call("GET", "/v2/find_user", key=ALICE_KEY)
    assert (answer.body["username"], answer.body["id"]) == ("alice#1", 1)
    assert answer.body["kudos"] == 1000.0


async def test_find_user_with_anonymous_key_is_anonymous_zero(horde: FakeHorde, call):
    answer = await call("GET", "/v2/find_user", key=ANON)
    assert (answer.body["username"], answer.body["id"]) == ("Anonymous#0", 0)


async def test_find_user_with_unknown_key_is_404_user_not_found(horde: FakeHorde, call):
    assert rc_of(await call("GET", "/v2/find_user", key="nope-nope-nope")) == (404, "UserNotFound")


async def test_find_user_without_key_is_401(horde: FakeHorde, call):
    assert (await call("GET", "/v2/find_user")).status == 401


async def test_non_numeric_user_id_is_user_not_found(horde: FakeHorde, call):
    assert rc_of(await call("GET", "/v2/users/alice")) == (404, "UserNotFound")


async def test_unknown_worker_lookup_is_worker_not_found(horde: FakeHorde, call):
    assert rc_of(await call("GET", "/v2/workers/nope")) == (404, "WorkerNotFound")
    assert rc_of(await call("GET", "/v2/workers/name/nope")) == (404, "WorkerNotFound")


async def test_anonymous_worker_pop_is_forbidden(horde: FakeHorde, call):
    answer = await call("POST", "/v2/generate/text/pop", key=ANON, json=pop_body())
    assert rc_of(answer) == (403, "AnonForbiddenWorker")


async def test_pop_as_another_users_worker_is_wrong_credentials(
    horde: FakeHorde, alice: User, bob: User, call
):
    await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json=pop_body())
    answer = await call("POST", "/v2/generate/text/pop", key=BOB_KEY, json=pop_body())
    assert rc_of(answer) == (403, "WrongCredentials")


async def test_pop_without_name_is_a_validation_error(horde: FakeHorde, alice: User, call):
    answer = await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json={"models": ["m"]})
    assert answer.body["errors"] == {"name": "'name' is a required property"}


async def test_pop_with_no_job_has_null_id_and_default_payload(horde: FakeHorde, alice: User, call):
    answer = await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json=pop_body())
    assert answer.body["id"] is None
    assert answer.body["ids"] == []
    assert answer.body["payload"]["max_length"] == 80


async def test_submit_unknown_job_is_invalid_job_id(horde: FakeHorde, alice: User, call):
    body = {"id": "00000000-0000-0000-0000-000000000000", "generation": "x"}
    answer = await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    assert rc_of(answer) == (404, "InvalidJobID")


async def test_submitting_a_job_twice_is_duplicate_gen(horde: FakeHorde, alice: User, call):
    await submit(call)
    job = (await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json=pop_body())).body
    body = {"id": job["id"], "generation": "x", "seed": 1}
    await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    answer = await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    assert rc_of(answer) == (400, "DuplicateGen")


async def test_submitting_a_stale_job_is_aborted_gen(horde: FakeHorde, alice: User, call):
    await submit(call)
    job = (await call("POST", "/v2/generate/text/pop", key=ALICE_KEY, json=pop_body())).body
    horde.clock.advance(151.0)
    body = {"id": job["id"], "generation": "x", "seed": 1}
    answer = await call("POST", "/v2/generate/text/submit", key=ALICE_KEY, json=body)
    assert rc_of(answer) == (400, "AbortedGen")


def pop_body(**extra):
    return {"name": "ext-worker", "models": ["koboldcpp/test-model"], **extra}


async def test_disable_batching_for_several_needs_trust(horde: FakeHorde, alice: User, call):
    answer = await submit(call, disable_batching=True, params={"n": 2})
    assert rc_of(answer) == (400, "RequiresTrust")
