"""Metrics pieces: path templates, rc parsing, the Horde client's counts over real HTTP, the
endpoint."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.clock import SYSTEM_CLOCK
from bot.config import ConfigError
from bot.errors import BadInput
from bot.horde import HordeClient
from bot.horde.errors import HordeError
from bot.metrics import error_answered, serve_metrics
from bot.metrics.paths import discord_family, discord_route, horde_endpoint
from bot.metrics.record import rc_of
from tests.fakes.horde import FakeHorde
from tests.metrics_text import metric_value, scrape_registry


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/api/v2/generate/text/status/6f1c-uuid", "/v2/generate/text/status/{id}"),
        ("/api/v2/generate/text/async", "/v2/generate/text/async"),
        ("/api/v2/workers/name/alice's worker", "/v2/workers/name/{id}"),
        ("/api/v2/users/1234", "/v2/users/{id}"),
        ("/Haidra-Org/AI-Horde-text-model-reference/main/db.json", "other"),
    ],
)
def test_horde_endpoints_are_templates(path: str, endpoint: str) -> None:
    assert horde_endpoint(path) == endpoint


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/api/v10/channels/123/messages/456", "/channels/{id}/messages/{id}"),
        (
            "/api/v10/webhooks/99/aW50ZXJhY3Rpb246MTIzOnNlY3JldA/messages/@original",
            "/webhooks/{id}/{id}/messages/@original",
        ),
        ("/api/v10/interactions/1/tok-en.secret/callback", "/interactions/{id}/{id}/callback"),
        ("/api/v10/users/@me", "/users/@me"),
    ],
)
def test_discord_routes_hide_ids_and_tokens(path: str, route: str) -> None:
    assert discord_route(path) == route


@pytest.mark.parametrize(
    ("route", "family"),
    [
        ("/webhooks/{id}/{id}/messages/@original", "webhooks"),
        ("/interactions/{id}/{id}/callback", "interactions"),
        ("/channels/{id}/messages", "channels"),
        ("/users/@me", "other"),
        ("/{id}", "other"),
    ],
)
def test_discord_latency_is_kept_per_route_family(route: str, family: str) -> None:
    assert discord_family(route) == family


@pytest.mark.parametrize(
    ("body", "rc"),
    [
        (b'{"message": "x", "rc": "KudosUpfront"}', "KudosUpfront"),
        (b'{"message": "2 per 1 second"}', "none"),
        (b"<html>502</html>", "none"),
        (b'{"rc": "has spaces and a key 0123456789"}', "other"),
    ],
)
def test_rc_of_an_error_body(body: bytes, rc: str) -> None:
    assert rc_of(body) == rc


async def test_the_horde_client_counts_status_rc_and_latency_of_its_requests(
    fake_horde: FakeHorde,
) -> None:
    endpoint = "/v2/generate/text/status/{id}"
    before = scrape_registry()
    async with (
        aiohttp.ClientSession() as session,  # a plain session: the client counts, no trace
        HordeClient(
            base_url=fake_horde.base_url,
            client_agent="metrics-test:1:none",
            session=session,
            clock=SYSTEM_CLOCK,
        ) as horde,
    ):
        with pytest.raises(HordeError) as caught:
            await horde.generate_status("00000000-0000-0000-0000-000000000000")
    after = scrape_registry()
    rc = caught.value.rc
    assert rc  # the fake answers an unknown id with a 404 and an rc
    labels = {"endpoint": endpoint, "status": "404"}
    total = "horde_bot_horde_requests_total"
    assert metric_value(after, total, **labels) == metric_value(before, total, **labels) + 1
    errors = "horde_bot_horde_errors_total"
    assert (
        metric_value(after, errors, rc=rc, **labels)
        == metric_value(before, errors, rc=rc, **labels) + 1
    )
    count = "horde_bot_horde_request_seconds_count"
    assert (
        metric_value(after, count, endpoint=endpoint)
        == metric_value(before, count, endpoint=endpoint) + 1
    )
    assert "00000000-0000" not in after


async def test_a_horde_request_without_an_answer_is_counted_by_why() -> None:
    with socket.socket() as sock:  # a port nothing listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    name = "horde_bot_horde_requests_total"
    labels = {"endpoint": "/v2/generate/text/status/{id}", "status": "unreachable"}
    before = metric_value(scrape_registry(), name, **labels)
    async with HordeClient(
        base_url=f"http://127.0.0.1:{port}/api",
        client_agent="metrics-test:1:none",
        clock=SYSTEM_CLOCK,
    ) as horde:
        with pytest.raises(HordeError):
            await horde.generate_status("00000000-0000-0000-0000-000000000000", retries=0)
    assert metric_value(scrape_registry(), name, **labels) == before + 1


def test_errors_are_counted_by_class() -> None:
    name = "horde_bot_errors_total"
    before = metric_value(scrape_registry(), name, error_class="BadInput")
    error_answered(BadInput("no"))
    assert metric_value(scrape_registry(), name, error_class="BadInput") == before + 1


async def test_the_endpoint_serves_text_format_and_stops_with_the_block() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/metrics"
    async with (
        serve_metrics(("127.0.0.1", port)),
        aiohttp.ClientSession() as session,
        session.get(url) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    assert "horde_bot_build_info" in text
    assert "process_cpu_seconds_total" in text
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.get(url)


async def test_a_port_in_use_is_a_configuration_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ConfigError, match="METRICS_LISTEN"):
            async with serve_metrics(("127.0.0.1", port)):
                pass


def test_engine_gauges_can_be_read_at_scrape_time() -> None:
    from bot.metrics.record import observe_engine

    counts = {"in_flight": 3, "queued": 0}
    observe_engine(
        "test-kind", in_flight=lambda: counts["in_flight"], queued=lambda: counts["queued"]
    )
    assert metric_value(scrape_registry(), "horde_bot_generations_in_flight", kind="test-kind") == 3
    counts.update(in_flight=1, queued=5)
    text = scrape_registry()
    assert metric_value(text, "horde_bot_generations_in_flight", kind="test-kind") == 1
    assert metric_value(text, "horde_bot_generations_queued", kind="test-kind") == 5


async def test_horde_latency_is_kept_per_endpoint_only_on_the_generation_path(
    fake_horde: FakeHorde,
) -> None:
    # Every label set of a histogram is a dozen series per scrape: rare endpoints share "other".
    count = "horde_bot_horde_request_seconds_count"
    before = scrape_registry()
    async with HordeClient(
        base_url=fake_horde.base_url, client_agent="metrics-test:1:none", clock=SYSTEM_CLOCK
    ) as horde:
        await horde.models()
    after = scrape_registry()
    assert (
        metric_value(after, count, endpoint="other")
        == metric_value(before, count, endpoint="other") + 1
    )
    assert "/v2/status/models" not in "".join(
        line for line in after.splitlines() if line.startswith(count)
    )
