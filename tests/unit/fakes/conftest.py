"""Helpers for the fake servers' own tests: an HTTP session and a small call wrapper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import ALICE_KEY, BOB_KEY, MOD_KEY, Answer


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def horde(fake_horde: FakeHorde) -> FakeHorde:
    """The started fake with rate limits off (tests of the limiter turn them on)."""
    fake_horde.rate_limits = False
    return fake_horde


@pytest.fixture
def alice(horde: FakeHorde) -> User:
    return horde.add_user("alice", apikey=ALICE_KEY, kudos=1000.0)


@pytest.fixture
def bob(horde: FakeHorde) -> User:
    return horde.add_user("bob", apikey=BOB_KEY, kudos=50.0)


@pytest.fixture
def moderator(horde: FakeHorde) -> User:
    return horde.add_user("mod", apikey=MOD_KEY, moderator=True)


@pytest.fixture
def call(http: aiohttp.ClientSession, horde: FakeHorde):
    """``await call("POST", "/v2/...", key=..., json=...)`` → :class:`Answer`."""

    async def _call(
        method: str,
        path: str,
        key: str | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        sent = dict(headers or {})
        if key is not None:
            sent["apikey"] = key
        async with http.request(
            method, horde.base_url + path, json=json, headers=sent, **kwargs
        ) as response:
            text = await response.text()
            body = await response.json() if response.content_type == "application/json" else None
            return Answer(response.status, body, dict(response.headers), text)

    return _call
