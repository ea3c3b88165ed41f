"""Registered Horde accounts: a Discord user's API key, kept only as a Fernet token."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import SYSTEM_CLOCK, Clock
from bot.logging_setup import register_secret
from bot.secrets import KeyVault
from bot.storage.database import Database
from bot.storage.rotation import rotate_tokens


@dataclass(frozen=True)
class AccountProfile:
    """Who a Discord user is on the Horde, without their key (for display or kudos transfers)."""

    discord_user_id: int
    horde_user_id: int
    horde_username: str  # the Horde's "alias#id"


@dataclass(frozen=True)
class StoredAccount:
    """A profile with its decrypted API key; never log or show ``apikey``."""

    discord_user_id: int
    horde_user_id: int
    horde_username: str
    apikey: str = field(repr=False)


class AccountRepository:
    """Stores, reads and forgets API keys. SQL for ``accounts`` lives only here."""

    def __init__(self, db: Database, vault: KeyVault, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._db = db
        self._vault = vault
        self._clock = clock

    async def save(
        self, discord_user_id: int, apikey: str, horde_user_id: int, horde_username: str
    ) -> None:
        """Store (or replace) the user's key, encrypted, with their Horde identity."""
        register_secret(apikey)
        token = self._vault.encrypt(apikey)
        now = self._clock.time()
        await self._db.execute(
            """
            INSERT INTO accounts (discord_user_id, horde_user_id, horde_username, apikey_token,
                                  created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (discord_user_id) DO UPDATE SET
                horde_user_id = excluded.horde_user_id,
                horde_username = excluded.horde_username,
                apikey_token = excluded.apikey_token,
                updated_at = excluded.updated_at
            """,
            (discord_user_id, horde_user_id, horde_username, token, now, now),
        )

    async def get(self, discord_user_id: int) -> StoredAccount | None:
        """The user's account with the key decrypted, or None.

        Raises :class:`UndecryptableSecret` when the stored key no longer decrypts (the
        encryption key changed): the user should ``/login`` again.
        """
        row = await self._db.fetchone(
            "SELECT horde_user_id, horde_username, apikey_token FROM accounts"
            " WHERE discord_user_id = ?",
            (discord_user_id,),
        )
        if row is None:
            return None
        apikey = self._vault.decrypt(row["apikey_token"])
        register_secret(apikey)
        return StoredAccount(discord_user_id, row["horde_user_id"], row["horde_username"], apikey)

    async def profile(self, discord_user_id: int) -> AccountProfile | None:
        """The user's Horde identity without touching the key, or None."""
        row = await self._db.fetchone(
            "SELECT horde_user_id, horde_username FROM accounts WHERE discord_user_id = ?",
            (discord_user_id,),
        )
        if row is None:
            return None
        return AccountProfile(discord_user_id, row["horde_user_id"], row["horde_username"])

    async def delete(self, discord_user_id: int) -> bool:
        """Forget the user's key; True if there was one.

        On SQLite the WAL is checkpointed afterwards so no copy of the row survives in any
        database file (``secure_delete`` has zeroed the freed space in the main file); what
        PostgreSQL keeps is said in :mod:`bot.storage.postgres`.
        """
        deleted = await self._db.execute(
            "DELETE FROM accounts WHERE discord_user_id = ?", (discord_user_id,)
        )
        if deleted:
            await self._db.checkpoint()
        return deleted > 0

    async def count(self) -> int:
        """How many users have registered a key."""
        row = await self._db.fetchone("SELECT count(*) FROM accounts")
        return int(row[0]) if row else 0

    async def rotate_keys(self) -> tuple[int, int]:
        """Re-encrypt every stored key under the vault's first key.

        Returns ``(rotated, undecryptable)``; undecryptable rows are left as they are.
        """
        return await rotate_tokens(
            self._db,
            self._vault,
            table="accounts",
            id_column="discord_user_id",
            cipher_column="apikey_token",
        )
