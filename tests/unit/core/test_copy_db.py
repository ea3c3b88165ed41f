"""``python -m bot copy-db``: every table copied both ways, tokens untouched, refusals clean."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.generation import GenerationRequest, JobKind, ReplyAddress
from bot.generation.repository import JobRepository
from bot.secrets import KeyVault
from bot.storage import AccountRepository, BlockedUserRepository, Database, GuildSettingsRepository
from bot.storage.chat import ChatRepository, Persona
from bot.storage.copy_db import CopyRefused, copy_database
from bot.storage.database import load_migrations

ROOT = Path(__file__).resolve().parents[3]
USER = 1100000000000000001  # a 64-bit Discord id
GUILD = 900000000000000009


async def fill(url: str, vault: KeyVault) -> None:
    """A little of everything the bot stores."""
    db = await Database.open(url)
    try:
        await AccountRepository(db, vault).save(USER, "the-real-api-key", 4242, "alice#4242")
        guilds = GuildSettingsRepository(db)
        await guilds.update(GUILD, nsfw_only=True, cooldown_seconds=5, default_model="m/ü")
        await guilds.add_channel(GUILD, 123)
        await BlockedUserRepository(db).block(GUILD, USER + 1, USER, "spam ✉")
        jobs = JobRepository(db, vault)
        request = GenerationRequest(
            prompt="Once upon a time…",
            user_id=USER,
            guild_id=GUILD,
            kind=JobKind.CHAT,
            params={"max_length": 80, "temperature": 0.7},
            reply=ReplyAddress(
                channel_id=7, interaction_token="interaction-token-secret", issued_at=1.5
            ),
            context={"thread_id": 5, "nested": {"ok": True}},
        )
        for _ in range(3):
            await jobs.insert(request, now=1_800_000_000.125)
        chat = ChatRepository(db)
        await chat.save_persona(Persona(GUILD, "Pirate", "Arr."), by_user_id=USER)
        conversation = await chat.create_conversation(
            guild_id=GUILD, thread_id=77, parent_id=1, owner_id=USER,
            persona=Persona(GUILD, "Pirate", "Arr."), model=None, private=True,
        )  # fmt: skip
        await chat.add_turn(conversation.id, role="user", author_name="alice", content="hi")
    finally:
        await db.close()


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as plain tuples in a stable order."""
    db = await Database.open(url, migrate=False)
    try:
        found = {}
        for table in await db.tables():
            columns = ", ".join(f'"{c}"' for c in await db.columns(table))
            rows = await db.fetchall(f"SELECT {columns} FROM {table}")  # noqa: S608
            found[table] = sorted((tuple(row) for row in rows), key=repr)
        return found
    finally:
        await db.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'source' / 'bot.db'}"


@pytest.mark.parametrize("direction", ["sqlite_to_postgres", "postgres_to_sqlite"])
async def test_every_row_of_every_table_arrives_unchanged(
    direction: str, sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    source, target = (sqlite_url, postgres_database)
    if direction == "postgres_to_sqlite":
        source, target = target, source
    await fill(source, vault)

    result = await copy_database(source, target)

    before, after = await snapshot(source), await snapshot(target)
    assert after == before
    assert result.rows == {table: len(rows) for table, rows in before.items()}
    assert result.rows["generations"] == 3
    assert result.version == load_migrations()[-1].version


async def test_copied_keys_decrypt_and_ids_continue(
    sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    await fill(sqlite_url, vault)
    await copy_database(sqlite_url, postgres_database)
    db = await Database.open(postgres_database)
    try:
        account = await AccountRepository(db, vault).get(USER)
        assert account is not None
        assert account.apikey == "the-real-api-key"
        jobs = JobRepository(db, vault)
        record = await jobs.get(3)
        assert record is not None
        assert record.reply.interaction_token == "interaction-token-secret"
        request = GenerationRequest(prompt="p", user_id=1)
        assert await jobs.insert(request, now=1.0) == 4  # the identity moved past the copies
        chat = ChatRepository(db)
        assert await chat.get_persona(GUILD, "PIRATE") == Persona(GUILD, "Pirate", "Arr.")
    finally:
        await db.close()


async def test_a_target_with_rows_is_refused_and_left_alone(
    sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    await fill(sqlite_url, vault)
    target = await Database.open(postgres_database)
    await GuildSettingsRepository(target).add_channel(1, 2)
    await target.close()

    with pytest.raises(CopyRefused, match="not empty"):
        await copy_database(sqlite_url, postgres_database)
    assert (await snapshot(postgres_database))["guild_channels"] == [(1, 2)]
    assert (await snapshot(postgres_database))["accounts"] == []


async def test_a_migrated_but_empty_target_is_accepted(
    sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    await fill(sqlite_url, vault)
    await (await Database.open(postgres_database)).close()  # e.g. the bot started once
    result = await copy_database(sqlite_url, postgres_database)
    assert result.rows["accounts"] == 1


async def test_the_target_gets_the_source_schema_version(
    tmp_path: Path, postgres_database: str
) -> None:
    # An installation that stopped at migration 2 (no chat tables yet).
    source = await Database.open(tmp_path / "v2.db", migrate=False)
    await source.migrate(up_to=2)
    await source.close()

    result = await copy_database(f"sqlite:///{tmp_path / 'v2.db'}", postgres_database)

    target = await Database.open(postgres_database, migrate=False)
    try:
        assert (result.version, await target.user_version()) == (2, 2)
        assert "chat_turns" not in await target.tables()
    finally:
        await target.close()


async def test_a_missing_source_file_is_refused(tmp_path: Path, postgres_database: str) -> None:
    with pytest.raises(CopyRefused, match="does not exist"):
        await copy_database(f"sqlite:///{tmp_path / 'nope.db'}", postgres_database)
    assert not (tmp_path / "nope.db").exists()


async def run_cli(*args: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "copy-db", *args,
        cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


def with_password(url: str, password: str) -> str:
    return url.replace("postgresql://horde@", f"postgresql://horde:{password}@")


async def test_cli_copies_and_never_prints_the_password(
    sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    await fill(sqlite_url, vault)
    target = with_password(postgres_database, "pw-s3cret-d0-not-print")
    code, output = await run_cli(sqlite_url, target)
    assert code == 0, output
    assert output.count("\n") == 1
    assert "copied" in output
    assert "pw-s3cret-d0-not-print" not in output
    assert "gAAAAA" not in output


async def test_cli_refuses_a_non_empty_target_with_one_line(
    sqlite_url: str, postgres_database: str, vault: KeyVault
) -> None:
    await fill(sqlite_url, vault)
    await fill(postgres_database, vault)
    target = with_password(postgres_database, "pw-s3cret-d0-not-print")
    code, output = await run_cli(sqlite_url, target)
    assert code == 1
    assert output.count("\n") == 1, output
    assert "not empty" in output
    assert "Traceback" not in output
    assert "pw-s3cret-d0-not-print" not in output


async def test_cli_without_two_urls_prints_usage() -> None:
    code, output = await run_cli("sqlite:///only-one.db")
    assert code == 2
    assert output.startswith("usage: python -m bot copy-db")
