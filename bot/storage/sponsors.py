"""Server sponsor keys: one Horde API key or shared key per guild, kept only as a Fernet token.

A sponsor key is read only for its own guild. Once the Horde stops accepting it,
:meth:`SponsorRepository.revoke` marks it (exactly once: the caller reports that to the log
channel) and :meth:`SponsorRepository.usable` no longer returns it until a moderator sets a key
again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import SYSTEM_CLOCK, Clock
from bot.logging_setup import register_secret
from bot.secrets import KeyVault, UndecryptableSecret
from bot.storage.database import Database, Row
from bot.storage.rotation import rotate_tokens

__all__ = ["SponsorInfo", "SponsorKey", "SponsorRepository"]


@dataclass(frozen=True)
class SponsorInfo:
    """What may be shown about a guild's sponsor key (never the key itself)."""

    guild_id: int
    is_shared_key: bool
    owner_username: str  # the Horde account that pays ("alias#id")
    set_by: int  # the moderator's Discord id
    set_at: float
    revoked_at: float | None  # when the Horde stopped accepting it; None while usable


@dataclass(frozen=True)
class SponsorKey:
    """A usable sponsor key; never log or show ``apikey``."""

    info: SponsorInfo
    apikey: str = field(repr=False)


class SponsorRepository:
    """Stores, reads, revokes and forgets sponsor keys. SQL for ``sponsor_keys`` lives here."""

    def __init__(self, db: Database, vault: KeyVault, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._db = db
        self._vault = vault
        self._clock = clock

    async def save(
        self, guild_id: int, apikey: str, *, is_shared_key: bool, owner_username: str, set_by: int
    ) -> None:
        """Store (or replace) the guild's key, encrypted; a new key is usable again."""
        register_secret(apikey)
        await self._db.execute(
            """
            INSERT INTO sponsor_keys (guild_id, apikey_token, is_shared_key, owner_username,
                                      set_by, set_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, NULL)
            ON CONFLICT (guild_id) DO UPDATE SET
                apikey_token = excluded.apikey_token,
                is_shared_key = excluded.is_shared_key,
                owner_username = excluded.owner_username,
                set_by = excluded.set_by,
                set_at = excluded.set_at,
                revoked_at = NULL
            """,
            (
                guild_id,
                self._vault.encrypt(apikey),
                int(is_shared_key),
                owner_username,
                set_by,
                self._clock.time(),
            ),
        )

    async def info(self, guild_id: int) -> SponsorInfo | None:
        """What is known of the guild's sponsor key (revoked or not), or None."""
        row = await self._row(guild_id)
        return None if row is None else _info(row)

    async def usable(self, guild_id: int) -> SponsorKey | None:
        """The guild's key, decrypted, unless none is set, it was revoked or it no longer
        decrypts (the encryption key changed: a moderator must set it again)."""
        row = await self._row(guild_id)
        if row is None or row["revoked_at"] is not None:
            return None
        try:
            apikey = self._vault.decrypt(row["apikey_token"])
        except UndecryptableSecret:
            return None
        register_secret(apikey)
        return SponsorKey(_info(row), apikey)

    async def revoke(self, guild_id: int) -> bool:
        """Mark the key as no longer accepted; True only for the call that marked it."""
        changed = await self._db.execute(
            "UPDATE sponsor_keys SET revoked_at = ? WHERE guild_id = ? AND revoked_at IS NULL",
            (self._clock.time(), guild_id),
        )
        return changed > 0

    async def delete(self, guild_id: int) -> bool:
        """Forget the guild's key (checkpointed, as for members' keys); True if there was one."""
        deleted = await self._db.execute("DELETE FROM sponsor_keys WHERE guild_id = ?", (guild_id,))
        if deleted:
            await self._db.checkpoint()
        return deleted > 0

    async def rotate_keys(self) -> tuple[int, int]:
        """Re-encrypt every sponsor key under the vault's first key: ``(rotated, unreadable)``."""
        return await rotate_tokens(
            self._db,
            self._vault,
            table="sponsor_keys",
            id_column="guild_id",
            cipher_column="apikey_token",
        )

    async def _row(self, guild_id: int) -> Row | None:
        return await self._db.fetchone(
            "SELECT guild_id, apikey_token, is_shared_key, owner_username, set_by, set_at,"
            " revoked_at FROM sponsor_keys WHERE guild_id = ?",
            (guild_id,),
        )


def _info(row: Row) -> SponsorInfo:
    return SponsorInfo(
        guild_id=row["guild_id"],
        is_shared_key=bool(row["is_shared_key"]),
        owner_username=row["owner_username"],
        set_by=row["set_by"],
        set_at=row["set_at"],
        revoked_at=row["revoked_at"],
    )
