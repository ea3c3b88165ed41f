"""Re-encrypting stored secrets under the vault's first key (``ENCRYPTION_KEY=new,old``).

One routine for every table holding Fernet tokens (members' keys, sponsor keys), so they
rotate the same way: rows no key can open are counted and left as they are.
"""

from __future__ import annotations

from bot.secrets import KeyVault, UndecryptableSecret
from bot.storage.database import Database

__all__ = ["rotate_tokens"]


async def rotate_tokens(
    db: Database, vault: KeyVault, *, table: str, id_column: str, cipher_column: str
) -> tuple[int, int]:
    """Re-encrypt ``table.cipher_column``; returns ``(rotated, undecryptable)``.

    Table and column names come from the repositories' own constants, never from input.
    """
    select = f"SELECT {id_column}, {cipher_column} FROM {table}"  # noqa: S608
    update = f"UPDATE {table} SET {cipher_column} = ? WHERE {id_column} = ?"  # noqa: S608
    rows = await db.fetchall(select)
    rotated = undecryptable = 0
    async with db.transaction() as conn:
        for row in rows:
            try:
                token = vault.rotate(row[cipher_column])
            except UndecryptableSecret:
                undecryptable += 1
                continue
            await conn.execute(update, (token, row[id_column]))
            rotated += 1
    if rotated:
        await db.checkpoint()
    return rotated, undecryptable
