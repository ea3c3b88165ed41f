"""Fixtures for running storage tests on both backends.

``backend`` is parametrized over ``sqlite`` and ``postgresql``: a test that asks for
``database_url`` (or a fixture built on it) runs once per backend. A test about one backend's
own behaviour narrows it with ``@sqlite_only`` / ``@postgres_only``.

PostgreSQL is a real server started once per session (:mod:`tests.postgres.server`); each
test gets an empty database in it. If the server cannot start, every PostgreSQL test fails with
the reason; nothing is skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.postgres.server import PostgresServer, PostgresUnavailableError

BACKENDS = ("sqlite", "postgresql")
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
postgres_only = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.start()
    except PostgresUnavailableError as error:
        pytest.fail(f"PostgreSQL test server could not start: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def postgres_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of an empty database (no tables, no schema version) of the test's own.

    Databases are reused: after the test its schema is dropped and recreated, which takes a
    few milliseconds where ``CREATE DATABASE`` takes about 200.
    """
    if postgres_server.spare_databases:
        name = postgres_server.spare_databases.pop()
    else:
        name = f"test_{next(_database_numbers)}"
        await postgres_server.create_database(name)
    yield postgres_server.url(name)
    await _empty(postgres_server.url(name))
    postgres_server.spare_databases.append(name)


async def _empty(url: str) -> None:
    """Drop everything the test created; connections it left open are ended first."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A ``DATABASE_URL`` for a fresh database on the test's backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url
