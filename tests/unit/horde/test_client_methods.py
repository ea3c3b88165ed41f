"""Every client method against the fake Horde over real HTTP."""

from __future__ import annotations

import pytest

from bot.horde import (
    ActiveModel,
    Forbidden,
    HordeClient,
    HordeValidationError,
    KudosError,
    NotFound,
    RequestStatusCheck,
    UserDetails,
    WorkerDetails,
)
from tests.fakes.horde import FakeHorde
from tests.unit.horde.conftest import ALICE_KEY, MODEL

MOD_KEY = "mod-key-0123456789"


async def test_generate_async_queues_a_request(horde: HordeClient, fake_horde: FakeHorde) -> None:
    queued = await horde.generate_async("Hello", params={"max_length": 32}, models=[MODEL])
    assert queued.id is not None
    record = fake_horde.get_request(queued.id)
    assert record.prompt == "Hello"


async def test_generate_async_sends_only_the_params_set(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    await horde.generate_async("Hello", params={"max_length": 32, "top_k": None})
    body = fake_horde.requests_to("/v2/generate/text/async")[-1].json
    assert body["params"] == {"max_length": 32}


async def test_generate_async_dry_run_returns_the_estimate_without_id(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    estimate = await horde.generate_async("Hello", params={"max_length": 64}, dry_run=True)
    assert estimate.id is None
    assert estimate.kudos > 0


async def test_generate_async_refuses_bad_params_before_any_request(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    with pytest.raises(HordeValidationError):
        await horde.generate_async("Hello", params={"n": 50})
    assert fake_horde.requests_to("/v2/generate/text/async") == []


async def test_generate_status_reports_the_finished_generation(
    horde: HordeClient, fake_horde: FakeHorde, clock
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    queued = await horde.generate_async("Tell me a story", params={"max_length": 32})
    await clock.sleep(1.0)
    status = await horde.generate_status(queued.id)
    assert status.done is True
    assert status.generations[0].worker_name == "w1"
    assert "Tell me a story" in status.generations[0].text


async def test_generate_check_returns_progress_without_generations(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    queued = await horde.generate_async("Hello", params={"max_length": 32})
    check = await horde.generate_check(queued.id)
    assert type(check) is RequestStatusCheck
    assert (check.done, check.waiting) == (False, 1)


async def test_generate_cancel_stops_waiting_jobs(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    queued = await horde.generate_async("Hello", params={"max_length": 32})
    await horde.generate_cancel(queued.id)
    assert (await horde.generate_status(queued.id)).waiting == 0


async def test_unknown_request_id_is_not_found(horde: HordeClient) -> None:
    with pytest.raises(NotFound) as info:
        await horde.generate_status("00000000-0000-0000-0000-000000000000")
    assert info.value.rc == "RequestNotFound"


async def test_job_pop_and_submit_complete_a_request(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    queued = await horde.generate_async("Ping", params={"max_length": 32}, models=[MODEL])
    job = await horde.job_pop("alice-worker", [MODEL], max_length=64)
    assert job.id is not None
    assert job.payload.prompt == "Ping"
    reward = await horde.job_submit(job.id, "Pong", seed=3)
    assert reward >= 0
    status = await horde.generate_status(queued.id)
    assert status.done is True
    assert status.generations[0].text == "Pong"


async def test_job_pop_without_work_has_no_id(horde: HordeClient) -> None:
    assert (await horde.job_pop("alice-worker", [MODEL])).id is None


async def test_job_pop_needs_models(horde: HordeClient) -> None:
    with pytest.raises(HordeValidationError) as info:
        await horde.job_pop("alice-worker", [])
    assert "models" in info.value.errors


async def test_job_submit_of_an_unknown_job_is_not_found(horde: HordeClient) -> None:
    with pytest.raises(NotFound) as info:
        await horde.job_submit("00000000-0000-0000-0000-000000000000", "x")
    assert info.value.rc == "InvalidJobID"


async def test_users_lists_a_page(horde: HordeClient, fake_horde: FakeHorde) -> None:
    users = await horde.users(page=1, sort="kudos")
    assert all(isinstance(u, UserDetails) for u in users)
    assert "alice#" in " ".join(u.username or "" for u in users)


async def test_user_reads_one_user(horde: HordeClient, alice) -> None:
    user = await horde.user(alice.id)
    assert user.username == alice.username


async def test_unknown_user_is_not_found(horde: HordeClient) -> None:
    with pytest.raises(NotFound) as info:
        await horde.user(987654)
    assert info.value.rc == "UserNotFound"


async def test_find_user_returns_the_key_owner(horde: HordeClient, alice) -> None:
    found = await horde.find_user()
    assert (found.id, found.username) == (alice.id, alice.username)


async def test_find_user_with_an_unknown_key_is_user_not_found(horde: HordeClient) -> None:
    with pytest.raises(NotFound) as info:
        await horde.find_user("not-a-real-key-000")
    assert info.value.rc == "UserNotFound"


async def test_workers_lists_text_workers(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    workers = await horde.workers()
    assert [w.name for w in workers] == ["w1"]
    assert isinstance(workers[0], WorkerDetails)


async def test_workers_filters_by_name(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    fake_horde.add_worker("w2", models=[MODEL])
    assert [w.name for w in await horde.workers(name="w2")] == ["w2"]


async def test_worker_reads_one_worker(horde: HordeClient, fake_horde: FakeHorde) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL])
    details = await horde.worker(worker.id)
    assert (details.name, details.models) == ("w1", [MODEL])


async def test_worker_by_name_reads_one_worker(horde: HordeClient, fake_horde: FakeHorde) -> None:
    worker = fake_horde.add_worker("gpu box", models=[MODEL])
    assert (await horde.worker_by_name("gpu box")).id == worker.id


async def test_unknown_worker_is_not_found(horde: HordeClient) -> None:
    with pytest.raises(NotFound) as info:
        await horde.worker("00000000-0000-0000-0000-000000000000")
    assert info.value.rc == "WorkerNotFound"


async def test_transfer_kudos_moves_kudos(horde: HordeClient, fake_horde: FakeHorde) -> None:
    bob = fake_horde.add_user("bob", apikey="bob-key-0123456789", kudos=0.0)
    assert await horde.transfer_kudos(bob.username, 10) == 10.0
    assert bob.kudos == 10.0


async def test_transfer_kudos_to_self_is_a_kudos_error(horde: HordeClient, alice) -> None:
    with pytest.raises(KudosError) as info:
        await horde.transfer_kudos(alice.username, 10)
    assert info.value.rc == "KudosTransferToSelf"


async def test_transfer_kudos_refuses_non_positive_amounts(horde: HordeClient) -> None:
    with pytest.raises(HordeValidationError):
        await horde.transfer_kudos("bob#2", 0)


async def test_performance_counts_text_workers(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    await horde.generate_async("Hello", params={"max_length": 32}, models=["other/model"])
    perf = await horde.performance()
    assert (perf.text_worker_count, perf.queued_text_requests) == (1, 1)


async def test_modes_without_a_key_are_readable(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.maintenance = True
    assert (await horde.modes()).maintenance_mode is True


async def test_modes_with_a_non_moderator_key_are_forbidden(horde: HordeClient) -> None:
    with pytest.raises(Forbidden) as info:
        await horde.modes(apikey=ALICE_KEY)
    assert info.value.rc == "NotModerator"


async def test_models_lists_served_text_models(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    models = await horde.models()
    assert [(m.name, m.count) for m in models] == [(MODEL, 1)]
    assert isinstance(models[0], ActiveModel)


async def test_news_lists_newspieces(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_news("Hello", "Text is back", importance="Information")
    news = await horde.news()
    assert [(n.title, n.newspiece) for n in news] == [("Hello", "Text is back")]


async def test_heartbeat_says_ok(horde: HordeClient) -> None:
    assert (await horde.heartbeat()).message == "OK"


async def test_teams_lists_teams(horde: HordeClient, fake_horde: FakeHorde, alice) -> None:
    fake_horde.add_team("Red", owner=alice)
    assert [t.name for t in await horde.teams()] == ["Red"]


async def test_team_reads_one_team(horde: HordeClient, fake_horde: FakeHorde, alice) -> None:
    team = fake_horde.add_team("Red", owner=alice)
    assert (await horde.team(team.id)).name == "Red"


async def test_ip_timeouts_need_a_moderator(horde: HordeClient) -> None:
    with pytest.raises(Forbidden):
        await horde.ip_timeouts()


async def test_moderator_adds_lists_and_removes_an_ip_timeout(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.add_user("mod", apikey=MOD_KEY, moderator=True)
    await horde.add_ip_timeout("10.1.2.3", 2, apikey=MOD_KEY)
    listed = await horde.ip_timeouts(apikey=MOD_KEY)
    assert [t.ipaddr for t in listed] == ["10.1.2.3"]
    assert 0 < listed[0].seconds <= 7200
    assert [t.ipaddr for t in await horde.ip_timeout("10.1.2.3", apikey=MOD_KEY)] == ["10.1.2.3"]
    await horde.remove_ip_timeout("10.1.2.3", apikey=MOD_KEY)
    assert await horde.ip_timeouts(apikey=MOD_KEY) == []


async def test_add_ip_timeout_checks_hours(horde: HordeClient) -> None:
    with pytest.raises(HordeValidationError):
        await horde.add_ip_timeout("10.1.2.3", 721)
