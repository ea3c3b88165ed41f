"""SQLite refuses writes for a while ("database is locked", a failing write); nothing is lost.

The faults are real SQLite behaviour, caused from outside the bot: a second connection holds
an EXCLUSIVE lock, or installs a trigger that aborts every update of ``generations``. The
bot's own connection is untouched, except that the lock-timeout scenario lowers its
``busy_timeout`` (5 s in production) so "database is locked" is raised within a fast test.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.generate_support import MODEL, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde
from tests.reliability.secret_guard import SecretGuard
from tests.reliability.support import (
    assert_jobs_settled,
    assert_replies_final,
    db_path,
    expect,
    unfinished,
)

WRITING = "worker is writing"
HOLD = 1.5  # real seconds the fault lasts: longer than a worker's job


@contextlib.contextmanager
def exclusive_lock(data_dir: Path) -> Iterator[None]:
    """Another process-like connection holding the database's write lock."""
    conn = sqlite3.connect(db_path(data_dir), timeout=5, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@contextlib.contextmanager
def failing_updates(data_dir: Path) -> Iterator[None]:
    """Every UPDATE of ``generations`` fails (as on a full or failing disk) while active."""
    conn = sqlite3.connect(db_path(data_dir), timeout=5, isolation_level=None)
    try:
        conn.execute(
            "CREATE TRIGGER reliability_fail BEFORE UPDATE ON generations "
            "BEGIN SELECT RAISE(ABORT, 'injected write failure'); END"
        )
        yield
        conn.execute("DROP TRIGGER reliability_fail")
    finally:
        conn.close()


async def start_three(discord_fake: FakeDiscord, horde: FakeHorde) -> list[FakeInteraction]:
    world = make_world(discord_fake)
    for name in ("w1", "w2", "w3"):
        horde.add_worker(name, models=[MODEL], seconds_per_job=1.0)
    members = (world.alice, world.bob, world.carol)
    return [
        await generate(discord_fake, m, world.channel, f"Prompt {i}") for i, m in enumerate(members)
    ]


async def test_lock_shorter_than_the_busy_timeout_is_waited_out(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        with exclusive_lock(tmp_path):
            await asyncio.sleep(HOLD)
        missing = await unfinished(ias)
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_database_is_locked_during_the_final_write_loses_no_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, secret_guard: SecretGuard
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.db.fetchall("PRAGMA busy_timeout = 50")
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        with exclusive_lock(tmp_path):
            await asyncio.sleep(HOLD)
        missing = await unfinished(ias, timeout=4)
    expect("database is locked" in secret_guard.log_text(), "the lock was never hit")
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_failing_writes_during_generation_lose_no_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, secret_guard: SecretGuard
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        with failing_updates(tmp_path):
            await asyncio.sleep(HOLD)
        missing = await unfinished(ias, timeout=4)
    expect("injected write failure" in secret_guard.log_text(), "no write failed")
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)
