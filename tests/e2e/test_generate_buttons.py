"""The buttons of a /generate reply: Cancel, Regenerate, Continue, Delete."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import (
    MODEL,
    final,
    generate,
    generate_bot,
    log_in,
    make_world,
    submits,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

ANON_KEY = "0000000000"


async def test_invoker_cancels_on_the_horde_and_keeps_the_partial_result(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.8)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Count", n=4)
        running = await ia.wait_for_original(
            lambda m: "/4 done)" in m.content and "(0/4" not in m.content
        )
        click = await discord_fake.click(running, label="Cancel", user=world.alice)
        assert await click.wait_for_response() == 6  # deferred update: no new message
        msg = await final(ia, "Cancelled")
    assert "Partial result below" in msg.content
    assert 1 <= len(msg.embeds) < 4
    assert "reply to: Count" in msg.embeds[0]["description"]
    assert any(r.method == "DELETE" for r in fake_horde.requests)
    assert "Cancel" not in msg.buttons()


async def test_another_member_cannot_cancel(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.8)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Mine")
        running = await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
        click = await discord_fake.click(running, label="Cancel", user=world.bob)
        assert await click.wait_for_response() == 4
        assert click.ephemeral
        refusal = click.original()
        assert refusal is not None
        assert "Only the member who started this generation" in refusal.content
        msg = await final(ia)
    assert "reply to: Mine" in msg.embeds[0]["description"]
    assert not any(r.method == "DELETE" for r in fake_horde.requests)


async def test_member_with_manage_messages_can_cancel(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=2.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Mine")
        running = await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
        await discord_fake.click(running, label="Cancel", user=world.mod)
        msg = await final(ia, "Cancelled")
    assert msg.embeds == []
    assert msg.buttons() == ["Regenerate", "Delete"]


async def test_regenerate_is_paid_by_the_member_who_pressed(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice")
    bob_h = fake_horde.add_user("bob")
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, alice_h)
        await log_in(bot, world.bob, bob_h)
        ia = await generate(discord_fake, world.alice, world.channel, "Again", max_length=50)
        first = await final(ia)
        click = await discord_fake.click(first, label="Regenerate", user=world.bob)
        assert await click.wait_for_response() == 5  # a new "thinking…" reply
        second = await final(click)
    assert second.id != first.id
    assert "reply to: Again" in second.embeds[0]["description"]
    assert submits(fake_horde) == [alice_h.apikey, bob_h.apikey]
    bodies = [r.json for r in fake_horde.requests if r.path.endswith("/generate/text/async")]
    assert [b["params"]["max_length"] for b in bodies] == [50, 50]  # type: ignore[index]


async def test_continue_sends_prompt_and_output_paid_by_the_presser(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice")
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1, text=" and then")
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, alice_h)
        ia = await generate(discord_fake, world.alice, world.channel, "It began")
        first = await final(ia)
        click = await discord_fake.click(first, label="Continue", user=world.carol)
        await final(click)
    assert submits(fake_horde) == [alice_h.apikey, ANON_KEY]
    bodies = [r.json for r in fake_horde.requests if r.path.endswith("/generate/text/async")]
    assert [b["prompt"] for b in bodies] == ["It began", "It began and then"]  # type: ignore[index]


async def test_invoker_deletes_the_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Bye")
        msg = await final(ia)
        click = await discord_fake.click(msg, label="Delete", user=world.alice)
        await discord_fake.wait_for(lambda: msg.deleted or None, timeout=5)
    assert click.response_type == 6


async def test_another_member_cannot_delete(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Stay")
        msg = await final(ia)
        click = await discord_fake.click(msg, label="Delete", user=world.bob)
        await click.wait_for_response()
    assert click.ephemeral
    assert not msg.deleted
