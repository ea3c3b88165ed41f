"""Graceful shutdown with work in progress: nothing accepted is lost, nothing is sent twice.

The child is a real ``python -m bot``; after its SIGTERM the same data folder is served by an
in-process bot (as in test_startup_faults), which completes what the child had accepted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.e2e.test_startup_faults import child, terminate
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

pytestmark = pytest.mark.slow

SUBMIT = "/v2/generate/text/async"
BOUND = 9.0


async def test_sigterm_with_ten_generations_in_flight_loses_none_and_submits_none_twice(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    world = make_world(discord_fake)
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    worker.paused = True  # nothing finishes before the restart
    members = [world.alice, world.bob, world.carol, world.mod]
    async with child(
        discord_fake, fake_horde, tmp_path, SHUTDOWN_TIMEOUT_SECONDS=str(BOUND)
    ) as proc:
        interactions = [
            await generate(discord_fake, members[i % 4], world.channel, f"Story number {i}")
            for i in range(10)  # 3 + 3 + 2 + 2: within MAX_GENERATIONS_PER_USER (3)
        ]
        # Some are on the Horde, the rest still wait in the bot's submit queue.
        await discord_fake.wait_for(
            lambda: len(fake_horde.requests_to(SUBMIT, "POST")) >= 4, timeout=15
        )
        code, elapsed = await terminate(proc)
    assert code == 0, proc.output
    assert elapsed < BOUND, elapsed
    assert "Shut down cleanly" in proc.output
    assert "Traceback" not in proc.output
    submitted_before = len(fake_horde.requests_to(SUBMIT, "POST"))
    assert 4 <= submitted_before < 10  # on the Horde, and in the bot's queue, at the signal

    worker.paused = False
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        messages = await asyncio.gather(*(final(ia, timeout=40) for ia in interactions))
    for i, msg in enumerate(messages):
        assert f"reply to: Story number {i}" in msg.embeds[0]["description"]
    assert len(fake_horde.requests_to(SUBMIT, "POST")) == 10, submitted_before


async def test_a_generate_after_the_engine_closed_is_told_to_try_again_shortly(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    world = make_world(discord_fake)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        # The first step of a graceful shutdown; the gateway is still open.
        await bot.services.generations.close()
        ia = await generate(discord_fake, world.alice, world.channel, "Just in time?")
        msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.content))
    assert msg.content == "The bot is restarting; please try again in a minute."
    assert fake_horde.requests_to(SUBMIT, "POST") == []
