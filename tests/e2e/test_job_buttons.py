"""One button family for every job kind, and the custom ids of replies sent before it.

Replies already posted in servers carry ``gen:…`` (/generate) and ``chat:…`` (chat) custom
ids; pressing them must keep working after an upgrade.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e import chat_support
from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.models import FakeMessage
from tests.fakes.horde import FakeHorde


def _as_sent_by_an_older_release(message: FakeMessage, prefix: str) -> list[str]:
    """Rewrite the message's ``job:`` custom ids to the old ``<prefix>:`` ones."""
    ids = []
    for comp in message.iter_components():
        custom_id = comp.get("custom_id", "")
        if custom_id.startswith("job:"):
            comp["custom_id"] = prefix + custom_id.removeprefix("job")
            ids.append(comp["custom_id"])
    return ids


async def test_generate_buttons_use_the_job_family(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Family")
        msg = await final(ia)
    ids = [c["custom_id"] for c in msg.iter_components() if "custom_id" in c]
    assert [i.split(":")[1] for i in ids] == ["again", "more", "delete"]
    assert all(i.startswith("job:") for i in ids)
    assert ids[2].endswith(f":{world.alice.id}")  # Delete carries the invoker


async def test_old_gen_buttons_still_regenerate_and_delete(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Old reply")
        first = await final(ia)
        old_ids = _as_sent_by_an_older_release(first, "gen")
        assert old_ids[0].startswith("gen:again:")
        click = await discord_fake.click(first, custom_id=old_ids[0], user=world.bob)
        assert await click.wait_for_response() == 5  # a new "thinking…" reply
        second = await final(click)
        assert "reply to: Old reply" in second.embeds[0]["description"]
        refused = await discord_fake.click(first, custom_id=old_ids[2], user=world.bob)
        assert await refused.wait_for_response() == 4
        refusal = refused.original()
        assert refusal is not None
        assert "Only the member who started" in refusal.content
        deleted = await discord_fake.click(first, custom_id=old_ids[2], user=world.alice)
        assert await deleted.wait_for_response() == 6
        await discord_fake.wait_for(lambda: discord_fake.messages[first.id].deleted, 5)


async def test_old_chat_buttons_still_regenerate(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[chat_support.MODEL], seconds_per_job=0.05)
    world = chat_support.make_world(discord_fake)
    async with (
        chat_support.reference_server() as (url, _),
        chat_support.chat_bot(discord_fake, fake_horde, tmp_path, url),
    ):
        thread = await chat_support.start_chat(discord_fake, world, model=chat_support.MODEL)
        await chat_support.say(discord_fake, thread, world.alice, "hello there")
        first = await chat_support.reply_done(discord_fake, thread, 1)
        old_ids = _as_sent_by_an_older_release(first, "chat")
        assert [i.split(":")[1] for i in old_ids] == ["again", "more"]
        click = await discord_fake.click(first, custom_id=old_ids[0], user=world.alice)
        assert await click.wait_for_response() == 6
        await discord_fake.wait_for(lambda: len(chat_support.chat_prompts(fake_horde)) >= 2, 5)
    prompts = chat_support.chat_prompts(fake_horde)
    assert prompts[0] == prompts[1]  # the same turn answered again
