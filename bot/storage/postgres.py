"""The PostgreSQL backend: an asyncpg pool, ``?`` placeholders renumbered, a version table.

The schema version lives in the one-row table ``schema_version`` (SQLite keeps it in
``PRAGMA user_version``). Migrations run under a session advisory lock, so several processes
starting together on one database apply each migration exactly once.

Deleted secrets: a ``DELETE`` makes the row unreadable to every query at once, but PostgreSQL
does not overwrite it on disk. The old row version stays in the table's data file until VACUUM
(autovacuum) reclaims the space and a later write reuses it, and in the write-ahead log until
the server recycles that segment, and in any WAL archive, replica or backup for as long as
those are kept. Nothing short of ``VACUUM FULL`` (a rewritten table; the old file is unlinked,
not wiped) plus expiring those copies removes it, so :meth:`PostgresDatabase.checkpoint` does
nothing and claims nothing: what protects a deleted API key or interaction token there is that
only its Fernet token was ever stored, useless without ``ENCRYPTION_KEY``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg

from bot.config import ConfigError, PostgresUrl
from bot.storage.database import (
    POSTGRES_MIGRATIONS_DIR,
    Database,
    Migration,
    MigrationError,
    Params,
    Row,
)

__all__ = ["PostgresDatabase", "to_numbered_placeholders"]

log = logging.getLogger(__name__)

# A pooled connection or a bare one: both speak the same API.
_Conn: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"

VERSION_TABLE = "schema_version"
# Any constant will do; processes of this bot on one database agree on it.
_MIGRATION_LOCK = 0x486F726465  # "Horde"
_POOL_SIZE = 10


@functools.lru_cache(maxsize=512)
def to_numbered_placeholders(sql: str) -> str:
    """``?`` → ``$1, $2, …``, leaving quoted strings, quoted names and comments untouched.

    Enough for the repositories' SQL, which uses neither dollar-quoted strings nor the
    ``?``-spelled jsonb operators.
    """
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = sql.find(char, i + 1)
            end = n - 1 if end == -1 else end
            out.append(sql[i : end + 1])
            i = end + 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
            continue
        if char == "?":
            number += 1
            out.append(f"${number}")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _Session:
    """Statements of one transaction on one pooled connection."""

    def __init__(self, conn: _Conn) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        return _rowcount(await self._conn.execute(to_numbered_placeholders(sql), *params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(to_numbered_placeholders(sql), *params)
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(to_numbered_placeholders(sql), *params))


class PostgresDatabase(Database):
    """A pool of asyncpg connections; each call borrows one (a transaction keeps its own)."""

    dialect = "postgresql"
    retryable_errors = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
    statement_errors = (
        asyncpg.exceptions.SyntaxOrAccessError,
        asyncpg.exceptions.DataError,
        asyncpg.exceptions.IntegrityConstraintViolationError,
    )

    def __init__(
        self,
        url: PostgresUrl,
        pool: asyncpg.Pool[Any],
        migrations_dir: Path = POSTGRES_MIGRATIONS_DIR,
    ) -> None:
        self._url = url
        self._pool = pool
        self.migrations_dir = migrations_dir

    @classmethod
    async def connect(
        cls, url: PostgresUrl, *, migrations_dir: Path | None = None
    ) -> PostgresDatabase:
        """Open a pool on ``url``; a server that cannot be reached or refuses the login
        raises :class:`~bot.config.ConfigError` (one line, never the password)."""
        try:
            pool = await asyncpg.create_pool(
                url.dsn, min_size=1, max_size=_POOL_SIZE, reset=_end_open_transaction
            )
        except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            reason = str(error) or type(error).__name__
            for spelling in url.password_spellings():
                reason = reason.replace(spelling, "***")
            raise ConfigError("DATABASE_URL", f"cannot use {url}: {reason}") from None
        return cls(url, pool, migrations_dir or POSTGRES_MIGRATIONS_DIR)

    @property
    def url(self) -> PostgresUrl:
        return self._url

    async def dedicated(self) -> PostgresDatabase:
        """The same database over a connection of its own (a pool of one): its statements
        never wait for one of this pool's connections to come free. Close it when done."""
        pool = await asyncpg.create_pool(
            self._url.dsn, min_size=1, max_size=1, reset=_end_open_transaction
        )
        return PostgresDatabase(self._url, pool, self.migrations_dir)

    async def close(self) -> None:
        await self._pool.close()

    async def user_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await _version(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Session]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _Session(conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        status = await self._pool.execute(to_numbered_placeholders(sql), *params)
        return _rowcount(status)

    async def run(self, sql: str, params: Params = ()) -> None:
        await self._pool.execute(to_numbered_placeholders(sql), *params)

    async def write_returning(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._pool.fetch(to_numbered_placeholders(sql), *params))

    async def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        # One round trip, all rows or none: asyncpg sends every row's statement before one
        # Sync, which PostgreSQL runs as one implicit transaction (atomic since asyncpg 0.22),
        # so a BEGIN and a COMMIT of our own would only add two round trips per batch.
        await self._pool.executemany(to_numbered_placeholders(sql), [tuple(row) for row in rows])

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self._pool.fetchrow(to_numbered_placeholders(sql), *params)
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._pool.fetch(to_numbered_placeholders(sql), *params))

    async def checkpoint(self) -> None:
        """Nothing: PostgreSQL manages its own WAL and free space (see the module docstring)."""

    async def size_bytes(self) -> int:
        """The whole database's size on the server (``pg_database_size``)."""
        row = await self.fetchone("SELECT pg_database_size(current_database())")
        return int(row[0]) if row else 0

    async def integrity_ok(self) -> bool:
        """Whether the server answers a query.

        PostgreSQL has no whole-database check like SQLite's ``integrity_check`` built in; the
        server verifies data pages as it reads them (with checksums, if the cluster has them).
        """
        row = await self.fetchone("SELECT 1")
        return row is not None and row[0] == 1

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> ?"
            " ORDER BY c.oid",
            (VERSION_TABLE,),
        )
        return [str(row[0]) for row in rows]

    async def columns(self, table: str) -> list[str]:
        rows = await self.fetchall(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?)"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (table,),
        )
        return [str(row[0]) for row in rows]

    async def after_bulk_copy(self, table: str) -> None:
        """Move each identity column's sequence to the largest id copied in."""
        identities = await self.fetchall(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?)"
            " AND attidentity <> ''",
            (table,),
        )
        for row in identities:
            column = str(row[0])
            # Names come from the catalog and are quoted; no input reaches this SQL.
            largest = f"SELECT max({_quote(column)}) AS max_id FROM {_quote(table)}"  # noqa: S608
            setval = "setval(pg_get_serial_sequence(quote_ident(?), ?), max_id)"
            sql = f"SELECT {setval} FROM ({largest}) AS m WHERE max_id IS NOT NULL"  # noqa: S608
            await self.fetchone(sql, (table, column))

    async def _apply_migrations(self, migrations: Sequence[Migration]) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            try:
                current = await _version(conn)
                for migration in migrations:
                    if migration.version > current:
                        await _apply(conn, migration)
                        current = migration.version
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


async def _end_open_transaction(conn: _Conn) -> None:
    """What a connection needs before it goes back to the pool: no transaction left open.

    asyncpg's default reset also runs ``RESET ALL; UNLISTEN *; CLOSE ALL;
    pg_advisory_unlock_all()`` on every release, one more round trip per statement here. The
    bot leaves none of that session state on pooled connections (settings are never changed,
    the migration lock is released explicitly, and LISTEN needs a connection of its own).
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _version(conn: _Conn) -> int:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", VERSION_TABLE)
    if not exists:
        return 0
    value = await conn.fetchval(f"SELECT version FROM {VERSION_TABLE}")  # noqa: S608
    return int(value or 0)


async def _apply(conn: _Conn, migration: Migration) -> None:
    try:
        async with conn.transaction():
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
                " only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),"
                " version INTEGER NOT NULL)"
            )
            await conn.execute(migration.sql)
            await conn.execute(
                f"INSERT INTO {VERSION_TABLE} (version) VALUES ($1)"  # noqa: S608
                " ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
                migration.version,
            )
    except asyncpg.PostgresError as error:
        raise MigrationError(f"migration {migration.name} failed: {error}") from error
    log.info("Applied database migration %s", migration.name)
