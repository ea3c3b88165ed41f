"""Fairness between members across the processes that share one submit budget (PostgreSQL).

Two governors on one database stand for two bot processes. The member served least recently
across both goes first, whichever process holds their requests.
"""

from __future__ import annotations

import asyncio

from bot.generation.governor import Ticket
from bot.generation.shared_governor import SharedSubmitGovernor
from bot.storage.database import Database

SCALE = 0.1  # a "second" lasts 0.1 s


def governor(pg: Database, **options: float) -> SharedSubmitGovernor:
    return SharedSubmitGovernor(pg, per_second=2, per_minute=90, time_scale=SCALE, **options)


async def granted_order(queued: list[tuple[SharedSubmitGovernor, int]]) -> list[int]:
    """Queue every ``(governor, member)`` ticket before any governor starts; the members in
    the order their tickets were granted (each answered at once)."""
    order: list[int] = []
    tickets = [(g.enqueue(user), user) for g, user in queued]

    async def one(ticket: Ticket, user: int) -> None:
        await ticket.wait()
        order.append(user)
        ticket.answered()

    governors = list(dict.fromkeys(g for g, _ in queued))
    for g in governors:
        g.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(one(t, u) for t, u in tickets)), 10)
    finally:
        for g in governors:
            await g.close()
    return order


async def test_one_members_many_requests_wait_for_the_other_process_s_members(
    pg: Database,
) -> None:
    a, b = governor(pg), governor(pg)
    others = [2, 3, 4, 5, 6]
    order = await granted_order([(b, user) for user in others] + [(a, 1)] * 6)
    # Member 1 may get one of the first slots, before process B has said who waits there (or
    # as the first to wait); after that every member of B is served before member 1's next.
    second_of_member_1 = [i for i, user in enumerate(order) if user == 1][1]
    assert set(order[:second_of_member_1]) == {1, *others}, order
    assert order[-5:] == [1] * 5, order


async def test_a_member_waiting_in_both_processes_is_not_served_twice_as_often(
    pg: Database,
) -> None:
    a, b = governor(pg), governor(pg)
    # Member 1 has 4 requests in each process; members 2 and 3 have 4 each in one process.
    order = await granted_order([(a, 1), (b, 1), (a, 2), (b, 3)] * 4)
    # Round robin over three members: in any 3 grants while all wait, each member once
    # (member 1's requests are spread over two processes, still one turn per round).
    first_rounds = order[:9]
    assert all(first_rounds.count(user) == 3 for user in (1, 2, 3)), order


async def test_a_dead_process_s_waiting_members_do_not_block_the_others(pg: Database) -> None:
    # A process killed while member 7 waited in it left its row behind, first in the order.
    await pg.execute(
        "INSERT INTO submit_waiting (process, user_id, waiting, since, seen) "
        "SELECT 'dead', 7, 2, t, t FROM extract(epoch FROM statement_timestamp()) AS t"
    )
    live = governor(pg, waiting_ttl=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    order = await granted_order([(live, 8), (live, 8)])
    assert order == [8, 8]
    assert 0.3 <= loop.time() - started < 3  # it waited for the row to expire, not longer


async def test_a_process_with_nobody_left_waiting_removes_its_rows_at_once(
    pg: Database,
) -> None:
    a = governor(pg, waiting_ttl=60)  # rows that would otherwise count for a minute
    first, second = a.enqueue(1), a.enqueue(2)
    a.start()
    try:
        await first.wait()
        assert 2 in await waiting_members(pg)  # member 2 waits (member 1's row may lag)
        second.cancel()  # member 2 gives up: nobody waits here any more
        for _ in range(100):
            if not await waiting_members(pg):
                break
            await asyncio.sleep(0.01)
        assert await waiting_members(pg) == []
    finally:
        await a.close()


async def waiting_members(pg: Database) -> list[int]:
    rows = await pg.fetchall("SELECT user_id FROM submit_waiting ORDER BY user_id")
    return [int(row["user_id"]) for row in rows]


async def test_between_refreshes_a_served_member_s_row_goes_and_the_others_stay(
    pg: Database,
) -> None:
    # A long refresh interval: after the first full write only changes are written.
    a = governor(pg, waiting_ttl=60)
    tickets = [a.enqueue(1), *(a.enqueue(2) for _ in range(5))]
    a.start()
    try:
        # Member 1 is served by the first or second grant; the reservation of the third
        # writes that they no longer wait (member 2 keeps waiting: no idle clean-up).
        for _ in range(3):
            done, _pending = await asyncio.wait(
                [asyncio.ensure_future(t.wait()) for t in tickets if not t.granted],
                timeout=5,
                return_when=asyncio.FIRST_COMPLETED,
            )
            assert done
            for ticket in tickets:
                if ticket.granted and ticket.usable():
                    ticket.answered()
        assert tickets[0].granted
        assert sum(t.granted for t in tickets) >= 3
        rows = await pg.fetchall("SELECT user_id, waiting FROM submit_waiting ORDER BY user_id")
        assert [r["user_id"] for r in rows] == [2]
        assert 1 <= rows[0]["waiting"] <= 5  # as of the last reservation
    finally:
        await a.close()
