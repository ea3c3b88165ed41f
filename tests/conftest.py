"""Shared pytest configuration.

Fixtures for the fakes live beside them (``tests/fakes/*/fixtures.py``) and are
registered here so every test directory can use them.
"""

from tests.fakes.discord.fixtures import *  # noqa: F403
from tests.fakes.horde.fixtures import *  # noqa: F403
