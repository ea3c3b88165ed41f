"""/generate under the server's rules and the per-member limit."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import (
    MODEL,
    final,
    generate,
    generate_bot,
    make_world,
    submits,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def test_server_defaults_are_used(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.guild_settings.update(
            world.guild.id, default_model=MODEL, default_max_length=64
        )
        ia = await generate(discord_fake, world.alice, world.channel, "Hi")
        await final(ia)
    body = next(r.json for r in fake_horde.requests if r.path.endswith("/generate/text/async"))
    assert isinstance(body, dict)
    assert body["models"] == [MODEL]
    assert body["params"]["max_length"] == 64


async def test_blocked_member_is_refused_and_nothing_is_sent(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL])
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await bot.services.blocked.block(world.guild.id, world.alice.id, world.mod.id)
        ia = await generate(discord_fake, world.alice, world.channel, "Hi")
    assert ia.ephemeral
    refusal = ia.original()
    assert refusal is not None
    assert "blocked" in refusal.content
    assert submits(fake_horde) == []


async def test_member_over_the_in_flight_limit_is_refused_ephemerally(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path, MAX_GENERATIONS_PER_USER="1"):
        first = await generate(discord_fake, world.alice, world.channel, "One")
        await first.wait_for_original(lambda m: "Cancel" in m.buttons())
        second = await generate(discord_fake, world.alice, world.channel, "Two")
        assert second.response_type == 4
        assert second.ephemeral
        refusal = second.original()
        assert refusal is not None
        assert "already have 1 generation running" in refusal.content
        await final(first)
    assert len(submits(fake_horde)) == 1
