"""/generate end to end: progress edited in place, the result, n > 1, long text, bad input."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import (
    MODEL,
    bot_edits,
    contents,
    final,
    generate,
    generate_bot,
    make_world,
    submits,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def test_reply_shows_progress_then_the_text(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.6)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Once upon a time")
        assert ia.response_type == 5  # deferred at once
        msg = await final(ia)
    progress = {c for c in contents(msg) if c and "Done" not in c}
    assert len(progress) >= 2
    assert any("Queued on the AI Horde" in c or "worker is writing" in c for c in progress)
    embed = msg.embeds[0]
    assert "[w1] reply to: Once upon a time" in embed["description"]
    assert MODEL in embed["footer"]["text"]
    assert "worker w1" in embed["footer"]["text"]
    assert msg.buttons() == ["Regenerate", "Continue", "Delete"]
    assert not msg.ephemeral
    assert discord_fake.unhandled == []


async def test_progress_shows_a_cancel_button_and_discord_timestamps(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Hello")
        running = await ia.wait_for_original(lambda m: "worker is writing" in m.content)
        assert running.buttons() == ["Cancel"]
        assert "started <t:" in running.content
        assert ":R>" in running.content
        await final(ia)


async def test_every_message_is_sent_with_mentions_disabled(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.3, text="@everyone look <@1>")
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "@everyone hi")
        await final(ia)
    bodies = [b for b in bot_edits(discord_fake) if isinstance(b, dict) and "content" in b]
    assert len(bodies) >= 3
    assert all(b.get("allowed_mentions") == {"parse": []} for b in bodies)


async def test_three_generations_are_each_shown_and_labelled(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Tell me", n=3)
        msg = await final(ia)
    assert [e.get("title") for e in msg.embeds] == ["1/3", "2/3", "3/3"]
    assert all("reply to: Tell me" in e["description"] for e in msg.embeds)


async def test_text_too_long_for_an_embed_comes_as_a_file_with_a_preview(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    long_text = "word " * 1500  # 7500 characters
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1, text=long_text)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Write a lot")
        msg = await final(ia)
    assert [a.filename for a in msg.attachments] == [f"generation-{1}.txt"]
    assert long_text in msg.attachments[0].data.decode()
    preview = msg.embeds[0]["description"]
    assert preview.startswith("word word")
    assert len(preview) <= 1000
    assert "attached file" in msg.content


async def test_model_choice_is_sent_to_the_horde(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(
            discord_fake,
            world.alice,
            world.channel,
            "Hi",
            model=MODEL,
            max_length=40,
            stop="\n|###",
        )
        await final(ia)
    body = next(r.json for r in fake_horde.requests if r.path.endswith("/generate/text/async"))
    assert isinstance(body, dict)
    assert body["models"] == [MODEL]
    assert body["params"]["max_length"] == 40
    assert body["params"]["stop_sequence"] == ["\n", "###"]


async def test_default_request_uses_any_model_and_a_small_max_length(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Hi")
        await final(ia)
    body = next(r.json for r in fake_horde.requests if r.path.endswith("/generate/text/async"))
    assert isinstance(body, dict)
    assert body.get("models", []) == []
    assert body["params"]["max_length"] == 160


async def test_private_generation_is_ephemeral(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.1)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Secret", private=True)
        msg = await final(ia)
    assert msg.ephemeral
    assert "reply to: Secret" in msg.embeds[0]["description"]


async def test_model_autocomplete_lists_active_models_with_load(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL, "other/big-model"])
    fake_horde.add_worker("w2", models=[MODEL])
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        choices = await discord_fake.autocomplete(
            "generate",
            {"prompt": "x", "model": "test"},
            focused="model",
            user=world.alice,
            channel=world.channel,
        )
    assert choices == [{"name": f"{MODEL} — 2 workers, 0 queued", "value": MODEL}]


async def assert_refused(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    options: dict[str, object],
    words: str,
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL])
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        ia = await discord_fake.send_slash(
            "generate", options, user=world.alice, channel=world.channel
        )
        assert await ia.wait_for_response() == 4
        assert ia.ephemeral
        message = ia.original()
        assert message is not None
        assert words in message.content
        assert await bot.services.generations.count_in_flight() == 0
    assert submits(fake_horde) == []


async def test_blank_prompt_is_refused_ephemerally(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await assert_refused(discord_fake, fake_horde, tmp_path, {"prompt": "   "}, "prompt is empty")


async def test_out_of_range_temperature_is_refused_ephemerally(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await assert_refused(
        discord_fake, fake_horde, tmp_path, {"prompt": "hi", "temperature": 9.0}, "`temperature`"
    )


async def test_max_length_over_context_is_refused_ephemerally(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await assert_refused(
        discord_fake,
        fake_horde,
        tmp_path,
        {"prompt": "hi", "max_length": 300, "max_context_length": 200},
        "`max_length`",
    )


async def test_unknown_model_is_refused_ephemerally(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await assert_refused(
        discord_fake,
        fake_horde,
        tmp_path,
        {"prompt": "hi", "model": "no/such-model"},
        "No worker serves a text model called `no/such-model`",
    )
