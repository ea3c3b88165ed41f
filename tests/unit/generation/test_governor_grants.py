"""How a grant ends: it counts while open, from its answer once answered, not at all when
given back unused, and only until ``hold`` when its holder never says (a killed process)."""

from __future__ import annotations

import asyncio

from bot.generation import SubmitGovernor, Ticket
from bot.generation.shared_governor import SharedSubmitGovernor
from bot.storage.database import Database
from tests.fakes.horde.clock import OffsetClock


async def _granted_within(ticket: Ticket, seconds: float) -> bool:
    """Whether ``ticket`` is granted within ``seconds`` (it keeps its place either way)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not ticket.granted and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    return ticket.granted


async def test_an_open_grant_holds_its_slot_until_its_answer() -> None:
    governor = SubmitGovernor(per_second=1, per_minute=1000, time_scale=0.05)  # 55 ms
    governor.start()
    first = governor.enqueue(1)
    await first.wait()
    second = governor.enqueue(2)
    assert not await _granted_within(second, 0.3)  # many windows later: still held
    first.answered()
    assert await _granted_within(second, 0.5)
    await governor.close()


async def test_a_grant_given_back_unused_frees_its_slot_without_waiting_a_window() -> None:
    governor = SubmitGovernor(per_second=1, per_minute=1000, time_scale=0.5)  # 0.55 s
    loop = asyncio.get_running_loop()
    governor.start()
    first = governor.enqueue(1)
    await first.wait()
    granted = loop.time()
    second = governor.enqueue(2)
    await asyncio.sleep(0.4)
    first.unused()
    await second.wait()
    # Only the even spacing from the first grant (0.55 s); answered, it would be 0.4 + 0.55.
    assert loop.time() - granted < 0.85
    await governor.close()


async def test_a_holder_that_never_answers_stops_counting_after_hold() -> None:
    clock = OffsetClock()
    governor = SubmitGovernor(clock, per_second=1, per_minute=1000, time_scale=0.05, hold=30)
    governor.start()
    await governor.enqueue(1).wait()  # never answered nor given back
    second = governor.enqueue(2)
    assert not await _granted_within(second, 0.3)
    clock.advance(30)
    assert await _granted_within(second, 0.5)
    await governor.close()


async def test_a_grant_is_usable_only_shortly_after_it_was_made() -> None:
    clock = OffsetClock()
    governor = SubmitGovernor(clock, per_second=1000, per_minute=1000, send_within=5)
    governor.start()
    ticket = governor.enqueue(1)
    await ticket.wait()
    assert ticket.usable()
    clock.advance(5)  # the process stalled between the grant and the send
    assert not ticket.usable()
    ticket.answered()
    assert not ticket.usable()  # settled: used up
    await governor.close()


async def test_a_cancelled_waiter_gives_its_grant_back() -> None:
    governor = SubmitGovernor(per_second=1, per_minute=1000, time_scale=0.05)
    governor.start()
    first = governor.enqueue(1)
    await first.wait()
    first.cancel()  # e.g. the job was cancelled before anything was sent
    second = governor.enqueue(2)
    assert await _granted_within(second, 0.3)
    await governor.close()


async def _shared_rows(db: Database) -> list[float]:
    rows = await db.fetchall("SELECT at FROM submit_grants ORDER BY at")
    return [float(r["at"]) for r in rows]


async def _server_now(db: Database) -> float:
    row = await db.fetchone("SELECT extract(epoch FROM clock_timestamp())::float8 AS now")
    assert row is not None
    return float(row["now"])


async def test_a_shared_grant_is_counted_open_then_from_its_answer(pg: Database) -> None:
    governor = SharedSubmitGovernor(pg, per_second=1, per_minute=1000, time_scale=0.05)
    governor.start()
    ticket = governor.enqueue(1)
    await ticket.wait()
    (open_at,) = await _shared_rows(pg)
    assert open_at > await _server_now(pg) + 30  # may still arrive until ``hold``
    ticket.answered()
    await governor.close()  # waits for the row to be settled
    (answered_at,) = await _shared_rows(pg)
    assert answered_at <= await _server_now(pg)


async def test_a_shared_grant_given_back_leaves_no_row(pg: Database) -> None:
    governor = SharedSubmitGovernor(pg, per_second=1, per_minute=1000, time_scale=0.05)
    governor.start()
    ticket = governor.enqueue(1)
    await ticket.wait()
    ticket.unused()
    await governor.close()
    assert await _shared_rows(pg) == []


async def test_a_process_killed_holding_a_grant_blocks_the_slot_only_for_hold(
    pg: Database,
) -> None:
    limits = {"per_second": 1, "per_minute": 1000, "time_scale": 0.05, "hold": 0.6}
    dead, alive = (SharedSubmitGovernor(pg, **limits) for _ in "ab")
    loop = asyncio.get_running_loop()
    dead.start()
    await dead.enqueue(1).wait()
    granted = loop.time()
    await dead.close()  # gone without a word about its grant
    alive.start()
    await alive.enqueue(2).wait()
    assert loop.time() - granted >= 0.55
    await alive.close()


async def test_a_grant_answered_after_close_is_stored_by_closing_again(pg: Database) -> None:
    """Shutdown closes the governor, then waits for the submits on the wire, then closes it
    again (GenerationService.close): their grants must not stay open in the table."""
    governor = SharedSubmitGovernor(pg, per_second=1, per_minute=1000, time_scale=0.05)
    governor.start()
    ticket = governor.enqueue(1)
    await ticket.wait()
    await governor.close()
    ticket.answered()  # the submit on the wire came back during the shutdown
    await governor.close()
    (answered_at,) = await _shared_rows(pg)
    assert answered_at <= await _server_now(pg)
