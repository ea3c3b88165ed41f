"""Webhook mode end to end: the fake Horde calls the bot's listener when a generation is done.

The safety-net poll is set far away on the fake clock, so only the webhook call (confirmed by
one status read) can finish the job quickly; forged calls change nothing; a dropped call is
caught by the safety net.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde

JOB_SECONDS = 30.0
STATUS = "/v2/generate/text/status"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _webhook_env(safety_net: float) -> dict[str, str]:
    port = _free_port()
    return {
        "HORDE_WEBHOOK_URL": f"http://127.0.0.1:{port}/horde-hooks/",
        "HORDE_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "HORDE_WEBHOOK_POLL_SECONDS": str(safety_net),
    }


async def _running(fake_horde: FakeHorde, ia: FakeInteraction) -> str:
    """The webhook URL our request was submitted with, once the bot shows it submitted."""
    await ia.wait_for_original(lambda m: "Queued on the AI Horde" in m.content)
    (request,) = fake_horde.text_requests.values()
    assert request.webhook is not None
    return request.webhook


async def _post(url: str, body: object) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status


async def test_a_generation_completes_through_a_webhook_call(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=JOB_SECONDS)
    async with generate_bot(discord_fake, fake_horde, tmp_path, **_webhook_env(600)):
        ia = await generate(discord_fake, world.alice, world.channel, "Once upon a time")
        url = await _running(fake_horde, ia)
        reads_before = len(fake_horde.requests_to(STATUS))
        assert reads_before == 0  # webhook mode: the first read is the safety net, 600 s away
        fake_horde.clock.advance(JOB_SECONDS)  # the job finishes; the safety net is 570 s away
        msg = await final(ia)
    assert "[w1] reply to: Once upon a time" in msg.embeds[0]["description"]
    (call,) = fake_horde.webhooks.calls
    assert call.status == 200
    assert call.tries == 1
    # The call was a hint: exactly one status read confirmed it.
    assert len(fake_horde.requests_to(STATUS)) == reads_before + 1
    token = url.rstrip("/").rpartition("/")[2]
    assert len(token) >= 40
    assert url.startswith("http://127.0.0.1:")
    assert token not in caplog.text  # the path is the job's secret


async def test_forged_and_replayed_calls_change_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=JOB_SECONDS)
    async with generate_bot(discord_fake, fake_horde, tmp_path, **_webhook_env(600)):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        url = await _running(fake_horde, ia)
        (request,) = fake_horde.text_requests.values()
        base = url.rstrip("/").rpartition("/")[0]
        body = {"id": "gen-1", "request": request.id, "text": "forged", "state": "ok"}
        reads = len(fake_horde.requests_to(STATUS))
        versions = len(ia.original().history)  # type: ignore[union-attr]

        assert await _post(f"{base}/not-the-path", body) == 404  # wrong path
        assert await _post(url, {**body, "request": "another-request"}) == 404  # wrong id
        assert await _post(url, ["not", "an", "object"]) == 400
        assert await _post(url, {**body, "text": "x" * 70_000}) == 413  # over 64 KiB
        await asyncio.sleep(0.3)  # time for any (wrong) status read or edit to happen
        assert len(fake_horde.requests_to(STATUS)) == reads
        assert len(ia.original().history) == versions  # type: ignore[union-attr]
        assert "Done" not in ia.original().content  # type: ignore[union-attr]

        fake_horde.clock.advance(JOB_SECONDS)
        msg = await final(ia)
        (call,) = fake_horde.webhooks.calls
        reads = len(fake_horde.requests_to(STATUS))
        assert await _post(url, call.payload) == 404  # a replay of the genuine call
        await asyncio.sleep(0.3)
        assert len(fake_horde.requests_to(STATUS)) == reads
    assert "forged" not in str(msg.embeds)
    assert "[w1] reply to: Hello" in msg.embeds[0]["description"]


async def test_a_dropped_webhook_still_completes_by_the_safety_net_poll(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=JOB_SECONDS)
    fake_horde.webhooks.drop_every = 1  # the Horde's queue is full: every call is dropped
    async with generate_bot(discord_fake, fake_horde, tmp_path, **_webhook_env(60)):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        await _running(fake_horde, ia)
        fake_horde.clock.advance(JOB_SECONDS)
        await asyncio.sleep(0.3)
        assert [c.dropped for c in fake_horde.webhooks.calls] == [True]
        assert "Done" not in ia.original().content  # type: ignore[union-attr]
        fake_horde.clock.advance(60 - JOB_SECONDS + 1)  # the safety-net poll is due
        msg = await final(ia)
    assert "[w1] reply to: Hello" in msg.embeds[0]["description"]


async def test_a_webhook_path_survives_a_restart(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=JOB_SECONDS)
    env = _webhook_env(600)
    async with generate_bot(discord_fake, fake_horde, tmp_path, **env):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        await _running(fake_horde, ia)
    async with generate_bot(discord_fake, fake_horde, tmp_path, **env):
        reads = len(fake_horde.requests_to(STATUS))
        fake_horde.clock.advance(JOB_SECONDS)
        msg = await final(ia)
        (call,) = fake_horde.webhooks.calls
        assert call.status == 200
    assert "[w1] reply to: Hello" in msg.embeds[0]["description"]
    # The resumed bot reads once when it picks the job up, once to confirm the call.
    assert len(fake_horde.requests_to(STATUS)) <= reads + 2
