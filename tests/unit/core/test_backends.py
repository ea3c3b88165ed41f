"""The storage contract, on SQLite and on PostgreSQL: migrations, transactions, portable SQL,
and values that read back exactly as they were written."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.storage.database import (
    MIGRATIONS_DIR,
    POSTGRES_MIGRATIONS_DIR,
    Database,
    MigrationError,
    load_migrations,
)
from bot.storage.postgres import to_numbered_placeholders

BIG = 2**63 - 1  # the largest Discord-sized id either backend must keep


def write_migration(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(sql)


async def open_with(url: str, migrations: Path) -> Database:
    return await Database.open(url, migrations_dir=migrations)


async def tables(db: Database) -> set[str]:
    return set(await db.tables())


def test_both_backends_have_the_same_migration_numbers() -> None:
    sqlite = [m.version for m in load_migrations(MIGRATIONS_DIR)]
    postgres = [m.version for m in load_migrations(POSTGRES_MIGRATIONS_DIR)]
    assert sqlite == postgres
    assert sqlite == list(range(1, len(sqlite) + 1))


async def test_both_backends_have_the_same_tables_and_columns(
    tmp_path: Path, postgres_database: str
) -> None:
    sqlite = await Database.open(tmp_path / "bot.db")
    postgres = await Database.open(postgres_database)
    try:
        assert await sqlite.tables() == await postgres.tables()
        for table in await sqlite.tables():
            assert await sqlite.columns(table) == await postgres.columns(table), table
    finally:
        await sqlite.close()
        await postgres.close()


async def test_every_shipped_migration_is_applied(db: Database) -> None:
    assert await db.user_version() == db.latest_version() == load_migrations()[-1].version
    assert {"accounts", "generations", "chat_turns"} <= await tables(db)


async def test_opening_without_migrating_writes_no_schema(database_url: str) -> None:
    db = await Database.open(database_url, migrate=False)
    try:
        assert (await db.user_version(), await db.tables()) == (0, [])
    finally:
        await db.close()


async def test_reopening_does_not_apply_migrations_again(database_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    write_migration(
        migrations, "001_t.sql", "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"
    )
    for _ in range(2):
        db = await open_with(database_url, migrations)
        rows = await db.fetchall("SELECT x FROM t")
        await db.close()
    assert [row["x"] for row in rows] == [1]


async def test_a_new_migration_is_applied_on_the_next_open(
    database_url: str, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    write_migration(migrations, "001_t.sql", "CREATE TABLE t (x INTEGER);")
    await (await open_with(database_url, migrations)).close()
    write_migration(migrations, "002_u.sql", "CREATE TABLE u (y INTEGER);")
    db = await open_with(database_url, migrations)
    try:
        assert (await db.user_version(), await tables(db)) == (2, {"t", "u"})
    finally:
        await db.close()


async def test_failed_migration_is_rolled_back_with_its_version(
    database_url: str, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    write_migration(migrations, "001_t.sql", "CREATE TABLE t (x INTEGER);")
    write_migration(migrations, "002_bad.sql", "CREATE TABLE u (y INTEGER); SELECT * FROM nope;")
    with pytest.raises(MigrationError, match=r"002_bad\.sql"):
        await open_with(database_url, migrations)
    (migrations / "002_bad.sql").unlink()
    db = await open_with(database_url, migrations)
    try:
        assert (await db.user_version(), await tables(db)) == (1, {"t"})
    finally:
        await db.close()


async def test_migrate_up_to_stops_at_that_version(database_url: str) -> None:
    db = await Database.open(database_url, migrate=False)
    try:
        await db.migrate(up_to=2)
        assert await db.user_version() == 2
        assert "generations" in await tables(db)
        assert "chat_turns" not in await tables(db)
    finally:
        await db.close()


async def insert_then_fail(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO blocked_users VALUES (1, 2, 3, NULL, 0)")
        raise RuntimeError("abort")


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        await insert_then_fail(db)
    assert await db.fetchone("SELECT 1 FROM blocked_users") is None


async def test_a_cancelled_transaction_leaves_nothing_and_the_database_usable(
    db: Database,
) -> None:
    inside = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO blocked_users VALUES (1, 2, 3, NULL, 0)")
            inside.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(writer())
    await inside.wait()
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    assert await db.fetchone("SELECT 1 FROM blocked_users") is None
    for user in (4, 5):  # every pooled connection is clean again
        assert await db.execute("INSERT INTO blocked_users VALUES (1, ?, 3, NULL, 0)", (user,)) == 1
    async with db.transaction() as tx:
        assert await tx.fetchone("SELECT count(*) FROM blocked_users") is not None


async def test_transaction_commits_and_reads_its_own_writes(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO blocked_users VALUES (1, 2, 3, NULL, 0)")
        await tx.execute("INSERT INTO blocked_users VALUES (1, 4, 3, NULL, 0)")
        inside = await tx.fetchall("SELECT user_id FROM blocked_users ORDER BY user_id")
    rows = await db.fetchall("SELECT user_id FROM blocked_users ORDER BY user_id")
    assert [row[0] for row in inside] == [row["user_id"] for row in rows] == [2, 4]


async def test_execute_counts_changed_rows(db: Database) -> None:
    insert = (
        "INSERT INTO guild_channels (guild_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
    )
    assert await db.execute(insert, (1, 10)) == 1
    assert await db.execute(insert, (1, 10)) == 0
    assert await db.execute(insert, (1, 11)) == 1
    assert await db.execute("UPDATE guild_channels SET channel_id = channel_id + 100") == 2
    assert await db.execute("DELETE FROM guild_channels WHERE guild_id = ?", (1,)) == 2


async def test_returning_gives_the_new_ids_in_order(db: Database) -> None:
    sql = (
        "INSERT INTO chat_conversations (thread_id, owner_id, persona_name, system_text,"
        " created_at, updated_at) VALUES (?, 1, 'p', 's', 0, 0) RETURNING id"
    )
    async with db.transaction() as tx:
        first = await tx.fetchone(sql, (1,))
        second = await tx.fetchone(sql, (2,))
    assert first is not None
    assert second is not None
    assert (first["id"], second["id"]) == (1, 2)


async def test_values_read_back_exactly_as_written(db: Database) -> None:
    token = Fernet(Fernet.generate_key()).encrypt(b"an api key").decode("ascii")
    context = json.dumps({"b": 1, "a": [1.5, None, "ü✓"]}, separators=(",", ":"))
    written = (
        BIG, "generate", "pending", -BIG, 0, token, 1, "Prompt with 'quotes', ?, ✓ and \n",
        context, 1_800_000_000.123456, None,
    )  # fmt: skip
    await db.execute(
        "INSERT INTO generations (id, kind, state, user_id, guild_id, interaction_token,"
        " private, prompt, context, created_at, finished_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        written,
    )
    row = await db.fetchone(
        "SELECT id, kind, state, user_id, guild_id, interaction_token, private, prompt, context,"
        " created_at, finished_at FROM generations WHERE id = ?",
        (BIG,),
    )
    assert row is not None
    assert tuple(row) == written
    assert [type(value) for value in row] == [type(value) for value in written]
    assert dict(row)["interaction_token"] == token


async def test_case_insensitive_names_collate_alike(db: Database) -> None:
    insert = (
        "INSERT INTO chat_personas (guild_id, name, system_text, created_by, updated_at)"
        " VALUES (1, ?, 's', 1, 0)"
    )
    for name in ("beta", "Alpha", "gamma"):
        await db.execute(insert, (name,))
    found = await db.fetchone(
        "SELECT name FROM chat_personas WHERE name = ? COLLATE NOCASE", ("ALPHA",)
    )
    ordered = await db.fetchall("SELECT name FROM chat_personas ORDER BY name COLLATE NOCASE")
    assert found is not None
    assert found["name"] == "Alpha"
    assert [row["name"] for row in ordered] == ["Alpha", "beta", "gamma"]


async def test_integrity_and_size(db: Database) -> None:
    assert await db.integrity_ok() is True
    assert await db.size_bytes() > 0


@pytest.mark.parametrize(
    ("portable", "numbered"),
    [
        ("SELECT ? , ?", "SELECT $1 , $2"),
        ("WHERE a = '?' AND b = ?", "WHERE a = '?' AND b = $1"),
        ('WHERE "we?ird" = ? -- why?\n AND c = ?', 'WHERE "we?ird" = $1 -- why?\n AND c = $2'),
        ("VALUES ('it''s', ?)", "VALUES ('it''s', $1)"),
    ],
)
def test_placeholders_are_numbered_outside_quotes_and_comments(
    portable: str, numbered: str
) -> None:
    assert to_numbered_placeholders(portable) == numbered


async def test_migration_4_moves_the_issue_time_out_of_the_context(database_url: str) -> None:
    db = await Database.open(database_url, migrate=False)
    try:
        await db.migrate(up_to=3)
        insert = (
            "INSERT INTO generations (kind, state, user_id, prompt, context, created_at)"
            " VALUES ('generate', 'submitted', 1, 'p', ?, 0)"
        )
        await db.execute(insert, ('{"issued_at":12.5,"thread_id":7}',))
        await db.execute(insert, ('{"thread_id":8}',))
        await db.migrate(up_to=4)
        rows = await db.fetchall("SELECT issued_at, context FROM generations ORDER BY id")
    finally:
        await db.close()
    assert [(row["issued_at"], json.loads(row["context"])) for row in rows] == [
        (12.5, {"thread_id": 7}),
        (None, {"thread_id": 8}),
    ]
