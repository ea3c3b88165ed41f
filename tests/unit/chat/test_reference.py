"""The text model reference: parsing db.json, lookups without backend prefix, caching."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.chat.reference import REFRESH_SECONDS, RETRY_SECONDS, ModelReference, parse_reference
from tests.fakes.horde.clock import OffsetClock

FIXTURE = Path(__file__).parent.parent.parent / "data" / "model_reference.json"


class Server:
    """Serves the fixture (or a 500) on 127.0.0.1 and counts requests."""

    def __init__(self) -> None:
        self.hits = 0
        self.failing = False
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.failing:
            return web.Response(status=500)
        return web.Response(text=FIXTURE.read_text(), content_type="text/plain")


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    app = web.Application()
    app.router.add_get("/db.json", srv.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.url = f"http://127.0.0.1:{runner.addresses[0][1]}/db.json"
    try:
        yield srv
    finally:
        await runner.cleanup()


def test_parse_reads_format_and_settings() -> None:
    models = parse_reference(json.loads(FIXTURE.read_text()))
    info = models["test-model"]
    assert info.instruct_format is not None
    assert info.instruct_format.name == "ChatML"
    assert info.settings == {"temperature": 0.7, "min_p": 0.1}


def test_parse_reads_settings_given_as_a_json_string() -> None:
    models = parse_reference(json.loads(FIXTURE.read_text()))
    assert models["alpaca-model"].settings == {"temperature": 0.9, "top_p": 0.9}


def test_prefixed_duplicate_without_format_does_not_hide_the_record() -> None:
    models = parse_reference(json.loads(FIXTURE.read_text()))
    assert models["test-model"].format_name == "ChatML"


def test_parse_ignores_garbage() -> None:
    assert parse_reference([1, 2]) == {}
    assert parse_reference({"x": "not a record"}) == {}


async def test_lookup_ignores_backend_prefix_and_case(server: Server) -> None:
    reference = ModelReference(server.url, clock=OffsetClock())
    try:
        info = await reference.lookup("KoboldCpp/Test-Model")
    finally:
        await reference.close()
    assert info is not None
    assert info.format_name == "ChatML"


async def test_reference_is_cached_until_the_refresh_interval(server: Server) -> None:
    clock = OffsetClock()
    reference = ModelReference(server.url, clock=clock)
    try:
        await reference.lookup("test-model")
        await reference.lookup("alpaca-model")
        clock.advance(REFRESH_SECONDS + 1)
        await reference.lookup("test-model")
    finally:
        await reference.close()
    assert server.hits == 2


async def test_failed_refresh_keeps_the_last_copy_and_waits_before_retrying(
    server: Server,
) -> None:
    clock = OffsetClock()
    reference = ModelReference(server.url, clock=clock)
    try:
        await reference.lookup("test-model")
        server.failing = True
        clock.advance(REFRESH_SECONDS + 1)
        info = await reference.lookup("test-model")
        await reference.lookup("test-model")
        clock.advance(RETRY_SECONDS + 1)
        await reference.lookup("test-model")
    finally:
        await reference.close()
    assert info is not None
    assert info.format_name == "ChatML"
    assert server.hits == 3


async def test_unreachable_reference_means_unknown_models() -> None:
    reference = ModelReference("http://127.0.0.1:9/db.json", clock=OffsetClock())
    try:
        assert await reference.lookup("test-model") is None
    finally:
        await reference.close()
