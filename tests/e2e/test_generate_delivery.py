"""Getting the result to the member: dead interaction tokens, private results, restarts."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde

TOKEN_LIFETIME = 15 * 60


def is_result(message: FakeMessage) -> bool:
    return any("reply to:" in (e.get("description") or "") for e in message.embeds)


async def test_result_is_posted_in_the_channel_when_the_token_expired(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Slow one")
        original = await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
        discord_fake.clock.advance(TOKEN_LIFETIME + 1)
        posted = await discord_fake.wait_for_message(world.channel, is_result, timeout=5)
    assert posted.id != original.id
    assert posted.message_reference is not None
    assert int(posted.message_reference["message_id"]) == original.id
    assert posted.content.startswith(f"<@{world.alice.id}>")
    assert posted.allowed_mentions is not None
    assert posted.allowed_mentions.get("parse") == []
    assert [int(u) for u in posted.allowed_mentions.get("users", [])] == [world.alice.id]
    assert posted.buttons() == ["Regenerate", "Continue", "Delete"]
    assert not is_result(original)


async def test_private_result_goes_by_dm_when_the_token_expired(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Secret", private=True)
        await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
        discord_fake.clock.advance(TOKEN_LIFETIME + 1)
        await discord_fake.wait_for(
            lambda: any(is_result(m) for m in discord_fake.dms_with(world.alice)) or None,
            timeout=5,
        )
    public = [m for m in discord_fake.messages_in(world.channel) if not m.ephemeral]
    assert not any(is_result(m) or "Secret" in m.content for m in public)


async def test_result_waits_out_a_token_older_than_its_lifetime_on_the_bots_clock(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.3)
    worker.paused = True
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Later")
        await ia.wait_for_original(lambda m: "Queued on the AI Horde" in m.content)
        fake_horde.clock.advance(TOKEN_LIFETIME)  # the bot's clock: the Horde's
        worker.paused = False
        posted = await discord_fake.wait_for_message(world.channel, is_result, timeout=5)
    assert posted.content.startswith(f"<@{world.alice.id}>")
    original = ia.original()
    assert original is not None
    assert not is_result(original)


async def test_restart_mid_generation_completes_the_same_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.5)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Survive")
        await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        msg = await final(ia)
    assert "reply to: Survive" in msg.embeds[0]["description"]
    assert not any(is_result(m) for m in discord_fake.messages_in(world.channel) if m is not msg)
    assert len([r for r in fake_horde.requests if r.path.endswith("/generate/text/async")]) == 1


async def test_buttons_work_after_a_restart(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Once")
        first = await final(ia)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        click = await discord_fake.click(first, label="Regenerate", user=world.bob)
        second = await final(click)
    assert "reply to: Once" in second.embeds[0]["description"]
