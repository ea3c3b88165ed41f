"""Every Horde error of a generation is shown in place, in plain words."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.generate_support import (
    MODEL,
    generate,
    generate_bot,
    log_in,
    make_world,
)
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde


def failed(message: FakeMessage) -> bool:
    return "❌" in message.content


async def shown_error(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, **options: object
) -> FakeMessage:
    """Run /generate as alice and return the reply once it shows an error."""
    world = make_world(discord_fake)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "A prompt", **options)
        msg = await ia.wait_for_original(failed, timeout=8)
    assert msg.buttons() == ["Regenerate", "Delete"]
    assert "Traceback" not in msg.content
    return msg


async def test_too_many_prompts(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", concurrency=1)
    fake_horde.add_worker("w1", models=[MODEL])
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, alice_h)
        ia = await generate(discord_fake, world.alice, world.channel, "Many", n=2)
        msg = await ia.wait_for_original(failed, timeout=8)
    assert "as many generations queued on the Horde as your account allows" in msg.content


async def test_invalid_default_api_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL])
    async with generate_bot(
        discord_fake, fake_horde, tmp_path, HORDE_DEFAULT_API_KEY="not-a-real-key-123"
    ):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        msg = await ia.wait_for_original(failed, timeout=8)
    assert "did not accept the API key" in msg.content


async def test_kudos_upfront_suggests_login_or_smaller_max_length(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], max_length=1024)
    msg = await shown_error(discord_fake, fake_horde, tmp_path, max_length=1000)
    assert "kudos up front" in msg.content
    assert "`max_length`" in msg.content
    assert "/login" in msg.content


async def test_corrupt_prompt(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    fake_horde.corrupt_prompt_words = ("prompt",)
    msg = await shown_error(discord_fake, fake_horde, tmp_path)
    assert "refused this prompt as against its terms of use" in msg.content


async def test_maintenance_mode(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL])
    fake_horde.maintenance = True
    msg = await shown_error(discord_fake, fake_horde, tmp_path)
    assert "maintenance mode" in msg.content


async def test_faulted_generation(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1, fail=True)
    msg = await shown_error(discord_fake, fake_horde, tmp_path)
    assert "workers failed to generate this text" in msg.content


async def test_unavailable_horde_is_retried_then_reported(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL])
    fake_horde.inject_fault(
        method="POST", path_prefix="/v2/generate/text/async", kind="503", count=10
    )
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        waiting = asyncio.create_task(ia.wait_for_original(failed, timeout=8))
        while not waiting.done():
            await asyncio.sleep(0.1)
            fake_horde.clock.advance(5)  # the engine backs off 2, 4, 8 s between submits
        msg = await waiting
    assert "could not be reached, even after retrying" in msg.content
    submits = [r for r in fake_horde.requests if r.path.endswith("/generate/text/async")]
    assert len(submits) == 4


async def test_no_worker_warning_is_shown_while_queued(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], max_length=100)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Long", max_length=300)
        msg = await ia.wait_for_original(lambda m: "No worker on the Horde can serve" in m.content)
    assert "Queued on the AI Horde" in msg.content


async def test_expired_request_is_reported_after_twenty_minutes(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], max_length=100)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Long", max_length=300)
        await ia.wait_for_original(lambda m: "No worker on the Horde can serve" in m.content)
        fake_horde.clock.advance(21 * 60)
        # The token is as old as the request: the result comes as a new message.
        posted = await discord_fake.wait_for_message(world.channel, failed, timeout=8)
    assert "No worker on the Horde could serve this request, so it expired" in posted.content
    assert posted.content.startswith(f"<@{world.alice.id}>")
