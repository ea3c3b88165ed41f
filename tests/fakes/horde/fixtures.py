"""The ``fake_horde`` pytest fixture: a started FakeHorde, closed after the test; and
``down_fake_horde``: one not started yet, for a Horde that cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakes.horde.server import BASE, FakeHorde

__all__ = ["down_fake_horde", "fake_horde"]


@pytest_asyncio.fixture
async def fake_horde() -> AsyncIterator[FakeHorde]:
    horde = FakeHorde()
    await horde.start()
    try:
        yield horde
    finally:
        await horde.close()


@pytest_asyncio.fixture
async def down_fake_horde() -> AsyncIterator[FakeHorde]:
    """A FakeHorde not started: ``base_url`` names a port of 127.0.0.1 nothing listens on.

    ``await horde.start(port=horde.port)`` brings it up there, so a client built with that
    URL reaches it without being rebuilt.
    """
    horde = FakeHorde()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        horde.port = int(sock.getsockname()[1])
    horde.base_url = f"http://127.0.0.1:{horde.port}{BASE}"
    try:
        yield horde
    finally:
        await horde.close()
