"""``python -m bot`` under faults: Discord down at start, signals during shutdown.

Discord "down" is a port nothing listens on yet; the fake Discord is started on that same port
later, so the child reaches it without a restart.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess, bot_env, child_env, free_port, running_child
from tests.e2e.generate_support import (
    FERNET_KEY,
    MODEL,
    final,
    generate,
    generate_bot,
    make_world,
)
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde

pytestmark = pytest.mark.slow


def down_discord_env(tmp_path: Path, horde: FakeHorde, port: int, **extra: str) -> dict[str, str]:
    settings = bot_env(
        tmp_path,
        horde.base_url,
        ENCRYPTION_KEY=FERNET_KEY,
        POLL_MIN_SECONDS="0.05",
        POLL_MAX_SECONDS="0.5",
        **extra,
    )
    return child_env(settings, fake_discord_url=f"http://127.0.0.1:{port}")


async def test_discord_down_at_start_is_retried_until_it_comes_up(
    tmp_path: Path, fake_horde: FakeHorde
) -> None:
    port = free_port()
    proc = await BotProcess(down_discord_env(tmp_path, fake_horde, port), tmp_path).start()
    discord_fake = FakeDiscord(token="fake-discord-token")
    try:
        line = await proc.wait_for_line("Cannot connect to Discord")
        assert f"127.0.0.1:{port}" in line
        assert "connection refused" in line
        assert "retrying with backoff until it answers" in line
        await asyncio.sleep(5)
        world = make_world(discord_fake)
        fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
        await discord_fake.start(port=port)
        await proc.wait_for_line("Logged in as", timeout=30)
        ia = await generate(discord_fake, world.alice, world.channel, "After the outage")
        msg = await final(ia, timeout=15)
    finally:
        await proc.kill()
        await discord_fake.stop()
    assert "reply to: After the outage" in msg.embeds[0]["description"]
    assert proc.output.count("Cannot connect to Discord") == 1, proc.output
    assert "Traceback" not in proc.output
    assert "fake-discord-token" not in proc.output


async def test_sigterm_while_waiting_for_discord_exits_cleanly_at_once(
    tmp_path: Path, fake_horde: FakeHorde
) -> None:
    proc = await BotProcess(down_discord_env(tmp_path, fake_horde, free_port()), tmp_path).start()
    try:
        await proc.wait_for_line("Cannot connect to Discord")
        code, elapsed = await terminate(proc)
    finally:
        await proc.kill()
    assert code == 0, proc.output
    assert elapsed < 3, elapsed
    assert "Shut down cleanly" in proc.output
    assert "Traceback" not in proc.output


async def test_no_retry_exits_at_once_with_one_line(tmp_path: Path, fake_horde: FakeHorde) -> None:
    env = down_discord_env(tmp_path, fake_horde, free_port(), STARTUP_RETRY_SECONDS="0")
    proc = await BotProcess(env, tmp_path).start()
    started = time.monotonic()
    try:
        code = await proc.wait(timeout=30)
    finally:
        await proc.kill()
    assert code == 69, proc.output
    assert time.monotonic() - started < 15
    about_discord = [line for line in proc.lines if "Discord" in line]
    assert len(about_discord) == 1, proc.output
    assert "Cannot connect to Discord" in about_discord[0]
    assert "giving up" in about_discord[0]
    assert "Traceback" not in proc.output


def child(discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path, **env: str):
    """``python -m bot`` logged in to the fakes, with the key the in-process bot uses too."""
    return running_child(
        discord_fake.base_url, horde.base_url, data_dir, ENCRYPTION_KEY=FERNET_KEY, **env
    )


async def terminate(proc: BotProcess) -> tuple[int, float]:
    """SIGTERM the child; its exit code and how long it took to exit."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = await proc.wait(timeout=20)
    return code, time.monotonic() - started


async def hold_a_submit_on_the_wire(
    discord_fake: FakeDiscord, horde: FakeHorde, seconds: float
) -> FakeInteraction:
    """Start a /generate whose submit the fake Horde answers only after ``seconds``."""
    world = make_world(discord_fake)
    horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    horde.inject_fault("POST", "/v2/generate/text/async", kind="slow", delay=seconds)
    ia = await generate(discord_fake, world.alice, world.channel, "Held on the wire")
    await discord_fake.wait_for(lambda: horde.requests_to("/v2/generate/text/async"), timeout=10)
    return ia


async def test_second_signal_exits_at_once(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    async with child(discord_fake, fake_horde, tmp_path) as proc:
        await hold_a_submit_on_the_wire(discord_fake, fake_horde, seconds=20)
        proc.send_signal(signal.SIGTERM)
        await proc.wait_for_line("SIGTERM received: shutting down")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = await proc.wait(timeout=10)
        assert time.monotonic() - started < 3
    assert code == 130, proc.output
    assert "Second SIGINT: exiting now" in proc.output
    assert "Shut down cleanly" not in proc.output
    assert "Traceback" not in proc.output


async def test_shutdown_that_takes_too_long_is_cut_at_the_bound(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    # The engine gives a submit on the wire only a third of the bound; what overruns the bound
    # here is a gateway close that never finishes.
    async with child(
        discord_fake,
        fake_horde,
        tmp_path,
        SHUTDOWN_TIMEOUT_SECONDS="1",
        FAKE_DISCORD_CLOSE_HANGS="1",
    ) as proc:
        await hold_a_submit_on_the_wire(discord_fake, fake_horde, seconds=20)
        code, elapsed = await terminate(proc)
    assert code == 130, proc.output
    assert 0.9 < elapsed < 4, elapsed
    assert "Shutdown did not finish within 1 s: exiting now" in proc.output


async def test_sigterm_waits_for_a_submit_on_the_wire_then_exits_cleanly(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    async with child(discord_fake, fake_horde, tmp_path) as proc:
        ia = await hold_a_submit_on_the_wire(discord_fake, fake_horde, seconds=1.5)
        code, elapsed = await terminate(proc)
    assert code == 0, proc.output
    assert "Shut down cleanly" in proc.output
    assert elapsed < 10, elapsed
    assert "Traceback" not in proc.output
    # The submit's Horde id was stored before exit: the next start polls it, never resubmits.
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        msg = await final(ia, timeout=15)
    assert "reply to: Held on the wire" in msg.embeds[0]["description"]
    assert len(fake_horde.requests_to("/v2/generate/text/async", "POST")) == 1


async def test_json_logs_are_one_object_per_line_from_start_to_shutdown(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    async with child(
        discord_fake, fake_horde, tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG"
    ) as proc:
        code, _ = await terminate(proc)
    assert code == 0, proc.output
    entries = [json.loads(line) for line in proc.lines]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(e["logger"] == "discord.gateway" for e in entries)  # third-party loggers too
    assert any(e["message"] == "Shut down cleanly" for e in entries)
    assert "fake-discord-token" not in proc.output
    assert FERNET_KEY not in proc.output
