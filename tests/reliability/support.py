"""Shared checks of the reliability suites: every reply final, every stored job settled.

"Settled" is the promise of issue 8: after a scenario no job is lost (each interaction has a
row), none is stuck non-terminal, each result was delivered (its interaction token erased),
and no reply is left on Discord's "thinking…" placeholder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.bot_process import BotProcess
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeInteraction, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde

T = TypeVar("T")

TERMINAL = frozenset({"done", "cancelled", "faulted", "expired", "failed"})


SOAK_DEFAULT = 30


def rounds() -> int:
    """Crash rounds to run: 3, or ``RELIABILITY_SOAK`` (1: 30; N > 1: N)."""
    soak = os.environ.get("RELIABILITY_SOAK", "")
    if not soak or soak == "0":
        return 3
    return int(soak) if soak.isdigit() and int(soak) > 1 else SOAK_DEFAULT


async def login(discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, key: str) -> None:
    """/login through its modal with ``key``."""
    opened = await discord_fake.send_slash("login", {}, user=user, channel=channel)
    await opened.wait_for_response()
    submitted = await discord_fake.submit_modal(opened, {"horde-apikey": key}, user=user)
    await submitted.wait_for_original(lambda m: not m.loading)


async def kill(proc: BotProcess, after: float = 0.0) -> None:
    """SIGKILL ``proc`` after ``after`` seconds and wait for it to be gone."""
    await asyncio.sleep(after)
    proc.send_signal(signal.SIGKILL)
    assert await proc.wait() == -signal.SIGKILL


def expect(condition: bool, message: str) -> None:
    """Fail the test with ``message`` and no traceback.

    pytest 9 on CPython 3.11.7 can crash (SystemError in ``ast.parse``) while rendering the
    traceback of a failure raised after the bot ran; a failure without one is always safe.
    """
    if not condition:
        pytest.fail(message, pytrace=False)


def db_path(data_dir: Path) -> Path:
    return data_dir / "bot.db"


def job_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every row of ``generations``, read through a separate read-only connection."""
    uri = f"file:{db_path(data_dir)}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT id, state, horde_id, interaction_token, delivered_at, error_kind "
            "FROM generations ORDER BY id"
        ).fetchall()
    return [dict(row) for row in rows]


def integrity(data_dir: Path) -> str:
    with contextlib.closing(sqlite3.connect(db_path(data_dir), timeout=5)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def assert_jobs_settled(data_dir: Path, count: int, states: Iterable[str] = ("done",)) -> None:
    """``count`` jobs stored, each in one of ``states``, delivered, its token erased."""
    assert_rows_settled(job_rows(data_dir), count, states)


def assert_rows_settled(
    rows: list[dict[str, Any]], count: int, states: Iterable[str] = ("done",)
) -> None:
    """:func:`assert_jobs_settled` on rows read from any backend."""
    allowed = set(states)
    expect(len(rows) == count, f"expected {count} stored jobs, found {len(rows)}")
    stuck = [(r["id"], r["state"]) for r in rows if r["state"] not in allowed]
    expect(not stuck, f"jobs not in {sorted(allowed)}: {stuck}")
    undelivered = [r["id"] for r in rows if r["delivered_at"] is None]
    expect(not undelivered, f"jobs never delivered: {undelivered}")
    kept = [r["id"] for r in rows if r["interaction_token"] is not None]
    expect(not kept, f"interaction tokens kept after delivery: {kept}")


def assert_replies_final(interactions: Iterable[FakeInteraction], word: str = "Done") -> None:
    """Each interaction's reply exists, is not "thinking…" and shows ``word``."""
    for ia in interactions:
        msg = ia.original()
        expect(msg is not None, f"interaction {ia.id} has no reply")
        expect(not msg.loading, f"reply {msg.id} is still thinking")
        expect(word in msg.content, f"reply {msg.id} shows {msg.content[:120]!r}")


def nobody_pinged(message: FakeMessage) -> bool:
    """Whether the message was sent with mentions off (or only the requester's)."""
    mentions = message.allowed_mentions
    if mentions is None:
        return False
    return not mentions.get("parse") and not mentions.get("roles")


async def with_clock_running(
    horde: FakeHorde, awaitable: Awaitable[T], *, step: float = 2.0, every: float = 0.05
) -> T:
    """Await ``awaitable`` while jumping the shared clock forward, so backoffs pass at once."""
    task = asyncio.ensure_future(awaitable)
    while not task.done():
        await asyncio.sleep(every)
        horde.clock.advance(step)
    return task.result()


@contextlib.asynccontextmanager
async def clock_running(
    horde: FakeHorde, *, step: float = 2.0, every: float = 0.05
) -> AsyncIterator[None]:
    """Keep jumping the shared clock forward in the background while the block runs."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(every)
            horde.clock.advance(step)

    ticker = asyncio.create_task(tick())
    try:
        yield
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def unfinished(
    ias: Iterable[FakeInteraction], word: str = "Done", timeout: float = 8.0
) -> list[str | None]:
    """Wait up to ``timeout`` for every reply to show ``word``; the replies that never did.

    Returned rather than raised, so tests assert outside the bot's context managers (pytest 9
    on CPython 3.11.7 can crash rendering a failure raised through them).
    """
    pending = list(ias)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            for ia in pending:
                await ia.wait_for_original(lambda m: word in m.content, timeout=timeout)
    return [_shown(ia) for ia in pending if word not in (_shown(ia) or "")]


def _shown(ia: FakeInteraction) -> str | None:
    msg = ia.original()
    return None if msg is None else msg.content[:100]
