"""Registered API keys: encrypted in every database file, and gone from all of them on delete."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.secrets import KeyVault, UndecryptableSecret
from bot.storage import AccountProfile, AccountRepository, Database, StoredAccount
from tests.postgres.fixtures import sqlite_only

USER = 1100000000000000001


def new_apikey() -> str:
    return secrets.token_urlsafe(16)


def file_bytes(db: Database) -> dict[str, bytes]:
    """The raw bytes of the database, its WAL and its shared-memory index."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db.path}{suffix}")
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


@pytest.fixture
def accounts(db: Database, vault: KeyVault) -> AccountRepository:
    return AccountRepository(db, vault)


async def stored_token(db: Database, user: int) -> str:
    row = await db.fetchone("SELECT apikey_token FROM accounts WHERE discord_user_id = ?", (user,))
    assert row is not None
    return str(row[0])


async def test_saved_account_reads_back_with_its_key(accounts: AccountRepository) -> None:
    apikey = new_apikey()
    await accounts.save(USER, apikey, 4242, "alice#4242")
    assert await accounts.get(USER) == StoredAccount(USER, 4242, "alice#4242", apikey)


async def test_unknown_user_has_no_account(accounts: AccountRepository) -> None:
    assert await accounts.get(USER) is None


async def test_profile_has_identity_without_the_key(accounts: AccountRepository) -> None:
    await accounts.save(USER, new_apikey(), 4242, "alice#4242")
    assert await accounts.profile(USER) == AccountProfile(USER, 4242, "alice#4242")


async def test_second_save_replaces_the_key(accounts: AccountRepository) -> None:
    await accounts.save(USER, new_apikey(), 1, "old#1")
    second = new_apikey()
    await accounts.save(USER, second, 2, "new#2")
    assert await accounts.get(USER) == StoredAccount(USER, 2, "new#2", second)
    assert await accounts.count() == 1


async def test_count_counts_registered_users(accounts: AccountRepository) -> None:
    await accounts.save(1, new_apikey(), 1, "a#1")
    await accounts.save(2, new_apikey(), 2, "b#2")
    assert await accounts.count() == 2


async def test_stored_account_repr_hides_the_key() -> None:
    apikey = new_apikey()
    assert apikey not in repr(StoredAccount(USER, 1, "a#1", apikey))


@sqlite_only  # PostgreSQL's files: test_postgres.py
async def test_database_files_never_hold_the_plaintext_key(
    db: Database, accounts: AccountRepository
) -> None:
    apikey = new_apikey()
    await accounts.save(USER, apikey, 4242, "alice#4242")
    before_checkpoint = file_bytes(db)
    await db.checkpoint()
    after_checkpoint = file_bytes(db)
    assert "bot.db-wal" in before_checkpoint
    for contents in (*before_checkpoint.values(), *after_checkpoint.values()):
        assert apikey.encode() not in contents


async def test_the_key_is_stored_as_a_fernet_token(
    db: Database, accounts: AccountRepository
) -> None:
    await accounts.save(USER, new_apikey(), 4242, "alice#4242")
    assert (await stored_token(db, USER)).startswith("gAAAAA")


@sqlite_only  # PostgreSQL does not wipe deleted rows (see bot/storage/postgres.py)
async def test_delete_leaves_neither_key_nor_token_in_any_file(
    db: Database, accounts: AccountRepository
) -> None:
    apikey = new_apikey()
    await accounts.save(USER, apikey, 4242, "alice#4242")
    token = (await stored_token(db, USER)).encode()
    await db.checkpoint()  # the token now sits in the main file too
    await accounts.save(USER + 1, new_apikey(), 7, "bob#7")  # and a fresh WAL frame holds it
    assert any(token in contents for contents in file_bytes(db).values())
    assert await accounts.delete(USER) is True
    for name, contents in file_bytes(db).items():
        assert token not in contents, name
        assert apikey.encode() not in contents, name
    assert await accounts.get(USER) is None


async def test_delete_without_an_account_returns_false(accounts: AccountRepository) -> None:
    assert await accounts.delete(USER) is False


async def test_key_under_a_lost_encryption_key_is_undecryptable(db: Database) -> None:
    await AccountRepository(db, KeyVault([Fernet.generate_key().decode()])).save(
        USER, new_apikey(), 1, "a#1"
    )
    other = AccountRepository(db, KeyVault([Fernet.generate_key().decode()]))
    with pytest.raises(UndecryptableSecret):
        await other.get(USER)


async def test_profile_works_when_the_key_is_undecryptable(db: Database) -> None:
    await AccountRepository(db, KeyVault([Fernet.generate_key().decode()])).save(
        USER, new_apikey(), 1, "a#1"
    )
    other = AccountRepository(db, KeyVault([Fernet.generate_key().decode()]))
    assert await other.profile(USER) == AccountProfile(USER, 1, "a#1")


async def test_rotate_keys_moves_tokens_to_the_first_key(db: Database) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    apikey = new_apikey()
    await AccountRepository(db, KeyVault([old])).save(USER, apikey, 1, "a#1")
    assert await AccountRepository(db, KeyVault([new, old])).rotate_keys() == (1, 0)
    account = await AccountRepository(db, KeyVault([new])).get(USER)
    assert account is not None
    assert account.apikey == apikey
