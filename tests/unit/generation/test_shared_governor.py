"""The submit budget shared by two processes' governors through one PostgreSQL database."""

from __future__ import annotations

import asyncio

from bot.generation.shared_governor import SharedSubmitGovernor
from bot.storage.database import Database

SCALE = 0.1  # a "second" lasts 0.1 s


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


async def grant_times(governor: SharedSubmitGovernor, users: int, per_user: int) -> list[float]:
    """Queue ``per_user`` tickets for each user at once; the loop time of each grant."""
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one(ticket_user: int) -> None:
        ticket = governor.enqueue(ticket_user)
        await ticket.wait()
        times.append(loop.time())
        ticket.answered()  # as if sent and answered at once

    governor.start()
    try:
        await asyncio.gather(*(one(u) for u in range(users) for _ in range(per_user)))
    finally:
        await governor.close()
    return times


async def test_two_governors_on_one_database_share_two_per_second(pg: Database) -> None:
    a, b = (SharedSubmitGovernor(pg, per_second=2, per_minute=90, time_scale=SCALE) for _ in "ab")
    first, second = await asyncio.gather(grant_times(a, 5, 3), grant_times(b, 5, 3))
    assert len(first) + len(second) == 30
    # Together, never more than 2 in a (scaled) second — each alone would allow 2, i.e. 4.
    assert max_in_window(first + second, 1.0 * SCALE) <= 2


async def test_the_minute_budget_is_shared_too(pg: Database) -> None:
    a, b = (SharedSubmitGovernor(pg, per_second=10, per_minute=4, time_scale=SCALE) for _ in "ab")
    loop = asyncio.get_running_loop()
    started = loop.time()
    first, second = await asyncio.gather(grant_times(a, 2, 2), grant_times(b, 2, 2))
    assert max_in_window(first + second, 60 * SCALE) <= 4
    assert loop.time() - started >= 60 * SCALE  # 8 grants at 4 per (scaled) minute
