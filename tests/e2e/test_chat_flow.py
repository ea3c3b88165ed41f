"""/chat under real conditions: queueing, trimming, restarts, edits and deletions."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.chat_support import (
    MODEL,
    chat_bot,
    chat_prompts,
    make_world,
    reference_server,
    replies_in,
    reply_done,
    say,
    start_chat,
    turn_stored,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def _submitted(fake_horde: FakeHorde, count: int, discord_fake: FakeDiscord) -> None:
    await discord_fake.wait_for(lambda: len(chat_prompts(fake_horde)) >= count, 5)


async def test_message_posted_during_a_generation_is_answered_next(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        worker.paused = True
        await say(discord_fake, thread, world.alice, "first question")
        await _submitted(fake_horde, 1, discord_fake)
        await say(discord_fake, thread, world.bob, "second question")
        worker.paused = False
        first = await reply_done(discord_fake, thread, 1)
        second = await reply_done(discord_fake, thread, 2)
    prompts = chat_prompts(fake_horde)
    assert len(prompts) == 2
    assert "second question" not in prompts[0]
    assert first.embeds[0]["description"].strip() in prompts[1]
    assert prompts[1].index("first question") < prompts[1].index("bob: second question")
    assert second.message_reference is not None


async def test_trimming_keeps_the_persona_and_the_newest_turns(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    # 400 tokens of context minus 160 for the reply leave ~720 characters for the prompt.
    fake_horde.add_worker(
        "w1", models=[MODEL], max_context_length=400, seconds_per_job=0.02, text=lambda p, _: "ok"
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        for number in range(1, 7):
            await say(discord_fake, thread, world.alice, f"turn {number} " + "words " * 15)
            await reply_done(discord_fake, thread, number)
    last = chat_prompts(fake_horde)[-1]
    assert last.startswith("<|im_start|>system\nYou are Assistant")
    assert "turn 6 " in last
    assert "turn 5 " in last
    assert "turn 1 " not in last
    assert len(last) <= (400 - 160) * 3


async def test_restart_mid_reply_completes_the_same_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    world = make_world(discord_fake)
    async with reference_server() as (url, _):
        async with chat_bot(discord_fake, fake_horde, tmp_path, url):
            thread = await start_chat(discord_fake, world, model=MODEL)
            worker.paused = True
            await say(discord_fake, thread, world.alice, "survive this")
            await _submitted(fake_horde, 1, discord_fake)
            placeholder = replies_in(discord_fake, thread)[0]
        worker.paused = False
        async with chat_bot(discord_fake, fake_horde, tmp_path, url):
            done = await reply_done(discord_fake, thread, 1)
            await say(discord_fake, thread, world.alice, "and after")
            await reply_done(discord_fake, thread, 2)
    assert done.id == placeholder.id
    prompts = chat_prompts(fake_horde)
    assert len(prompts) == 2
    assert done.embeds[0]["description"].strip() in prompts[1]


async def test_queued_turn_survives_a_restart(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    world = make_world(discord_fake)
    async with reference_server() as (url, _):
        async with chat_bot(discord_fake, fake_horde, tmp_path, url) as bot:
            thread = await start_chat(discord_fake, world, model=MODEL)
            worker.paused = True
            await say(discord_fake, thread, world.alice, "one")
            await _submitted(fake_horde, 1, discord_fake)
            await say(discord_fake, thread, world.alice, "two")
            await turn_stored(bot, "two")
        worker.paused = False
        async with chat_bot(discord_fake, fake_horde, tmp_path, url):
            await reply_done(discord_fake, thread, 2)
    assert "alice: two" in chat_prompts(fake_horde)[1]


async def test_edited_and_deleted_messages_change_the_history(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        edited = await say(discord_fake, thread, world.alice, "typo here")
        await reply_done(discord_fake, thread, 1)
        gone = await say(discord_fake, thread, world.alice, "secret slip")
        await reply_done(discord_fake, thread, 2)
        edited.content = edited.content.replace("typo here", "fixed text")
        await discord_fake.gateway.dispatch("MESSAGE_UPDATE", discord_fake.message_payload(edited))
        await discord_fake.delete_message(gone)
        await say(discord_fake, thread, world.alice, "third")
        await reply_done(discord_fake, thread, 3)
    last = chat_prompts(fake_horde)[-1]
    assert "fixed text" in last
    assert "typo here" not in last
    assert "secret slip" not in last


async def test_cancel_stops_the_reply_and_the_next_turn_is_answered(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        worker.paused = True
        await say(discord_fake, thread, world.alice, "never mind")
        placeholder = await discord_fake.wait_for(
            lambda: next((m for m in replies_in(discord_fake, thread) if m.buttons()), None), 5
        )
        await discord_fake.click(placeholder, label="Cancel", user=world.alice)
        await discord_fake.wait_for(lambda: "Cancelled" in placeholder.content or None, 5)
        worker.paused = False
        await say(discord_fake, thread, world.alice, "new question")
        await reply_done(discord_fake, thread, 2)
    assert discord_fake.unhandled == []
    assert "never mind" in chat_prompts(fake_horde)[1]


async def test_nsfw_only_server_chats_only_under_age_restricted_channels(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    adult = discord_fake.add_channel(world.guild, "adult", nsfw=True)
    async with (
        reference_server() as (url, _),
        chat_bot(discord_fake, fake_horde, tmp_path, url) as bot,
    ):
        await bot.services.guild_settings.update(world.guild.id, nsfw_only=True)
        refused = await discord_fake.send_slash(
            "chat start", {}, user=world.alice, channel=world.channel
        )
        await refused.wait_for_response()
        world.channel = adult
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "hello")
        await reply_done(discord_fake, thread, 1)
    answer = refused.original()
    assert answer is not None
    assert "NSFW" in answer.content
