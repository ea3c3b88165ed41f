"""The ``fake_horde`` pytest fixture: a started FakeHorde, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakes.horde.server import FakeHorde

__all__ = ["fake_horde"]


@pytest_asyncio.fixture
async def fake_horde() -> AsyncIterator[FakeHorde]:
    horde = FakeHorde()
    await horde.start()
    try:
        yield horde
    finally:
        await horde.close()
