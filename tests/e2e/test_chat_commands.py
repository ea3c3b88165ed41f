"""/chat commands end to end: personas, reset, export, end, privacy, rules and buttons."""

from __future__ import annotations

import asyncio
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


async def test_reset_forgets_the_earlier_turns(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "remember the word pineapple")
        await reply_done(discord_fake, thread, 1)
        ia = await discord_fake.send_slash("chat reset", {}, user=world.alice, channel=thread)
        await ia.wait_for_original(lambda m: "forgotten" in m.content, timeout=5)
        await say(discord_fake, thread, world.alice, "what was the word?")
        await reply_done(discord_fake, thread, 2)
    assert "pineapple" not in chat_prompts(fake_horde)[1]
    assert "what was the word?" in chat_prompts(fake_horde)[1]


async def test_export_sends_the_transcript_as_a_text_file(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02, text=lambda p, _: "Sure!")
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "tell me a story")
        await reply_done(discord_fake, thread, 1)
        ia = await discord_fake.send_slash("chat export", {}, user=world.alice, channel=thread)
        msg = await ia.wait_for_original(lambda m: bool(m.attachments), timeout=5)
    text = msg.attachments[0].data.decode()
    assert msg.attachments[0].filename.endswith(".txt")
    assert text.index("alice: tell me a story") < text.index("Assistant: Sure!")


async def test_private_conversation_never_shows_in_the_public_channel(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL, private=True)
        await say(discord_fake, thread, world.alice, "my secret plan")
        await reply_done(discord_fake, thread, 1)
    assert thread.type == 12
    public = [m for m in discord_fake.messages_in(world.channel) if not m.ephemeral]
    assert public == []
    assert all("secret" not in m.text() for m in discord_fake.messages_in(world.channel))


async def test_blocked_member_gets_no_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with (
        reference_server() as (url, _),
        chat_bot(discord_fake, fake_horde, tmp_path, url) as bot,
    ):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await bot.services.blocked.block(world.guild.id, world.bob.id, world.mod.id, "spam")
        await say(discord_fake, thread, world.bob, "let me in")
        refusal = await discord_fake.wait_for_message(thread, lambda m: "blocked" in m.text(), 5)
    assert refusal.message_reference is not None
    assert chat_prompts(fake_horde) == []


async def test_persona_greets_and_shapes_the_prompt(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        options = {
            "name": "Captain",
            "description": "You are Captain, a pirate who speaks in nautical terms.",
            "greeting": "Ahoy, matey!",
            "model": MODEL,
        }
        add = await discord_fake.send_slash(
            "chat persona add", options, user=world.mod, channel=world.channel
        )
        await add.wait_for_original(lambda m: "Added" in m.content, timeout=5)
        thread = await start_chat(discord_fake, world, persona="captain")
        await discord_fake.wait_for_message(thread, lambda m: m.content == "Ahoy, matey!", 5)
        await say(discord_fake, thread, world.alice, "where are we?")
        await reply_done(discord_fake, thread, 1)
    prompt = chat_prompts(fake_horde)[0]
    assert prompt.startswith("<|im_start|>system\nYou are Captain, a pirate")
    assert "<|im_start|>assistant\nAhoy, matey!<|im_end|>" in prompt


async def test_member_without_manage_server_cannot_add_personas(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        ia = await discord_fake.send_slash(
            "chat persona add",
            {"name": "Evil", "description": "x"},
            user=world.alice,
            channel=world.channel,
        )
        await ia.wait_for_response()
        listing = await discord_fake.send_slash(
            "chat persona list", {}, user=world.alice, channel=world.channel
        )
        await listing.wait_for_response()
    refusal, shown = ia.original(), listing.original()
    assert ia.ephemeral
    assert refusal is not None
    assert "Manage Server" in refusal.content
    assert shown is not None
    assert "Evil" not in shown.content


async def test_regenerate_replaces_the_latest_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    answers = iter(["first answer", "second answer"])
    fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=0.02, text=lambda p, _: next(answers)
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "answer me")
        first = await reply_done(discord_fake, thread, 1)
        await discord_fake.wait_for(lambda: "Regenerate" in first.buttons() or None, 5)
        await discord_fake.click(first, label="Regenerate", user=world.alice)
        await reply_done(discord_fake, thread, 2)
        ia = await discord_fake.send_slash("chat export", {}, user=world.alice, channel=thread)
        msg = await ia.wait_for_original(lambda m: bool(m.attachments), timeout=5)
    text = msg.attachments[0].data.decode()
    assert "second answer" in text
    assert "first answer" not in text
    assert chat_prompts(fake_horde)[0] == chat_prompts(fake_horde)[1]


async def test_every_message_is_a_turn_with_the_message_content_intent(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with (
        reference_server() as (url, _),
        chat_bot(discord_fake, fake_horde, tmp_path, url, MESSAGE_CONTENT_INTENT="true") as bot,
    ):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await discord_fake.user_message(thread, "no mention needed", user=world.alice)
        await turn_stored(bot, "no mention needed")
        await reply_done(discord_fake, thread, 1)
    assert "alice: no mention needed" in chat_prompts(fake_horde)[0]


async def test_end_archives_the_thread_and_stops_answering(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        ia = await discord_fake.send_slash("chat end", {}, user=world.alice, channel=thread)
        await ia.wait_for_original(lambda m: "ended" in m.content, timeout=5)
        await discord_fake.wait_for(lambda: thread.archived or None, 5)
        await say(discord_fake, thread, world.alice, "hello?")
        await asyncio.sleep(0.3)  # time enough to answer, had the chat still been open
    assert replies_in(discord_fake, thread) == []
    assert chat_prompts(fake_horde) == []


async def test_disabled_chat_refuses_start_and_turns(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        off = await discord_fake.send_slash(
            "chat enable", {"enabled": False}, user=world.mod, channel=world.channel
        )
        await off.wait_for_original(lambda m: "off" in m.content, timeout=5)
        refused = await discord_fake.send_slash(
            "chat start", {}, user=world.alice, channel=world.channel
        )
        await refused.wait_for_response()
        await say(discord_fake, thread, world.alice, "still there?")
        await discord_fake.wait_for_message(thread, lambda m: "switched" in m.text(), 5)
    answer = refused.original()
    assert answer is not None
    assert "switched `/chat` off" in answer.content
    assert chat_prompts(fake_horde) == []


async def test_continue_extends_the_latest_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    answers = iter(["Once upon a time", "there was a bot."])
    fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=0.02, text=lambda p, _: next(answers)
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "tell a story")
        first = await reply_done(discord_fake, thread, 1)
        await discord_fake.wait_for(lambda: "Continue" in first.buttons() or None, 5)
        await discord_fake.click(first, label="Continue", user=world.bob)
        await discord_fake.wait_for_message(
            thread, lambda m: "there was a bot." in str(m.embeds), 5
        )
        ia = await discord_fake.send_slash("chat export", {}, user=world.alice, channel=thread)
        msg = await ia.wait_for_original(lambda m: bool(m.attachments), timeout=5)
    assert chat_prompts(fake_horde)[1].endswith("<|im_start|>assistant\nOnce upon a time")
    assert "Assistant: Once upon a time there was a bot." in msg.attachments[0].data.decode()


async def test_start_with_a_model_nobody_serves_is_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        before = set(discord_fake.channels)
        ia = await discord_fake.send_slash(
            "chat start", {"model": "koboldcpp/nope"}, user=world.alice, channel=world.channel
        )
        await ia.wait_for_response()
    answer = ia.original()
    assert answer is not None
    assert "No worker serves" in answer.content
    assert set(discord_fake.channels) == before


async def test_persona_autocomplete_offers_the_servers_personas(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        add = await discord_fake.send_slash(
            "chat persona add",
            {"name": "Captain", "description": "A pirate."},
            user=world.mod,
            channel=world.channel,
        )
        await add.wait_for_original(lambda m: "Added" in m.content, timeout=5)
        choices = await discord_fake.autocomplete(
            "chat start", {"persona": "cap"}, focused="persona", user=world.alice,
            channel=world.channel,
        )  # fmt: skip
    assert [c["value"] for c in choices] == ["Captain"]


async def test_removed_persona_can_no_longer_be_chosen(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        for command, options in (
            ("chat persona add", {"name": "Captain", "description": "A pirate."}),
            ("chat persona remove", {"name": "captain"}),
        ):
            ia = await discord_fake.send_slash(
                command, options, user=world.mod, channel=world.channel
            )
            await ia.wait_for_response()
        start = await discord_fake.send_slash(
            "chat start", {"persona": "Captain"}, user=world.alice, channel=world.channel
        )
        await start.wait_for_response()
    answer = start.original()
    assert answer is not None
    assert "no persona called" in answer.content


async def test_turn_posted_during_a_continuation_waits_for_it(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    answers = iter(["Once upon a time", "there was a bot.", "The end."])
    worker = fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=0.02, text=lambda p, _: next(answers)
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "tell a story")
        first = await reply_done(discord_fake, thread, 1)
        await discord_fake.wait_for(lambda: "Continue" in first.buttons() or None, 5)
        worker.paused = True
        await discord_fake.click(first, label="Continue", user=world.alice)
        await discord_fake.wait_for(lambda: len(chat_prompts(fake_horde)) >= 2 or None, 5)
        await say(discord_fake, thread, world.alice, "and then?")
        worker.paused = False
        await reply_done(discord_fake, thread, 2)
    assert len(chat_prompts(fake_horde)) == 3
    assert "Once upon a time there was a bot.<|im_end|>" in chat_prompts(fake_horde)[2]
