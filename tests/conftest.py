"""Shared pytest configuration.

Fixtures for the fakes live beside them (``tests/fakes/*/fixtures.py``), those of the test
PostgreSQL server in ``tests/postgres/fixtures.py``; all are registered here so every test
directory can use them.
"""

import gc

import pytest

from tests.fakes.discord.fixtures import *  # noqa: F403
from tests.fakes.horde.fixtures import *  # noqa: F403
from tests.postgres.fixtures import *  # noqa: F403


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything collection created (every test module, the fakes, discord.py) out of the
    garbage collector's reach. A bot process never carries a test suite's heap; without this,
    full collections late in the run pause the one event loop that runs the fakes and the bots
    for a few hundred milliseconds, which the timing tests (submit budgets) would measure as
    the bot's own jitter."""
    gc.freeze()
