"""The shared poller: adaptive schedule, 429 back-off, expiry, faults, outages, one task."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.generation.poller import Poller, PollEvent, PollOutcome
from bot.horde import HordeClient, RequestStatusKobold
from tests.fakes.horde import FakeHorde
from tests.unit.generation.conftest import MIN_INTERVAL, POLL_MAX, POLL_MIN

STATUS = "/v2/generate/text/status"


class Sink:
    def __init__(self) -> None:
        self.events: list[PollEvent] = []
        self._changed = asyncio.Event()

    async def __call__(self, event: PollEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def final(self, key: int) -> PollEvent | None:
        for event in self.events:
            if event.key == key and (
                event.outcome is not PollOutcome.STATUS
                or (event.status is not None and (event.status.done or event.status.faulted))
            ):
                return event
        return None

    async def wait_final(self, key: int, timeout: float = 5.0) -> PollEvent:
        async with asyncio.timeout(timeout):
            while (event := self.final(key)) is None:
                self._changed.clear()
                await self._changed.wait()
        return event


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest_asyncio.fixture
async def poller(client: HordeClient, fake_horde: FakeHorde, sink: Sink) -> AsyncIterator[Poller]:
    poller = _make_poller(client, fake_horde, sink, concurrency=3)
    poller.start()
    yield poller
    await poller.close()


def _make_poller(client: HordeClient, fake_horde: FakeHorde, sink: Sink, **options: Any) -> Poller:
    return Poller(
        client,
        fake_horde.clock,
        sink=sink,
        poll_min=POLL_MIN,
        poll_max=POLL_MAX,
        min_interval=MIN_INTERVAL,
        **options,
    )


async def _submit(client: HordeClient, prompt: str = "hello", **params: int) -> str:
    answer = await client.generate_async(prompt, params=params or None)
    assert answer.id is not None
    return answer.id


def _status(**fields: object) -> RequestStatusKobold:
    return RequestStatusKobold.model_validate(fields)


def _poll_times(fake_horde: FakeHorde, horde_id: str) -> list[float]:
    return [r.time for r in fake_horde.requests_to(f"{STATUS}/{horde_id}", "GET")]


async def test_a_finished_request_is_reported_with_its_text(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.1)
    horde_id = await _submit(client, "tell me a story")
    poller.track(1, horde_id)
    event = await sink.wait_final(1)
    assert event.status is not None
    assert [g.text for g in event.status.generations] == ["[w1] reply to: tell me a story"]
    assert not poller.is_tracked(1)


def test_a_request_about_to_finish_is_polled_at_poll_min(poller: Poller) -> None:
    status = _status(processing=1, waiting=0, queue_position=0, wait_time=0)
    assert poller.next_delay(status) == POLL_MIN


def test_a_long_job_in_processing_is_polled_a_few_times_over_its_estimate() -> None:
    poller = Poller(HordeClient(), poll_min=2.0, poll_max=15.0)
    status = _status(processing=1, waiting=0, queue_position=0, wait_time=30)
    assert poller.next_delay(status) == 10.0


def test_a_long_queue_is_polled_at_poll_max(poller: Poller) -> None:
    status = _status(waiting=1, queue_position=40, wait_time=600)
    assert poller.next_delay(status) == POLL_MAX


def test_the_delay_grows_with_wait_time_between_the_bounds() -> None:
    poller = Poller(HordeClient(), poll_min=2.0, poll_max=15.0)
    near = poller.next_delay(_status(waiting=1, queue_position=3, wait_time=20))
    far = poller.next_delay(_status(waiting=1, queue_position=3, wait_time=40))
    assert 2.0 < near < far < 15.0


def test_a_request_near_the_front_is_polled_at_poll_min() -> None:
    poller = Poller(HordeClient(), poll_min=2.0, poll_max=15.0)
    assert poller.next_delay(_status(waiting=1, queue_position=1, wait_time=4)) == 2.0


async def test_a_request_no_worker_can_serve_is_polled_at_poll_max(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller
) -> None:
    horde_id = await _submit(client)
    poller.track(1, horde_id)
    await asyncio.sleep(0.8)
    times = _poll_times(fake_horde, horde_id)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps
    assert min(gaps) >= POLL_MAX * 0.9


async def test_a_rate_limited_poll_waits_for_retry_after(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    horde_id = await _submit(client)
    fake_horde.inject_fault("GET", STATUS, kind="429", count=1, retry_after=1)
    poller.track(1, horde_id)
    await sink.wait_final(1)
    times = _poll_times(fake_horde, horde_id)
    assert times[1] - times[0] >= 0.95


async def test_an_expired_request_is_reported_expired(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    horde_id = await _submit(client)
    poller.track(1, horde_id)
    fake_horde.clock.advance(21 * 60)
    event = await sink.wait_final(1)
    assert event.outcome is PollOutcome.EXPIRED
    assert event.error is not None
    assert event.error.rc == "RequestNotFound"


async def test_a_faulted_request_is_reported_faulted(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    fake_horde.add_worker("bad", seconds_per_job=0.02, fail=True)
    horde_id = await _submit(client)
    poller.track(1, horde_id)
    event = await sink.wait_final(1)
    assert event.status is not None
    assert event.status.faulted


async def test_an_unavailable_horde_is_retried_until_it_recovers(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.05)
    horde_id = await _submit(client)
    fake_horde.inject_fault("GET", STATUS, kind="502", count=3)
    poller.track(1, horde_id)
    event = await sink.wait_final(1)
    assert event.outcome is PollOutcome.STATUS
    assert event.status is not None
    assert event.status.done


async def test_an_outage_longer_than_the_request_lifetime_gives_up(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    horde_id = await _submit(client)
    fault = fake_horde.inject_fault("GET", STATUS, kind="503", count=None)
    poller.track(1, horde_id)
    await asyncio.sleep(0.2)
    assert sink.final(1) is None  # still retrying within the lifetime
    fake_horde.clock.advance(22 * 60)
    event = await sink.wait_final(1)
    fake_horde.faults.remove(fault)
    assert event.outcome is PollOutcome.UNAVAILABLE


async def test_an_id_is_never_polled_faster_than_min_interval(
    fake_horde: FakeHorde, client: HordeClient, sink: Sink
) -> None:
    poller = Poller(
        client, fake_horde.clock, sink=sink, poll_min=0.001, poll_max=0.001, min_interval=0.1
    )
    horde_id = await _submit(client)
    poller.start()
    poller.track(1, horde_id)
    await asyncio.sleep(0.6)
    await poller.close()
    times = _poll_times(fake_horde, horde_id)
    assert len(times) >= 3
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.095


async def test_many_jobs_share_one_scheduler_and_a_fixed_worker_pool(
    fake_horde: FakeHorde, client: HordeClient, poller: Poller, sink: Sink
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=0.01)
    fake_horde.add_worker("w2", seconds_per_job=0.01)
    ids = [await _submit(client, f"prompt {i}") for i in range(30)]
    for key, horde_id in enumerate(ids):
        poller.track(key, horde_id)
    tasks = [t for t in asyncio.all_tasks() if t.get_name().startswith("poller")]
    await asyncio.gather(*(sink.wait_final(key, timeout=10) for key in range(30)))
    assert len(tasks) == 1 + 3
    assert poller.tracked == 0


# --- webhook mode: a slow safety net, and a hint (poke) read at once ---------------------

SAFETY_NET = 600.0


def _webhook_poller(client: HordeClient, fake_horde: FakeHorde, sink: Sink) -> Poller:
    return _make_poller(client, fake_horde, sink, safety_net=SAFETY_NET)


async def _reads(fake_horde: FakeHorde, count: int) -> None:
    async with asyncio.timeout(5):
        while len(fake_horde.requests_to(STATUS, "GET")) < count:
            await asyncio.sleep(0.01)


async def test_webhook_mode_reads_at_the_safety_net_and_at_once_when_poked(
    client: HordeClient, fake_horde: FakeHorde, sink: Sink
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=30.0)
    poller = _webhook_poller(client, fake_horde, sink)
    assert poller.first_delay == SAFETY_NET
    poller.start()
    try:
        poller.track(1, await _submit(client), delay=poller.first_delay)
        await asyncio.sleep(0.2)
        assert fake_horde.requests_to(STATUS, "GET") == []
        fake_horde.clock.advance(30.0)
        poller.poke(1)
        event = await sink.wait_final(1)
        assert event.status is not None
        assert event.status.done
        assert len(fake_horde.requests_to(STATUS, "GET")) == 1
    finally:
        await poller.close()


class PokingSink(Sink):
    """Finishes the job and pokes while the poller still holds a not-done answer: the
    webhook arrived while that read was on the wire."""

    def __init__(self, horde: FakeHorde) -> None:
        super().__init__()
        self.horde = horde
        self.poller: Poller | None = None

    async def __call__(self, event: PollEvent) -> None:
        await super().__call__(event)
        if self.poller is not None and event.status is not None and not event.status.done:
            self.horde.clock.advance(30.0)
            self.poller.poke(event.key)


async def test_a_hint_during_a_read_is_not_lost_to_that_reads_answer(
    client: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.add_worker("w1", seconds_per_job=30.0)
    sink = PokingSink(fake_horde)
    poller = _webhook_poller(client, fake_horde, sink)
    sink.poller = poller
    poller.start()
    try:
        poller.track(1, await _submit(client), delay=0.0)  # one read at once: not done yet
        event = await sink.wait_final(1)
        assert event.status is not None
        assert event.status.done
        assert len(fake_horde.requests_to(STATUS, "GET")) == 2
    finally:
        await poller.close()
