"""The SQLite backend: pragmas, private files, versioned migrations, checkpoints.

The contract both backends share (migrations applied once and rolled back on failure,
transactions, integrity) is tested on each backend in ``test_backends.py``.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.storage.database import Database, MigrationError, load_migrations
from bot.storage.sqlite import SQLiteDatabase


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SQLiteDatabase]:
    database = await Database.open(tmp_path / "data" / "bot.db")
    assert isinstance(database, SQLiteDatabase)
    yield database
    await database.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_migration(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(sql)


async def test_database_and_wal_files_are_private(db: Database) -> None:
    for suffix in ("", "-wal", "-shm"):
        assert mode(Path(f"{db.path}{suffix}")) == 0o600


async def test_open_creates_the_parent_directory(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a" / "b" / "bot.db")
    await db.close()
    assert (tmp_path / "a" / "b" / "bot.db").is_file()


async def test_journal_mode_is_wal(db: Database) -> None:
    row = await db.fetchone("PRAGMA journal_mode")
    assert row is not None
    assert row[0] == "wal"


async def test_secure_delete_and_foreign_keys_are_on(db: Database) -> None:
    secure = await db.fetchone("PRAGMA secure_delete")
    foreign = await db.fetchone("PRAGMA foreign_keys")
    assert secure is not None
    assert foreign is not None
    assert (secure[0], foreign[0]) == (1, 1)


async def test_every_shipped_migration_is_applied(db: Database) -> None:
    assert await db.user_version() == load_migrations()[-1].version
    tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_schema")}
    assert {"accounts", "guild_settings", "guild_channels", "blocked_users"} <= tables


def test_duplicate_migration_numbers_are_refused(tmp_path: Path) -> None:
    write_migration(tmp_path, "001_a.sql", "SELECT 1;")
    write_migration(tmp_path, "001_b.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="001"):
        load_migrations(tmp_path)


def test_migrations_are_ordered_and_other_files_ignored(tmp_path: Path) -> None:
    for name in ("010_c.sql", "002_b.sql", "README.md", "1_short.sql"):
        write_migration(tmp_path, name, "SELECT 1;")
    assert [m.name for m in load_migrations(tmp_path)] == ["002_b.sql", "010_c.sql"]


async def test_checkpoint_empties_the_wal(db: Database) -> None:
    await db.execute("INSERT INTO blocked_users VALUES (1, 2, 3, 'spam', 0)")
    assert Path(f"{db.path}-wal").stat().st_size > 0
    await db.checkpoint()
    assert Path(f"{db.path}-wal").stat().st_size == 0


async def test_size_counts_database_and_wal(db: Database) -> None:
    wal = Path(f"{db.path}-wal")
    assert await db.size_bytes() == db.path.stat().st_size + wal.stat().st_size
    assert await db.size_bytes() > 0


async def test_a_file_that_is_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "bot.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError) as info:
        await Database.open(tmp_path / "bot.db")
    assert info.value.variable == "DATABASE_URL"


async def test_run_and_run_many_write_in_single_calls(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "one-call.db")
    try:
        await db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        await db.run("INSERT INTO t (v) VALUES (?)", ("a",))
        await db.run("INSERT INTO t (v) VALUES (?)", ("b",))
        await db.run_many("UPDATE t SET v = ? WHERE id = ?", [("x", 1), ("y", 2)])
        await db.run("DELETE FROM t WHERE id = ?", (3,))
        assert [tuple(r) for r in await db.fetchall("SELECT id, v FROM t ORDER BY id")] == [
            (1, "x"),
            (2, "y"),
        ]
        assert await db.fetchone("SELECT v FROM t WHERE id = 9") is None
    finally:
        await db.close()
