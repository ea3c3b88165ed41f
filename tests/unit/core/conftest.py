"""Fixtures for the core tests: a fresh database and vault in a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.secrets import KeyVault
from bot.storage import Database


@pytest.fixture
def vault() -> KeyVault:
    return KeyVault([Fernet.generate_key().decode()])


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "data" / "bot.db")
    yield database
    await database.close()
