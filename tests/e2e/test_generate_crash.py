"""A bot process killed (SIGKILL) mid-generation: the next one completes the same reply."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.e2e.bot_process import running_child
from tests.e2e.generate_support import FERNET_KEY, MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


def child_bot(discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path):
    """``python -m bot`` as a user runs it, pointed at the fakes; killed on exit."""
    return running_child(discord_fake.base_url, horde.base_url, data_dir, ENCRYPTION_KEY=FERNET_KEY)


async def test_sigkill_mid_generation_then_restart_completes_the_same_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=2.0)
    async with child_bot(discord_fake, fake_horde, tmp_path) as proc:
        ia = await generate(discord_fake, world.alice, world.channel, "Crash test")
        await ia.wait_for_original(lambda m: "worker is writing" in m.content, timeout=10)
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        msg = await final(ia)
    assert "reply to: Crash test" in msg.embeds[0]["description"]
    assert len([r for r in fake_horde.requests if r.path.endswith("/generate/text/async")]) == 1
