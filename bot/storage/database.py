"""The storage seam: one :class:`Database` contract, two backends, opened from ``DATABASE_URL``.

Repositories write portable SQL and never learn which backend runs it:

- ``?`` placeholders (the PostgreSQL backend renumbers them to ``$1, $2…``);
- ``INSERT … ON CONFLICT (…) DO UPDATE / DO NOTHING`` for upserts, ``RETURNING id`` for new ids
  (both backends speak these; ``INSERT OR …`` and ``lastrowid`` are SQLite-only, so unused);
- rows read by column name (``row["state"]``), or by position;
- booleans stored as 0/1 integers and read back with ``bool()``, times as Unix seconds in
  floating-point columns, JSON as compact text, Fernet tokens as their ASCII text: each
  round-trips to the same Python value, byte for byte, on both backends.

:meth:`Database.open` picks the backend: a :class:`~pathlib.Path` or ``sqlite:///…`` opens
:class:`~bot.storage.sqlite.SQLiteDatabase`, ``postgresql://…`` opens
:class:`~bot.storage.postgres.PostgresDatabase`. Opening migrates the schema.

Migrations are numbered SQL files, one set per backend with the same numbers:
``migrations/NNN_name.sql`` (SQLite) and ``migrations/postgresql/NNN_name.sql``. Separate files
rather than one portable script plus a rewriting pass, because the DDL genuinely differs
(``STRICT``/``WITHOUT ROWID``/``AUTOINCREMENT`` against ``BIGINT``/identity columns and a
case-insensitive ICU collation) and the SQLite files are already applied on installed bots, so
they must stay as they are; a rewriter would be a second, fragile SQL dialect of our own. A test
keeps both sets in step (same numbers, same tables, same columns in the same order). Each
migration whose number is above the stored version runs in one transaction with the version
bump; a migration file must not contain BEGIN/COMMIT itself.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from bot.config import PostgresUrl, parse_database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
POSTGRES_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[A-Za-z0-9_]+\.sql$")
Params = Sequence[Any]

__all__ = [
    "MIGRATIONS_DIR",
    "POSTGRES_MIGRATIONS_DIR",
    "Database",
    "Migration",
    "MigrationError",
    "Params",
    "Row",
    "Session",
    "load_migrations",
]


class MigrationError(Exception):
    """The migrations directory is inconsistent, or a migration failed (and was rolled back)."""


class Row(Protocol):
    """A result row of either backend: ``row["column"]``, ``row[0]``, ``keys()``, ``dict(row)``."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Session(Protocol):
    """What ``async with db.transaction() as tx`` yields: statements inside one transaction."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...


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


class Database(ABC):
    """The contract every repository relies on, whatever the backend.

    A single :meth:`execute` commits by itself; statements that must commit together go inside
    ``async with db.transaction() as tx:`` and run through ``tx``.
    """

    dialect: ClassVar[str]
    #: Errors a write may hit for a while (a locked file, a dropped connection): worth retrying.
    retryable_errors: ClassVar[tuple[type[Exception], ...]]
    #: Errors that mean the statement itself is wrong: retrying cannot help.
    statement_errors: ClassVar[tuple[type[Exception], ...]]

    migrations_dir: Path

    @classmethod
    async def open(
        cls,
        target: str | Path | PostgresUrl,
        *,
        migrations_dir: Path | None = None,
        migrate: bool = True,
    ) -> Database:
        """Open the database at ``target``: a SQLite file path or a ``DATABASE_URL``
        (``sqlite:///…`` or ``postgresql://…``); migrate it to the latest version unless
        ``migrate`` is False (then nothing is written to it).

        A target that cannot be opened raises :class:`~bot.config.ConfigError` naming
        ``DATABASE_URL`` (one line, without the password).
        """
        # Imported here: the backends import this module, and a SQLite bot never loads asyncpg.
        location = parse_database_url(target) if isinstance(target, str) else target
        db: Database
        if isinstance(location, PostgresUrl):
            from bot.storage.postgres import PostgresDatabase

            db = await PostgresDatabase.connect(location, migrations_dir=migrations_dir)
        else:
            from bot.storage.sqlite import SQLiteDatabase

            db = await SQLiteDatabase.connect(location, migrations_dir=migrations_dir)
        if migrate:
            try:
                await db.migrate()
            except BaseException:
                await db.close()
                raise
        return db

    def latest_version(self) -> int:
        """The number of the newest migration this code has for the backend (0: none)."""
        migrations = load_migrations(self.migrations_dir)
        return migrations[-1].version if migrations else 0

    async def migrate(self, up_to: int | None = None) -> None:
        """Apply every migration above :meth:`user_version` (up to ``up_to`` when given), each
        in its own transaction together with the version bump."""
        wanted = [
            migration
            for migration in load_migrations(self.migrations_dir)
            if up_to is None or migration.version <= up_to
        ]
        await self._apply_migrations(wanted)

    @abstractmethod
    async def _apply_migrations(self, migrations: Sequence[Migration]) -> None:
        """Apply those of ``migrations`` above the stored version; MigrationError on failure."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def user_version(self) -> int:
        """The number of the last migration applied."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """Statements that commit together (rolled back on error), one writer at a time."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (committed at once); return the number of rows changed."""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    async def run(self, sql: str, params: Params = ()) -> None:
        """Run one write statement (committed at once) when its row count is not needed.

        On SQLite this is one hand-off to the database thread instead of :meth:`execute`'s two.
        """

    @abstractmethod
    async def write_returning(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one write statement with a ``RETURNING`` clause (committed at once); its rows.

        On SQLite one hand-off to the database thread, where a transaction around
        :meth:`Session.fetchone` takes five.
        """

    @abstractmethod
    async def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one write statement for each of ``rows`` (a batch of independent writes)."""

    @abstractmethod
    async def checkpoint(self) -> None:
        """Called after secrets were deleted: push what the backend can out of its files.

        SQLite moves the WAL into the main file and empties it (``secure_delete`` has zeroed
        the freed pages), so nothing of a deleted row remains. PostgreSQL cannot promise that:
        see :class:`~bot.storage.postgres.PostgresDatabase`.
        """

    @abstractmethod
    async def size_bytes(self) -> int:
        """Bytes the database takes on disk."""

    @abstractmethod
    async def integrity_ok(self) -> bool:
        """Whether the backend's own consistency check passes."""

    @abstractmethod
    async def tables(self) -> list[str]:
        """The application's tables in creation order (a table follows those it references);
        the schema-version bookkeeping is left out."""

    @abstractmethod
    async def columns(self, table: str) -> list[str]:
        """The columns of ``table`` in declaration order."""

    @abstractmethod
    async def after_bulk_copy(self, table: str) -> None:
        """Rows were inserted with their own ids: move the table's id generator past them."""
