"""Every error shape the Horde (or a proxy, or the network) produces, over real HTTP."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from bot.horde import (
    Forbidden,
    HordeClient,
    HordeUnavailable,
    HordeValidationError,
    KudosError,
    MaintenanceMode,
    NotFound,
    RateLimited,
    TooManyPrompts,
)
from tests.fakes.horde import FakeHorde
from tests.unit.horde.conftest import AGENT

STATUS = "/v2/generate/text/status"


async def test_an_html_502_is_unavailable(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("GET", "/v2/status/heartbeat", kind="502")
    with pytest.raises(HordeUnavailable) as info:
        await horde.heartbeat(retries=0)
    assert info.value.status == 502
    assert info.value.rc is None


async def test_a_json_500_is_unavailable(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("GET", "/v2/status/news", kind="500")
    with pytest.raises(HordeUnavailable) as info:
        await horde.news(retries=0)
    assert (info.value.status, info.value.message) == (500, "Internal Server Error")


async def test_a_dropped_connection_is_unavailable(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    # aiohttp itself re-sends a GET once after a dropped connection: drop both.
    fake_horde.inject_fault("GET", "/v2/status/heartbeat", kind="drop", count=2)
    with pytest.raises(HordeUnavailable) as info:
        await horde.heartbeat(retries=0)
    assert info.value.status is None


async def test_a_slow_answer_times_out_as_unavailable(fake_horde: FakeHorde) -> None:
    fake_horde.inject_fault("GET", "/v2/status/heartbeat", kind="slow", delay=5.0)
    async with HordeClient(
        base_url=fake_horde.base_url, client_agent=AGENT, timeout=0.2, retries=0
    ) as client:
        with pytest.raises(HordeUnavailable) as info:
            await client.heartbeat()
    assert "timed out" in str(info.value)


async def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with HordeClient(base_url=f"http://127.0.0.1:{port}/api", retries=0) as client:
        with pytest.raises(HordeUnavailable) as info:
            await client.heartbeat()
    assert "connect" in str(info.value)


async def test_the_rate_limiter_is_rate_limited_with_retry_after(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    fake_horde.inject_fault("GET", "/v2/status/performance", kind="429", retry_after=7)
    with pytest.raises(RateLimited) as info:
        await horde.performance(retries=0)
    assert (info.value.status, info.value.rc, info.value.retry_after) == (429, None, 7.0)


async def test_too_many_prompts_has_its_rc(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.add_user("carol", apikey="carol-key-0123456789", concurrency=1)
    await horde.generate_async("one", params={"max_length": 32}, apikey="carol-key-0123456789")
    fake_horde.clock.advance(2)
    with pytest.raises(TooManyPrompts) as info:
        await horde.generate_async("two", params={"max_length": 32}, apikey="carol-key-0123456789")
    assert info.value.rc == "TooManyPrompts"


async def test_maintenance_is_its_own_error(horde: HordeClient, fake_horde: FakeHorde) -> None:
    fake_horde.maintenance = True
    with pytest.raises(MaintenanceMode) as info:
        await horde.generate_async("hi")
    assert (info.value.status, info.value.rc) == (400, "MaintenanceMode")


async def test_kudos_upfront_is_a_kudos_error(fake_horde: FakeHorde) -> None:
    fake_horde.upfront_kudos_threshold = 100
    async with HordeClient(base_url=fake_horde.base_url, client_agent=AGENT) as anonymous:
        with pytest.raises(KudosError) as info:
            await anonymous.generate_async("hi", params={"max_length": 200})
    assert (info.value.status, info.value.rc) == (403, "KudosUpfront")


async def test_a_server_validation_body_keeps_field_errors(horde: HordeClient) -> None:
    with pytest.raises(HordeValidationError) as info:
        await horde.generate_async("hi", webhook="http:")
    assert info.value.status == 400
    assert "webhook" in info.value.errors


async def test_a_non_moderator_is_forbidden(horde: HordeClient) -> None:
    with pytest.raises(Forbidden) as info:
        await horde.ip_timeouts()
    assert (info.value.status, info.value.rc) == (403, "NotModerator")


async def test_a_non_json_200_is_unavailable(tiny_app) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="<html>captive portal</html>", content_type="text/html")

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        with pytest.raises(HordeUnavailable) as info:
            await client.heartbeat()
    assert info.value.status == 200


async def test_a_json_answer_of_the_wrong_shape_is_unavailable(tiny_app) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"done": {"not": "a bool"}})

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        with pytest.raises(HordeUnavailable):
            await client.generate_status("abc")


async def test_a_404_with_flask_hint_is_trimmed(tiny_app) -> None:
    async def handler(request: web.Request) -> web.Response:
        message = (
            "Request Not Found. You have requested this URI [/api/v2/x] but did you mean "
            "/api/v2/generate/text/status/<string:id> ?"
        )
        return web.json_response({"message": message, "rc": "RequestNotFound"}, status=404)

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        with pytest.raises(NotFound) as info:
            await client.generate_status("abc")
    assert str(info.value) == "Request Not Found. (RequestNotFound, HTTP 404)"


async def test_a_non_json_error_body_maps_on_the_status(tiny_app) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=403, text="Forbidden by proxy")

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        with pytest.raises(Forbidden) as info:
            await client.heartbeat()
    assert info.value.rc is None


async def test_an_http_date_retry_after_is_read_as_seconds(tiny_app) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(
            {"message": "slow down"},
            status=429,
            headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
        )

    async with HordeClient(base_url=await tiny_app(handler), retries=0) as client:
        with pytest.raises(RateLimited) as info:
            await client.heartbeat()
    assert info.value.retry_after == 0.0
