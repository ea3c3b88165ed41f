"""Retry policy: idempotent GETs retry with backoff honouring Retry-After; submits never."""

from __future__ import annotations

import socket

import pytest

from bot.horde import HordeClient, HordeUnavailable, RateLimited
from tests.fakes.horde import FakeHorde, OffsetClock
from tests.unit.horde.conftest import AGENT, MODEL
from tests.unit.horde.support import RecordingClock

HEARTBEAT = "/v2/status/heartbeat"


@pytest.mark.parametrize("kind", ["429", "502", "503", "504"])
async def test_a_get_is_retried_after_a_transient_answer(
    kind: str, horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind=kind)
    assert (await horde.heartbeat()).message == "OK"
    assert len(fake_horde.requests_to(HEARTBEAT)) == 2
    assert len(clock.sleeps) == 1


async def test_a_get_is_retried_after_a_dropped_connection(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="drop", count=2)
    assert (await horde.heartbeat()).message == "OK"
    assert len(clock.sleeps) == 1


async def test_a_get_is_retried_after_a_timeout(fake_horde: FakeHorde) -> None:
    clock = RecordingClock(fake_horde.clock)
    fake_horde.inject_fault("GET", HEARTBEAT, kind="slow", delay=5.0)
    async with HordeClient(
        base_url=fake_horde.base_url, client_agent=AGENT, timeout=0.2, clock=clock
    ) as client:
        assert (await client.heartbeat()).message == "OK"
    assert len(clock.sleeps) == 1


async def test_a_500_is_not_retried(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="500")
    with pytest.raises(HordeUnavailable):
        await horde.heartbeat()
    assert len(fake_horde.requests_to(HEARTBEAT)) == 1


async def test_retry_after_is_honoured(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="429", retry_after=7)
    await horde.heartbeat()
    assert 7.0 <= clock.sleeps[0] <= 7.7


async def test_backoff_grows_exponentially_with_jitter(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="502", count=3)
    await horde.heartbeat()
    low_high = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0)]
    assert len(clock.sleeps) == 3
    for slept, (low, high) in zip(clock.sleeps, low_high, strict=True):
        assert low <= slept <= high


async def test_retries_stop_after_the_configured_count(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="503", count=None)
    with pytest.raises(HordeUnavailable) as info:
        await horde.heartbeat()
    assert info.value.status == 503
    assert len(fake_horde.requests_to(HEARTBEAT)) == 4  # 1 + retries=3


async def test_the_per_call_retries_override_the_clients(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="503", count=None)
    with pytest.raises(HordeUnavailable):
        await horde.heartbeat(retries=1)
    assert len(fake_horde.requests_to(HEARTBEAT)) == 2


async def test_zero_retries_sends_once(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="429", count=None)
    with pytest.raises(RateLimited):
        await horde.heartbeat(retries=0)
    assert len(fake_horde.requests_to(HEARTBEAT)) == 1


async def test_a_very_long_retry_after_goes_to_the_caller(
    horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("GET", HEARTBEAT, kind="429", retry_after=3600)
    with pytest.raises(RateLimited) as info:
        await horde.heartbeat()
    assert info.value.retry_after == 3600.0
    assert clock.sleeps == []


@pytest.mark.parametrize("kind", ["429", "502", "503", "drop"])
async def test_a_submit_is_never_retried(
    kind: str, horde: HordeClient, fake_horde: FakeHorde, clock: RecordingClock
) -> None:
    fake_horde.inject_fault("POST", "/v2/generate/text/async", kind=kind)
    with pytest.raises((HordeUnavailable, RateLimited)):
        await horde.generate_async("hi", params={"max_length": 32})
    assert len(fake_horde.requests_to("/v2/generate/text/async")) == 1
    assert clock.sleeps == []


async def test_a_pop_is_never_retried(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("POST", "/v2/generate/text/pop", kind="502")
    with pytest.raises(HordeUnavailable):
        await horde.job_pop("alice-worker", [MODEL])
    assert len(fake_horde.requests_to("/v2/generate/text/pop")) == 1


async def test_a_job_submit_is_never_retried(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("POST", "/v2/generate/text/submit", kind="503")
    with pytest.raises(HordeUnavailable):
        await horde.job_submit("00000000-0000-0000-0000-000000000000", "x")
    assert len(fake_horde.requests_to("/v2/generate/text/submit")) == 1


async def test_a_cancel_is_never_retried(horde: HordeClient, fake_horde: FakeHorde) -> None:
    queued = await horde.generate_async("hi", params={"max_length": 32})
    fake_horde.inject_fault("DELETE", "/v2/generate/text/status", kind="503")
    with pytest.raises(HordeUnavailable):
        await horde.generate_cancel(queued.id)
    assert len(fake_horde.requests_to("/v2/generate/text/status", "DELETE")) == 1


async def test_a_transfer_is_retried_with_the_same_idempotency_key(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    bob = fake_horde.add_user("bob", apikey="bob-key-0123456789", kudos=0.0)
    fake_horde.inject_fault("POST", "/v2/kudos/transfer", kind="502")
    assert await horde.transfer_kudos(bob.username, 3) == 3.0
    keys = {r.headers["Idempotency-Key"] for r in fake_horde.requests_to("/v2/kudos/transfer")}
    assert len(fake_horde.requests_to("/v2/kudos/transfer")) == 2
    assert len(keys) == 1
    assert bob.kudos == 3.0


async def test_a_submit_is_retried_when_the_connection_cannot_be_made() -> None:
    clock = RecordingClock(OffsetClock())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with HordeClient(
        base_url=f"http://127.0.0.1:{port}/api", client_agent=AGENT, retries=2, clock=clock
    ) as client:
        with pytest.raises(HordeUnavailable):
            await client.generate_async("hi")
    assert len(clock.sleeps) == 2
