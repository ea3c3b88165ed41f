"""``python -m bot copy-db SRC_URL DST_URL``: move an installation to another database.

Every table is copied row for row, in one transaction on the target: encrypted API keys and
interaction tokens stay the Fernet tokens they are (the target needs the same
``ENCRYPTION_KEY``), ids keep their values and the target's id generators move past them.

Checks, each refusing with one line and a non-zero exit before anything is written:

- the source must carry the bot's schema at a version this code knows (not newer);
- the target must be empty (no rows in any table) and not at a newer schema version;
- the target is migrated to exactly the source's version, so both have the same tables and
  columns (the bot migrates the target further when it next starts).

URLs are shown without their password. Stop the bot while copying: rows written meanwhile
would not be copied.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, PostgresUrl, parse_database_url
from bot.storage.database import Database, MigrationError, Row, Session
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SQLiteDatabase

__all__ = ["CopyRefused", "CopyResult", "copy_database", "main"]

USAGE = "usage: python -m bot copy-db SRC_URL DST_URL  (sqlite:///… or postgresql://…)"
EXIT_REFUSED = 1
EXIT_USAGE = 2
_MAX_PARAMS_PER_INSERT = 900  # below SQLite's oldest limit of 999 bound parameters
# What either backend may raise mid-copy. Only the message is shown: never a row's values.
_DATABASE_ERRORS = (
    MigrationError,
    *SQLiteDatabase.retryable_errors,
    *PostgresDatabase.retryable_errors,
)


class CopyRefused(Exception):  # noqa: N818 - a refusal, not an error of the program
    """The copy cannot go ahead; ``str()`` is one line for the operator."""


@dataclass(frozen=True)
class CopyResult:
    version: int
    rows: dict[str, int]  # table -> rows copied, in copy order


async def copy_database(source_url: str, target_url: str) -> CopyResult:
    """Copy every table of ``source_url`` into the empty database at ``target_url``."""
    source_location = parse_database_url(source_url)
    if isinstance(source_location, Path) and not source_location.is_file():
        raise CopyRefused(f"the source {source_location} does not exist")
    source = await Database.open(source_location, migrate=False)
    try:
        version = await _source_version(source)
        target = await Database.open(target_url, migrate=False)
        try:
            await _prepare_target(target, version)
            tables = await _matching_tables(source, target)
            rows = await _copy_tables(source, target, tables)
        finally:
            await target.close()
    finally:
        await source.close()
    return CopyResult(version, rows)


async def _source_version(source: Database) -> int:
    version = await source.user_version()
    if version == 0:
        raise CopyRefused("the source holds no bot schema (schema version 0)")
    if version > source.latest_version():
        raise CopyRefused(
            f"the source's schema version {version} is newer than this bot's "
            f"({source.latest_version()}): copy with the newer bot"
        )
    return version


async def _prepare_target(target: Database, version: int) -> None:
    current = await target.user_version()
    if current > version:
        raise CopyRefused(
            f"the target's schema version {current} is newer than the source's {version}"
        )
    for table in await target.tables():
        row = await target.fetchone(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608
        if row is not None and row[0]:
            raise CopyRefused(
                f"the target is not empty (table {table} has {row[0]} rows); "
                "copy-db only fills an empty database"
            )
    await target.migrate(up_to=version)
    if await target.user_version() != version:
        raise CopyRefused(f"the target could not be brought to schema version {version}")


async def _matching_tables(source: Database, target: Database) -> list[tuple[str, list[str]]]:
    """The source's tables in creation order with their columns; the target must match."""
    tables = await source.tables()
    if sorted(tables) != sorted(await target.tables()):
        raise CopyRefused("source and target have different tables at the same schema version")
    matched = []
    for table in tables:
        columns = await source.columns(table)
        if sorted(columns) != sorted(await target.columns(table)):
            raise CopyRefused(f"table {table} has different columns in source and target")
        matched.append((table, columns))
    return matched


async def _copy_tables(
    source: Database, target: Database, tables: Sequence[tuple[str, list[str]]]
) -> dict[str, int]:
    copied: dict[str, int] = {}
    async with target.transaction() as tx:
        for table, columns in tables:
            names = ", ".join(_quote(column) for column in columns)
            rows = await source.fetchall(f"SELECT {names} FROM {_quote(table)}")  # noqa: S608
            await _insert_rows(tx, table, names, len(columns), rows)
            copied[table] = len(rows)
    for table, _ in tables:
        await target.after_bulk_copy(table)
    return copied


async def _insert_rows(
    tx: Session, table: str, names: str, width: int, rows: Sequence[Row]
) -> None:
    """Multi-row INSERTs, as many rows per statement as the parameter limit allows."""
    per_statement = max(1, _MAX_PARAMS_PER_INSERT // width)
    one_row = "(" + ", ".join("?" for _ in range(width)) + ")"
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values = ", ".join(one_row for _ in batch)
        params = [value for row in batch for value in tuple(row)]
        await tx.execute(
            f"INSERT INTO {_quote(table)} ({names}) VALUES {values}",  # noqa: S608
            params,
        )


def _quote(name: str) -> str:
    """A table or column name from the database's own catalog, as a quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def _shown(url: str) -> str:
    """The URL as it may be printed: a PostgreSQL password is left out."""
    try:
        location = parse_database_url(url)
    except ConfigError:
        return "?"
    return str(location) if isinstance(location, PostgresUrl) else f"sqlite:///{location}"


def main(argv: Sequence[str]) -> int:
    """Run the command; print one line; return the exit code."""
    if len(argv) != 2 or any(arg.startswith("-") for arg in argv):
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    source_url, target_url = argv
    try:
        result = asyncio.run(copy_database(source_url, target_url))
    except ConfigError as error:
        print(f"copy-db: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CopyRefused as refusal:
        print(f"copy-db: refused: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    except _DATABASE_ERRORS as error:
        message = str(error).splitlines()[0] if str(error) else ""
        print(
            f"copy-db: failed, the copy was rolled back: {type(error).__name__}: {message}",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    total = sum(result.rows.values())
    print(
        f"copy-db: copied {total} rows in {len(result.rows)} tables from {_shown(source_url)} "
        f"to {_shown(target_url)} (schema version {result.version})"
    )
    return 0
