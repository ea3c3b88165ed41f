"""The SQLite backend: one aiosqlite connection in WAL mode, 0600 files, ``PRAGMA user_version``.

``secure_delete`` zeroes freed content, and :meth:`SQLiteDatabase.checkpoint` (TRUNCATE) moves
the WAL into the main file and empties it, so a deleted API key leaves nothing behind in any file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import aiosqlite

from bot.config import ConfigError
from bot.storage.database import (
    MIGRATIONS_DIR,
    Database,
    Migration,
    MigrationError,
    Params,
    Row,
)

__all__ = ["SQLiteDatabase"]

log = logging.getLogger(__name__)

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
)


class _Session:
    """Statements of one ``BEGIN IMMEDIATE`` transaction on the shared connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            await cursor.fetchall()  # a RETURNING clause must be read to the end
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            rows: Iterable[sqlite3.Row] = await cursor.fetchall()
        return list(rows)


class SQLiteDatabase(Database):
    """Owns the connection. Repositories use the :class:`Database` methods; :attr:`conn` is
    for SQLite-only tooling (benchmarks' statement tracing).

    The connection is in autocommit mode; :meth:`transaction` (``BEGIN IMMEDIATE``) also keeps
    other coroutines' writes out of the transaction.
    """

    dialect = "sqlite"
    retryable_errors = (sqlite3.DatabaseError,)
    statement_errors = (sqlite3.ProgrammingError, sqlite3.NotSupportedError)

    def __init__(
        self, path: Path, conn: aiosqlite.Connection, migrations_dir: Path = MIGRATIONS_DIR
    ) -> None:
        self._path = path
        self._conn = conn
        self._write_lock = asyncio.Lock()
        self.migrations_dir = migrations_dir

    @classmethod
    async def connect(cls, path: Path, *, migrations_dir: Path | None = None) -> SQLiteDatabase:
        """Open (creating it with mode 0600) the database at ``path``.

        A path that cannot be created or is not a SQLite database raises
        :class:`~bot.config.ConfigError` naming ``DATABASE_URL`` (one line, exit code 2).
        """
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private_file(path)
        except OSError as error:
            raise ConfigError("DATABASE_URL", f"cannot create {path}: {error.strerror}") from None
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        db = cls(path, conn, migrations_dir or MIGRATIONS_DIR)
        try:
            try:
                for pragma in _PRAGMAS:
                    await db.fetchall(pragma)  # fetched to the end: no statement stays active
            except sqlite3.DatabaseError as error:
                raise ConfigError("DATABASE_URL", f"cannot use {path}: {error}") from None
            # Touch the WAL so -wal and -shm exist, then make them private too.
            await db.fetchall("SELECT count(*) FROM sqlite_schema")
            for suffix in ("-wal", "-shm"):
                _chmod_private(Path(f"{path}{suffix}"))
        except BaseException:
            await conn.close()
            raise
        return db

    @property
    def path(self) -> Path:
        return self._path

    @property
    def conn(self) -> aiosqlite.Connection:
        return self._conn

    async def close(self) -> None:
        """Checkpoint the WAL into the main file and close the connection."""
        try:
            try:
                await self.checkpoint()
            except sqlite3.OperationalError:
                # A task cancelled mid-query (shutdown) leaves its cursor alive on aiosqlite's
                # thread until the next call finishes ("database table is locked"); by now it
                # is released, so the second checkpoint goes through.
                await self.checkpoint()
        finally:
            await self._conn.close()

    async def user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Session]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), one writer at a time."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _Session(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            rowcount = cursor.rowcount
            await cursor.close()
        return rowcount

    async def run(self, sql: str, params: Params = ()) -> None:
        async with self._write_lock:
            await self._conn.execute_fetchall(sql, params)

    async def write_returning(self, sql: str, params: Params = ()) -> list[Row]:
        # Under the write lock: on the shared connection a statement run while another
        # coroutine's BEGIN IMMEDIATE is open would join (and roll back with) its transaction.
        async with self._write_lock:
            rows: Iterable[sqlite3.Row] = await self._conn.execute_fetchall(sql, params)
        return list(rows)

    async def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if len(rows) == 1:  # one hand-off instead of two (executemany's cursor is closed apart)
            await self.run(sql, rows[0])
            return
        # One statement for all rows: in autocommit mode each row's statement commits by itself.
        async with self._write_lock:
            cursor = await self._conn.executemany(sql, rows)
            await cursor.close()

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows in one hand-off to SQLite's thread (execute, fetch and close together)."""
        rows: Iterable[sqlite3.Row] = await self._conn.execute_fetchall(sql, params)
        return list(rows)

    async def checkpoint(self) -> None:
        """Copy the WAL into the main file and truncate it to zero bytes."""
        async with self._write_lock:
            row = await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        if row is not None and row[0] != 0:
            log.warning("WAL checkpoint could not complete (database busy)")

    async def size_bytes(self) -> int:
        """Bytes on disk of the database and its WAL."""
        total = 0
        for candidate in (self._path, Path(f"{self._path}-wal")):
            with suppress(FileNotFoundError):
                total += candidate.stat().st_size
        return total

    async def integrity_ok(self) -> bool:
        """Whether ``PRAGMA integrity_check`` finds the database sound."""
        row = await self.fetchone("PRAGMA integrity_check(1)")
        return row is not None and row[0] == "ok"

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_schema WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
        )
        return [str(row[0]) for row in rows]

    async def columns(self, table: str) -> list[str]:
        rows = await self.fetchall("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))
        return [str(row[0]) for row in rows]

    async def after_bulk_copy(self, table: str) -> None:
        """Nothing to do: ``AUTOINCREMENT`` follows the largest id inserted."""

    async def _apply_migrations(self, migrations: Sequence[Migration]) -> None:
        current = await self.user_version()
        for migration in migrations:
            if migration.version <= current:
                continue
            script = (
                f"BEGIN IMMEDIATE;\n{migration.sql}\n;\n"
                f"PRAGMA user_version = {migration.version};\nCOMMIT;"
            )
            try:
                await self._conn.executescript(script)
            except sqlite3.Error as error:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise MigrationError(f"migration {migration.name} failed: {error}") from error
            log.info("Applied database migration %s", migration.name)
            current = migration.version


def _create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists, before SQLite opens it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _chmod_private(path: Path) -> None:
    try:
        path.chmod(0o600)
    except FileNotFoundError:
        pass
    except PermissionError:
        log.warning("Could not make %s private (mode 0600)", path)
