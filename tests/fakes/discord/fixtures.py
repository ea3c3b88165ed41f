"""Pytest fixtures for the fake Discord (registered in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.discord.server import FakeDiscord

__all__ = ["discord_fake"]


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` with discord.py pointed at it; stopped after the test."""
    fake = FakeDiscord(token="fake-discord-token")
    await fake.start()
    try:
        with fake.patch_discord():
            yield fake
    finally:
        await fake.stop()
