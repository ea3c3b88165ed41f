"""/chat end to end: a conversation in a thread, through the fake Discord and the fake Horde."""

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
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def test_five_turns_carry_the_history_in_chatml(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05, text=lambda p, _: "Noted.")
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        for number in range(1, 6):
            await say(discord_fake, thread, world.alice, f"message number {number}")
            await reply_done(discord_fake, thread, number)
    prompts = chat_prompts(fake_horde)
    assert len(prompts) == 5
    last = prompts[-1]
    assert last.startswith("<|im_start|>system\nYou are Assistant")
    for number in range(1, 6):
        assert f"<|im_start|>user\nalice: message number {number}<|im_end|>" in last
    assert last.count("<|im_start|>assistant\nNoted.<|im_end|>") == 4
    assert last.endswith("<|im_start|>assistant\n")


async def test_reply_shows_the_text_trimmed_at_the_next_speaker(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=0.05, text=lambda p, _: "Hi there!\nalice: and me"
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "hello")
        reply = await reply_done(discord_fake, thread, 1)
    assert reply.embeds[0]["description"] == "Hi there!"


async def test_message_without_mention_is_not_a_turn(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await discord_fake.user_message(thread, "just talking to bob", user=world.alice)
        await say(discord_fake, thread, world.alice, "now to you")
        await reply_done(discord_fake, thread, 1)
        assert len(replies_in(discord_fake, thread)) == 1
    assert "just talking to bob" not in chat_prompts(fake_horde)[0]


def _submit_params(fake_horde: FakeHorde) -> dict[str, object]:
    body = next(
        r.json
        for r in fake_horde.requests
        if r.method == "POST" and r.path.endswith("/v2/generate/text/async")
    )
    assert isinstance(body, dict)
    params = body["params"]
    assert isinstance(params, dict)
    return params


async def test_recommended_settings_and_stops_of_the_reference_are_sent(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=MODEL)
        await say(discord_fake, thread, world.alice, "hi")
        await reply_done(discord_fake, thread, 1)
    params = _submit_params(fake_horde)
    assert params["temperature"] == 0.7
    assert params["stop_sequence"] == ["<|im_end|>", "<|im_start|>", "\nalice:"]


async def test_model_missing_from_the_reference_gets_a_plain_transcript(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=["koboldcpp/mystery-13b"], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model="koboldcpp/mystery-13b")
        await say(discord_fake, thread, world.alice, "hi there")
        await reply_done(discord_fake, thread, 1)
    prompt = chat_prompts(fake_horde)[0]
    assert prompt.startswith("You are Assistant")
    assert prompt.endswith("alice: hi there\nAssistant:")


async def test_reference_is_fetched_once_for_many_turns(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with (
        reference_server() as (url, hits),
        chat_bot(discord_fake, fake_horde, tmp_path, url),
    ):
        thread = await start_chat(discord_fake, world, model=MODEL)
        for number in range(1, 4):
            await say(discord_fake, thread, world.alice, f"turn {number}")
            await reply_done(discord_fake, thread, number)
    assert hits == ["/db.json"]
