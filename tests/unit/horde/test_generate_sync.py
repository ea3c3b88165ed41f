"""generate_sync: submit, poll with an adaptive interval, and clean up on every way out."""

from __future__ import annotations

import asyncio

import pytest

from bot.horde import (
    GenerationFaulted,
    GenerationTimeout,
    HordeClient,
    HordeUnavailable,
    HordeValidationError,
    NotFound,
    RequestStatusCheck,
)
from tests.fakes.horde import FakeHorde
from tests.unit.horde.conftest import MODEL
from tests.unit.horde.support import RecordingClock

STATUS = "/v2/generate/text/status"
PARAMS = {"max_length": 32}


def deletes(fake: FakeHorde) -> list[str]:
    return [r.path for r in fake.requests_to(STATUS, "DELETE")]


def polled_path(fake: FakeHorde) -> str:
    return fake.requests_to(STATUS, "GET")[0].path


async def test_it_returns_the_finished_generation(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=3.0, text="Hello there")
    status = await horde.generate_sync("Hi", params=PARAMS, models=[MODEL])
    assert status.done is True
    assert [g.text for g in status.generations] == ["Hello there"]
    assert deletes(fake_horde) == []


async def test_on_progress_receives_each_poll(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=5.0)
    seen: list[RequestStatusCheck] = []
    await horde.generate_sync("Hi", params=PARAMS, on_progress=seen.append)
    assert len(seen) == len(fake_horde.requests_to(STATUS, "GET")) >= 2
    assert all(type(check) is RequestStatusCheck for check in seen)
    assert (seen[0].done, seen[-1].done) == (False, True)


async def test_on_progress_may_be_async(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=2.0)
    seen: list[bool] = []

    async def record(check: RequestStatusCheck) -> None:
        await asyncio.sleep(0)
        seen.append(check.done)

    await horde.generate_sync("Hi", params=PARAMS, on_progress=record)
    assert seen[-1] is True


async def test_polling_is_never_faster_than_once_a_second(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=6.0)
    await horde.generate_sync("Hi", params=PARAMS, poll_min=0.1, poll_max=0.2)
    assert clock.sleeps
    assert min(clock.sleeps) >= 1.0


async def test_polling_waits_longer_when_the_wait_is_long(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=60.0)
    await horde.generate_sync("Hi", params=PARAMS, poll_min=1.0, poll_max=15.0)
    assert max(clock.sleeps) > 1.0
    assert max(clock.sleeps) <= 15.0


async def test_a_faulted_generation_is_cancelled_and_raised(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0, fail=True)
    with pytest.raises(GenerationFaulted) as info:
        await horde.generate_sync("Hi", params=PARAMS, timeout=600)
    assert deletes(fake_horde) == [polled_path(fake_horde)]
    assert info.value.request_id is not None
    assert info.value.request_id in polled_path(fake_horde)


async def test_a_timeout_cancels_the_request(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    with pytest.raises(GenerationTimeout):
        await horde.generate_sync("Hi", params=PARAMS, timeout=30.0)
    assert deletes(fake_horde) == [polled_path(fake_horde)]
    assert 29.0 <= sum(clock.sleeps) <= 31.0  # the fake's clock also runs in real time


async def test_task_cancellation_cancels_the_request(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    polled = asyncio.Event()

    async def block(check: RequestStatusCheck) -> None:
        polled.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(horde.generate_sync("Hi", params=PARAMS, on_progress=block))
    await polled.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert deletes(fake_horde) == [polled_path(fake_horde)]
    assert fake_horde.get_request(polled_path(fake_horde).rsplit("/", 1)[1]).cancelled


async def test_a_failing_cancel_does_not_hide_the_cancellation(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.inject_fault("DELETE", STATUS, kind="503")
    polled = asyncio.Event()

    async def block(check: RequestStatusCheck) -> None:
        polled.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(horde.generate_sync("Hi", params=PARAMS, on_progress=block))
    await polled.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(deletes(fake_horde)) == 1


async def test_an_expired_request_raises_not_found_without_cancel(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    def expire(check: RequestStatusCheck) -> None:
        fake_horde.clock.advance(25 * 60)

    with pytest.raises(NotFound) as info:
        await horde.generate_sync("Hi", params=PARAMS, timeout=3000, on_progress=expire)
    assert info.value.rc == "RequestNotFound"
    assert deletes(fake_horde) == []


async def test_another_polling_error_cancels_then_propagates(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.inject_fault("GET", STATUS, kind="500")
    with pytest.raises(HordeUnavailable):
        await horde.generate_sync("Hi", params=PARAMS)
    assert deletes(fake_horde) == [polled_path(fake_horde)]


async def test_an_error_in_on_progress_cancels_then_propagates(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    def broken(check: RequestStatusCheck) -> None:
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        await horde.generate_sync("Hi", params=PARAMS, on_progress=broken)
    assert deletes(fake_horde) == [polled_path(fake_horde)]


async def test_a_refused_submit_neither_polls_nor_cancels(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    with pytest.raises(HordeValidationError):
        await horde.generate_sync("", params=PARAMS)
    assert fake_horde.requests == []
