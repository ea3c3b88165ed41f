"""The SQLite database: one aiosqlite connection in WAL mode, versioned migrations, 0600 files.

``secure_delete`` zeroes freed content, and :meth:`Database.checkpoint` (TRUNCATE) moves the WAL
into the main file and empties it, so a deleted API key leaves nothing behind in any file.

Migrations are the files ``NNN_name.sql`` in ``bot/storage/migrations/``; each one whose number is
above ``PRAGMA user_version`` runs in its own transaction together with the version bump. A
migration file must not contain BEGIN/COMMIT itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.config import ConfigError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[A-Za-z0-9_]+\.sql$")
_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
)
Params = Sequence[Any]


class MigrationError(Exception):
    """The migrations directory is inconsistent, or a migration failed (and was rolled back)."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every ``NNN_name.sql`` in ``directory``, in version order; duplicate numbers are an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _MIGRATION_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations numbered {version:03d} in {directory}")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


class Database:
    """Owns the connection. Repositories use :attr:`conn` and the helpers below.

    The connection is in autocommit mode: a single statement commits by itself; several
    statements that must commit together go inside ``async with db.transaction():``, which also
    keeps other coroutines' writes out of the transaction.
    """

    def __init__(self, path: Path, conn: aiosqlite.Connection) -> None:
        self._path = path
        self._conn = conn
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, migrations_dir: Path = MIGRATIONS_DIR) -> Database:
        """Open (creating it with mode 0600) the database at ``path`` and migrate it.

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
        db = cls(path, conn)
        try:
            try:
                for pragma in _PRAGMAS:
                    await db.fetchall(pragma)  # fetched to the end: no statement stays active
            except sqlite3.DatabaseError as error:
                raise ConfigError("DATABASE_URL", f"cannot use {path}: {error}") from None
            await db._migrate(load_migrations(migrations_dir))
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
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), one writer at a time."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (committed at once); return the number of rows changed."""
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            rowcount = cursor.rowcount
            await cursor.close()
        return rowcount

    async def run(self, sql: str, params: Params = ()) -> None:
        """Run one write statement (committed at once) in ONE hand-off to SQLite's thread.

        :meth:`execute` needs a second one to read the row count and close the cursor.
        """
        async with self._write_lock:
            await self._conn.execute_fetchall(sql, params)

    async def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one write statement for each of ``rows`` (a batch) in one ``executemany``."""
        async with self._write_lock:
            cursor = await self._conn.executemany(sql, rows)
            await cursor.close()

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT and return its rowid, in one hand-off (the write lock keeps it ours)."""
        async with self._write_lock:
            row = await self._conn.execute_insert(sql, params)
        if row is None:
            raise sqlite3.OperationalError("INSERT returned no rowid")
        return int(row[0])

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
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

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
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
