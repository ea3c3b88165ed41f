"""Shared pytest configuration.

Fixtures for the fakes live beside them (``tests/fakes/*/fixtures.py``), those of the test
PostgreSQL server in ``tests/postgres/fixtures.py``; all are registered here so every test
directory can use them.
"""

from tests.fakes.discord.fixtures import *  # noqa: F403
from tests.fakes.horde.fixtures import *  # noqa: F403
from tests.postgres.fixtures import *  # noqa: F403
