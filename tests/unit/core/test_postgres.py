"""What only the PostgreSQL backend does: files that never hold a plaintext key, one-line
connection errors without the password, migrations applied once by processes starting together."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg
import pytest

from bot.config import ConfigError
from bot.secrets import KeyVault
from bot.storage import AccountRepository, Database
from bot.storage.database import POSTGRES_MIGRATIONS_DIR, load_migrations
from tests.postgres.server import PostgresServer


def server_files_holding(server: PostgresServer, needle: bytes) -> list[str]:
    """Data files (tables, WAL, …) of the test server whose bytes contain ``needle``."""
    return [
        str(path.relative_to(server.data_dir))
        for path in server.data_dir.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


async def test_the_server_files_hold_only_the_encrypted_key(
    postgres_server: PostgresServer, postgres_database: str, vault: KeyVault
) -> None:
    apikey = secrets.token_urlsafe(16)
    db = await Database.open(postgres_database)
    try:
        await AccountRepository(db, vault).save(1, apikey, 2, "a#2")
        row = await db.fetchone("SELECT apikey_token FROM accounts")
        assert row is not None
        token = str(row[0]).encode()
        await db.execute("CHECKPOINT")  # table pages and WAL on disk (the test user is superuser)
    finally:
        await db.close()
    assert server_files_holding(postgres_server, token) != []
    assert server_files_holding(postgres_server, apikey.encode()) == []


async def test_an_unreachable_server_is_one_line_without_the_password(
    postgres_server: PostgresServer,
) -> None:
    url = f"postgresql://bot:hunter2-secret@127.0.0.1:{postgres_server.port + 1}/bot"
    with pytest.raises(ConfigError) as info:
        await Database.open(url)
    message = str(info.value)
    assert message.startswith("DATABASE_URL: cannot use postgresql://bot@127.0.0.1:")
    assert "hunter2-secret" not in message
    assert "\n" not in message


async def test_a_missing_database_is_a_config_error(postgres_server: PostgresServer) -> None:
    with pytest.raises(ConfigError, match=r"^DATABASE_URL: .*does not exist"):
        await Database.open(postgres_server.url("no_such_database"))


async def test_processes_starting_together_apply_each_migration_once(
    postgres_database: str,
) -> None:
    opened = await asyncio.gather(*(Database.open(postgres_database) for _ in range(4)))
    try:
        versions = {await db.user_version() for db in opened}
        assert versions == {opened[0].latest_version()}
    finally:
        for db in opened:
            await db.close()


async def test_the_version_lives_in_one_row(postgres_database: str) -> None:
    db = await Database.open(postgres_database)
    await db.close()
    conn = await asyncpg.connect(postgres_database)
    try:
        rows = await conn.fetch("SELECT version FROM schema_version")
    finally:
        await conn.close()
    assert [row["version"] for row in rows] == [
        load_migrations(POSTGRES_MIGRATIONS_DIR)[-1].version
    ]


async def test_a_batch_of_writes_commits_all_rows_or_none(postgres_database: str) -> None:
    # run_many sends the batch without a BEGIN of its own: still one transaction.
    pg = await Database.open(postgres_database)
    try:
        await _batch_all_or_none(pg)
    finally:
        await pg.close()


async def _batch_all_or_none(pg: Database) -> None:
    await pg.execute("CREATE TABLE batch_t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
    await pg.execute("INSERT INTO batch_t (id, v) VALUES (1, 0), (2, 0)")
    with pytest.raises(asyncpg.NotNullViolationError):
        await pg.run_many("UPDATE batch_t SET v = ? WHERE id = ?", [(5, 1), (None, 2)])
    rows = await pg.fetchall("SELECT v FROM batch_t ORDER BY id")
    assert [row["v"] for row in rows] == [0, 0]  # the first row's write was rolled back too
    await pg.run_many("UPDATE batch_t SET v = ? WHERE id = ?", [(5, 1), (6, 2)])
    rows = await pg.fetchall("SELECT v FROM batch_t ORDER BY id")
    assert [row["v"] for row in rows] == [5, 6]
