"""The request path's shortcuts (bench §4) give what the longer way gave: quoted segments,
decoded answers, each client's own timeout."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.horde import HordeClient, HordeUnavailable
from bot.horde._transport import segment
from tests.unit.horde.conftest import TinyApp

STATUS = "/api/v2/generate/text/status/"


@given(st.one_of(st.text(), st.integers(), st.sampled_from([".", "..", "~a", "a b", "1.2/24"])))
def test_a_segment_is_what_quote_makes_of_it(value: str | int) -> None:
    assert segment(value) == quote(str(value), safe="")


async def test_ids_reach_the_horde_quoted_only_where_needed(tiny_app: TinyApp) -> None:
    paths: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        paths.append(request.raw_path)
        return web.json_response({"done": False})

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        await client.generate_status("a/b c?d")
        await client.generate_status("0b5f-Id_1.2~x")
    assert paths == [STATUS + "a%2Fb%20c%3Fd", STATUS + "0b5f-Id_1.2~x"]


@pytest.mark.parametrize("charset", ["utf-8", "latin-1", None])
async def test_an_answer_is_read_as_utf8(tiny_app: TinyApp, charset: str | None) -> None:
    # JSON is UTF-8 (RFC 8259); the client no longer reads the charset, so a wrong one
    # (or none) does not garble the text.
    text = "héllo ✓ — 你好"
    body = json.dumps({"done": True, "generations": [{"text": text}]}, ensure_ascii=False)

    async def handler(request: web.Request) -> web.Response:
        content_type = "application/json" + (f"; charset={charset}" if charset else "")
        return web.Response(body=body.encode(), headers={"Content-Type": content_type})

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        status = await client.generate_status("abc")
    assert [g.text for g in status.generations] == [text]


async def test_each_client_keeps_its_own_timeout(tiny_app: TinyApp) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.2)
        return web.json_response({"message": "OK"})

    url = await tiny_app(slow)
    async with (
        HordeClient(base_url=url, retries=0, timeout=0.02) as quick,
        HordeClient(base_url=url, retries=0, timeout=5.0) as patient,
    ):
        with pytest.raises(HordeUnavailable, match="timed out"):
            await quick.heartbeat()
        assert (await patient.heartbeat()).message == "OK"
        with pytest.raises(HordeUnavailable, match="timed out"):
            await quick.heartbeat()
