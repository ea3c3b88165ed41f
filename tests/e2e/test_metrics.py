"""``/metrics`` of a ``python -m bot`` child moves as a scripted generation runs.

Scraped over HTTP, as Prometheus would; the secret guard checks every scrape for keys and
tokens, and the test checks it for the prompt, member names and ids.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.bot_process import free_port
from tests.e2e.generate_support import MODEL, final, generate, make_world
from tests.e2e.test_startup_faults import child, terminate
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.metrics_text import metric_value
from tests.reliability.secret_guard import SecretGuard

pytestmark = pytest.mark.slow

PROMPT = "A lighthouse keeper's secret diary"
POLL = "/v2/generate/text/status/{id}"
EDIT = "/webhooks/{id}/{id}/messages/{id}"


async def scrape(url: str, guard: SecretGuard) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        text = await response.text()
    guard.watch("metrics endpoint", text)
    return text


async def test_metrics_move_as_a_generation_runs_and_never_show_private_data(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde, secret_guard: SecretGuard
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    world = make_world(discord_fake)
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.5)
    worker.paused = True  # held on the Horde until the mid-generation scrape
    # One rate-limited status poll (the client retries after Retry-After) and one 429 on an edit.
    fake_horde.inject_fault("GET", "/v2/generate/text/status", kind="429", retry_after=1)
    discord_fake.fail_next(
        "PATCH",
        "/messages/",
        status=429,
        body={"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
        headers={"X-RateLimit-Scope": "user"},
    )
    async with child(
        discord_fake, fake_horde, tmp_path, METRICS_LISTEN=f"127.0.0.1:{port}"
    ) as proc:
        before = await scrape(url, secret_guard)
        ia = await generate(discord_fake, world.alice, world.channel, PROMPT)
        await ia.wait_for_original(lambda m: "Queued on the AI Horde" in m.content, timeout=20)
        during = await scrape(url, secret_guard)
        worker.paused = False
        await final(ia, timeout=20)
        await asyncio.sleep(0.2)  # the last edit's response reaches the trace
        after = await scrape(url, secret_guard)
        code, _ = await terminate(proc)
    assert code == 0, proc.output

    def moved(name: str, **labels: str) -> float:
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    submit = {"method": "POST", "endpoint": "/v2/generate/text/async", "status": "202"}
    assert moved("horde_bot_horde_requests_total", **submit) == 1
    assert moved("horde_bot_horde_requests_total", endpoint=POLL, status="429") == 1
    assert moved("horde_bot_horde_errors_total", endpoint=POLL, status="429", rc="none") == 1
    assert moved("horde_bot_horde_requests_total", endpoint=POLL, status="200") >= 1
    assert moved("horde_bot_horde_request_seconds_count", endpoint=POLL) >= 2
    assert moved("horde_bot_discord_rate_limited_total", route=EDIT, scope="user") == 1
    assert moved("horde_bot_discord_edits_total", target="interaction") >= 1
    assert metric_value(after, "process_cpu_seconds_total") > 0

    generating = {"kind": "generate"}
    assert metric_value(before, "horde_bot_generations_in_flight", **generating) == 0
    assert metric_value(during, "horde_bot_generations_in_flight", **generating) == 1
    assert metric_value(during, "horde_bot_generations_queued", **generating) == 0
    assert metric_value(after, "horde_bot_generations_in_flight", **generating) == 0
    assert moved("horde_bot_generations_total", state="done", **generating) == 1
    assert moved("horde_bot_submit_wait_seconds_count") == 1
    assert moved("horde_bot_poll_interval_seconds_count") >= 2
    assert metric_value(after, "horde_bot_horde_reachable") == 1

    private = [PROMPT, "lighthouse", fake_horde.base_url]
    for member in (world.alice, world.bob, world.mod):
        private += [member.name, str(member.id)]
    private += [str(world.guild.id), str(world.channel.id), str(ia.id)]
    shown = [word for word in private if word in after or word in before or word in during]
    assert shown == [], shown
