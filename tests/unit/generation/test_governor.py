"""The submit governor: per-IP limits on the fake Horde's clock, round robin, positions, pauses."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.generation import SubmitGovernor, Ticket
from bot.horde import HordeClient
from tests.fakes.horde import FakeHorde


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


async def _burst(
    governor: SubmitGovernor,
    client: HordeClient,
    fake_horde: FakeHorde,
    users: int,
    per_user: int,
) -> list[int]:
    """Each user queues ``per_user`` submits at once; returns the user ids in grant order.

    The fake's own limiter is off: our windows are scaled down, we check ``submit_times``.
    """
    fake_horde.rate_limits = False
    keys = {
        u: fake_horde.add_user(f"user{u}", apikey=f"user-{u}-key-0123456789").apikey
        for u in range(users)
    }
    order: list[int] = []

    async def one(user: int, ticket: Ticket) -> None:
        await ticket.wait()
        order.append(user)
        await client.generate_async(f"prompt of {user}", apikey=keys[user])
        ticket.answered()  # the holder of a grant says when its answer came back

    tickets = [(u, governor.enqueue(u)) for u in range(users) for _ in range(per_user)]
    governor.start()
    try:
        await asyncio.gather(*(one(u, t) for u, t in tickets))
    finally:
        await governor.close()
    return order


async def test_burst_of_50_from_10_users_never_exceeds_two_per_second(
    fake_horde: FakeHorde, client: HordeClient
) -> None:
    scale = 0.1  # a "second" lasts 0.1 s so the burst takes ~2.5 s
    governor = SubmitGovernor(fake_horde.clock, per_second=2, per_minute=90, time_scale=scale)
    await _burst(governor, client, fake_horde, users=10, per_user=5)
    assert len(fake_horde.submit_times) == 50
    assert _max_in_window(fake_horde.submit_times, 1.0 * scale) <= 2


async def test_burst_never_exceeds_the_per_minute_limit(
    fake_horde: FakeHorde, client: HordeClient
) -> None:
    scale = 0.02  # a "minute" lasts 1.2 s
    governor = SubmitGovernor(fake_horde.clock, per_second=5, per_minute=6, time_scale=scale)
    await _burst(governor, client, fake_horde, users=3, per_user=4)
    assert len(fake_horde.submit_times) == 12
    assert _max_in_window(fake_horde.submit_times, 60.0 * scale) <= 6


async def test_burst_grants_every_user_once_before_anyone_twice(
    fake_horde: FakeHorde, client: HordeClient
) -> None:
    governor = SubmitGovernor(fake_horde.clock, time_scale=0.02)
    order = await _burst(governor, client, fake_horde, users=10, per_user=5)
    assert sorted(order[:10]) == list(range(10))


async def test_a_user_with_one_request_is_not_starved_by_a_backlog() -> None:
    governor = SubmitGovernor(per_second=1, per_minute=1000, time_scale=0.002)
    backlog = [governor.enqueue(1) for _ in range(20)]
    single = governor.enqueue(2)
    granted: list[Ticket] = []

    async def watch(ticket: Ticket) -> None:
        await ticket.wait()
        granted.append(ticket)
        ticket.unused()

    governor.start()
    await asyncio.gather(*(watch(t) for t in [*backlog, single]))
    await governor.close()
    assert granted.index(single) == 1


async def test_positions_follow_round_robin_order() -> None:
    governor = SubmitGovernor()
    a = [governor.enqueue(1) for _ in range(3)]
    b = governor.enqueue(2)
    assert [t.position for t in [a[0], b, a[1], a[2]]] == [1, 2, 3, 4]


async def test_a_waiting_ticket_is_told_when_its_position_changes() -> None:
    governor = SubmitGovernor(per_second=1000, per_minute=1000)
    seen: list[int] = []
    first = governor.enqueue(1)
    second = governor.enqueue(1)
    third = governor.enqueue(2, seen.append)
    assert seen == [2]  # behind user 1's first ticket, ahead of its second
    governor.start()
    await asyncio.gather(first.wait(), second.wait(), third.wait())
    await governor.close()
    assert seen == [2, 1]


async def test_a_cancelled_ticket_leaves_the_queue_and_the_next_moves_up() -> None:
    governor = SubmitGovernor()
    first = governor.enqueue(1)
    second = governor.enqueue(2)
    first.cancel()
    assert governor.queued == 1
    assert second.position == 1


async def test_penalize_pauses_every_submit_for_retry_after() -> None:
    governor = SubmitGovernor(per_second=1000, per_minute=1000)
    loop = asyncio.get_running_loop()
    governor.start()
    governor.penalize(0.3)
    started = loop.time()
    await governor.enqueue(1).wait()
    waited = loop.time() - started
    await governor.close()
    assert waited >= 0.29


async def test_the_first_grant_is_immediate_and_the_next_is_spread_by_the_rate() -> None:
    governor = SubmitGovernor(per_second=2, per_minute=90, slack=0.1)
    loop = asyncio.get_running_loop()
    governor.start()
    started = loop.time()
    first = governor.enqueue(1)
    second = governor.enqueue(2)
    await first.wait()
    first_at = loop.time() - started
    await second.wait()
    second_at = loop.time() - started
    await governor.close()
    assert first_at < 0.2
    # Two a second, spread evenly with 10 % slack: 0.55 s apart rather than a burst.
    assert 0.5 <= second_at - first_at < 0.8


async def test_a_fractional_rate_spaces_grants_by_its_inverse() -> None:
    governor = SubmitGovernor(per_second=4.0 / 3, per_minute=90, time_scale=0.1, slack=0.0)
    loop = asyncio.get_running_loop()
    governor.start()
    tickets = [governor.enqueue(user) for user in range(3)]
    granted = []
    for ticket in tickets:
        await ticket.wait()
        granted.append(loop.time())
        ticket.answered()
    await governor.close()
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    # 4/3 per second on a clock scaled by 0.1: one grant every 0.075 s.
    assert all(gap >= 0.07 for gap in gaps)


async def test_a_burst_of_members_queues_without_walking_the_whole_queue_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 4 000 members with one request each: every one is last in the round robin and nobody
    # else moves, so queueing them is linear (renumbering every ticket per arrival took
    # seconds of CPU, quadratic in the burst). Counted, not timed: the positions looked at.
    looked_at = 0
    set_position = Ticket._set_position

    def counted(ticket: Ticket, position: int | None) -> None:
        nonlocal looked_at
        looked_at += 1
        set_position(ticket, position)

    monkeypatch.setattr(Ticket, "_set_position", counted)
    governor = SubmitGovernor()
    tickets = [governor.enqueue(user) for user in range(4000)]
    assert looked_at <= 2 * len(tickets)  # the whole queue walked per arrival: ~8 million
    assert [t.position for t in tickets[:3]] == [1, 2, 3]
    assert tickets[-1].position == 4000
    second = governor.enqueue(0)  # a member's second request goes behind everyone's first
    assert second.position == 4001
    tickets[0].cancel()  # member 0's second request takes its turn
    assert (second.position, tickets[1].position, tickets[-1].position) == (1, 2, 4000)
