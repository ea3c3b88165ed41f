"""Fixtures for the core tests: a fresh database (on each backend) and a vault."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from bot.secrets import KeyVault
from bot.storage import Database


@pytest.fixture
def vault() -> KeyVault:
    return KeyVault([Fernet.generate_key().decode()])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.open(database_url)
    yield database
    await database.close()
