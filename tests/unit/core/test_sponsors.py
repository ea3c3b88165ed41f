"""Sponsor keys at rest: encrypted like members' keys, revoked exactly once, rotated."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from bot.secrets import KeyVault
from bot.storage.database import Database
from bot.storage.sponsors import SponsorRepository

KEY = "sponsor-key-0123456789abcdef"


async def test_the_key_is_stored_encrypted_and_read_only_for_its_guild(
    db: Database, tmp_path: Path
) -> None:
    repo = SponsorRepository(db, KeyVault([Fernet.generate_key().decode()]))
    await repo.save(1, KEY, is_shared_key=False, owner_username="patron#3", set_by=9)
    await db.checkpoint()
    files = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("bot.db*"))
    assert KEY.encode() not in files
    usable = await repo.usable(1)
    assert usable is not None
    assert usable.apikey == KEY
    assert KEY not in repr(usable)
    assert await repo.usable(2) is None


async def test_revoke_happens_once_and_a_new_key_clears_it(db: Database) -> None:
    repo = SponsorRepository(db, KeyVault([Fernet.generate_key().decode()]))
    await repo.save(1, KEY, is_shared_key=True, owner_username="patron#3", set_by=9)
    assert await repo.revoke(1) is True
    assert await repo.revoke(1) is False  # a second job seeing the refusal reports nothing
    assert await repo.usable(1) is None
    info = await repo.info(1)
    assert info is not None
    assert info.revoked_at is not None
    await repo.save(1, KEY + "x", is_shared_key=True, owner_username="patron#3", set_by=9)
    assert await repo.usable(1) is not None


async def test_rotation_moves_sponsor_keys_to_the_first_key(db: Database) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    await SponsorRepository(db, KeyVault([old])).save(
        1, KEY, is_shared_key=False, owner_username="p#1", set_by=9
    )
    assert await SponsorRepository(db, KeyVault([new, old])).rotate_keys() == (1, 0)
    rotated = await SponsorRepository(db, KeyVault([new])).usable(1)
    assert rotated is not None
    assert rotated.apikey == KEY
    assert await SponsorRepository(db, KeyVault([old])).usable(1) is None  # unreadable: skipped
