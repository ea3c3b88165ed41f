"""/chat start style: allowed when every model of the style shares one instruct format the
bot knows (the transcript is written in it); each turn then carries the style's id."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.chat_support import (
    MODEL,
    chat_bot,
    make_world,
    reference_server,
    reply_done,
    say,
    start_chat,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


def submits(horde: FakeHorde) -> list[dict[str, object]]:
    return [
        r.json
        for r in horde.requests
        if r.method == "POST"
        and r.path.endswith("/v2/generate/text/async")
        and isinstance(r.json, dict)
    ]


async def test_a_style_whose_models_share_a_format_styles_every_turn(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    author = fake_horde.add_user("author", customizer=True)
    style = fake_horde.records.add_style(
        "Terse", author, prompt="Answer briefly. {p}", models=[MODEL], params={"max_length": 40}
    )
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, style=style.id, model=MODEL)
        await say(discord_fake, thread, world.alice, "Hello there")
        await reply_done(discord_fake, thread, 1)
    (body,) = submits(fake_horde)
    assert body["style"] == style.id
    assert "<|im_start|>" in str(body["prompt"])  # ChatML, the style's model's format
    started = [m for m in discord_fake.messages.values() if "conversation is in" in m.content]
    assert "Style **Terse** applied" in started[0].content
    assert "replaced your `model`" in started[0].content


async def test_a_style_mixing_instruct_formats_is_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    author = fake_horde.add_user("author", customizer=True)
    mixed = fake_horde.records.add_style("Mixed", author, models=[MODEL, "alpaca-model"])
    unknown = fake_horde.records.add_style("Odd", author, models=["koboldcpp/mystery-9B"])
    world = make_world(discord_fake)
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        before = set(discord_fake.channels)
        answers = []
        for style in (mixed, unknown):
            ia = await discord_fake.send_slash(
                "chat start", {"style": style.id}, user=world.alice, channel=world.channel
            )
            msg = await ia.wait_for_original(lambda m: bool(m.content))
            answers.append(msg.content)
        assert set(discord_fake.channels) == before
    assert "different instruct formats" in answers[0]
    assert "does not know the instruct format" in answers[1]
    assert submits(fake_horde) == []
