"""Text styles through both fakes: /generate style:, /styles list|info|create|edit|delete.

The Horde allows about 20 style requests an hour per IP: the bot keeps one shared cache, so
autocompletes and lists never ask per keystroke, and the Horde's 429 is told plainly.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.bot import HordeBot
from tests.e2e.botkit import modal_inputs
from tests.e2e.generate_support import World, engine_idle, generate_bot, log_in, make_world
from tests.fakes.discord import FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde, User

MODEL = "koboldcpp/fake-13B"
STYLE_LIST = "/v2/styles/text"


@contextlib.asynccontextmanager
async def styles_bot(
    discord_fake: FakeDiscord, horde: FakeHorde, tmp_path: Path
) -> AsyncIterator[HordeBot]:
    horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with generate_bot(
        discord_fake, horde, tmp_path, extensions=("cogs.generate", "cogs.styles")
    ) as bot:
        yield bot


def list_reads(horde: FakeHorde) -> int:
    return len([r for r in horde.requests_to(STYLE_LIST, "GET") if r.path == STYLE_LIST])


async def answer(
    discord_fake: FakeDiscord,
    world: World,
    command: str,
    user: FakeUser | None = None,
    **options: Any,
) -> FakeMessage:
    ia = await discord_fake.send_slash(
        command, options, user=user or world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.content))
    assert msg.ephemeral
    return msg


def seed(horde: FakeHorde) -> tuple[User, Any]:
    author = horde.add_user("author", customizer=True)
    style = horde.records.add_style(
        "Pirate",
        author,
        prompt="Speak like a pirate: {p}",
        models=[MODEL],
        params={"max_length": 60, "temperature": 0.5},
        tags=["fun"],
        info="Arr, every answer as a pirate would say it.",
    )
    return author, style


async def test_generate_with_a_style_sends_its_id_and_says_what_it_replaced(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    _, style = seed(fake_horde)
    async with styles_bot(discord_fake, fake_horde, tmp_path) as bot:
        choices = await discord_fake.autocomplete(
            "generate",
            {"prompt": "x", "style": "pir"},
            focused="style",
            user=world.alice,
            channel=world.channel,
        )
        assert choices == [{"name": "Pirate — by author#1", "value": style.id}]
        ia = await discord_fake.send_slash(
            "generate",
            {"prompt": "Hello", "style": style.id, "temperature": 1.5, "n": 2},
            user=world.alice,
            channel=world.channel,
        )
        msg = await ia.wait_for_original(lambda m: "Done" in m.content, timeout=8)
        await engine_idle(bot)
    (submit,) = fake_horde.requests_to("/v2/generate/text/async", "POST")
    assert isinstance(submit.json, dict)
    assert submit.json["style"] == style.id
    assert submit.json["params"] == {"n": 2}
    assert "models" not in submit.json or submit.json["models"] == []
    assert "Style **Pirate** applied" in msg.content
    assert "replaced your `temperature`" in msg.content
    # The fake Horde applied the style: its worker saw the wrapped prompt.
    assert "Speak like a pirate: Hello" in msg.embeds[0]["description"]


async def test_autocomplete_never_asks_the_horde_per_keystroke(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    seed(fake_horde)
    async with styles_bot(discord_fake, fake_horde, tmp_path):
        for typed in ("", "p", "pi", "pir", "pira"):
            await discord_fake.autocomplete(
                "styles info",
                {"style": typed},
                focused="style",
                user=world.alice,
                channel=world.channel,
            )
        await answer(discord_fake, world, "styles list")
        await answer(discord_fake, world, "styles list", tag="fun")
    assert list_reads(fake_horde) == 1


async def test_list_and_info_need_no_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    _, style = seed(fake_horde)
    async with styles_bot(discord_fake, fake_horde, tmp_path):
        listed = await answer(discord_fake, world, "styles list", model="fake")
        assert "**Pirate** by author#1" in listed.content
        none = await answer(discord_fake, world, "styles list", tag="serious")
        assert "No cached text style matches" in none.content
        info = await answer(discord_fake, world, "styles info", style=style.id)
        assert "Speak like a pirate: {p}" in info.content
        assert "`temperature`=0.5" in info.content
        missing = await answer(discord_fake, world, "styles info", style="no-such-style")
        assert "has no text style" in missing.content


async def test_create_checks_the_prompt_before_sending_and_shows_the_refusal(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    plain = fake_horde.add_user("plain")
    maker = fake_horde.add_user("maker", customizer=True)
    fields = {
        "Name": "Haiku",
        "Prompt template (must contain {p})": "Write a haiku about {p}",
        "Description (optional, 10+ characters)": "Seventeen syllables.",
        "Models (1 to 5, separated by commas)": MODEL,
        "Tags (optional, separated by commas)": "poetry, short",
    }
    async with styles_bot(discord_fake, fake_horde, tmp_path) as bot:
        msg = await answer(discord_fake, world, "styles create")
        assert "/login" in msg.content
        await log_in(bot, world.alice, plain)
        refused = await create(
            discord_fake, world, {**fields, "Prompt template (must contain {p})": "no slot"}
        )
        assert "must contain `{p}`" in refused.content
        assert fake_horde.requests_to(STYLE_LIST, "POST") == []
        refused = await create(discord_fake, world, fields)
        assert "customizer" in refused.content
        await log_in(bot, world.alice, maker)
        made = await create(discord_fake, world, fields)
        assert "Created the style **Haiku**" in made.content
        (style,) = [s for s in fake_horde.records.styles.values() if s.name == "Haiku"]
        assert (style.prompt, style.models, style.tags) == (
            "Write a haiku about {p}",
            [MODEL],
            ["poetry", "short"],
        )
        listed = await answer(discord_fake, world, "styles list", tag="poetry")
        assert "**Haiku** by maker#" in listed.content


async def create(discord_fake: FakeDiscord, world: World, values: dict[str, str]) -> FakeMessage:
    opened = await discord_fake.send_slash(
        "styles create", {}, user=world.alice, channel=world.channel
    )
    assert await opened.wait_for_response() == 9
    ids = modal_inputs(opened.modal)
    submitted = await discord_fake.submit_modal(
        opened, {ids[label]: value for label, value in values.items()}, user=world.alice
    )
    return await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))


async def test_edit_is_for_the_owner_and_delete_asks_to_confirm(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    author, style = seed(fake_horde)
    stranger = fake_horde.add_user("stranger", customizer=True)
    async with styles_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.bob, stranger)
        ia = await discord_fake.send_slash(
            "styles edit", {"style": style.id}, user=world.bob, channel=world.channel
        )
        assert await ia.wait_for_response() == 9
        ids = modal_inputs(ia.modal)
        submitted = await discord_fake.submit_modal(ia, {ids["Name"]: "Stolen"}, user=world.bob)
        msg = await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))
        assert "Only its owner" in msg.content
        assert style.name == "Pirate"
        await log_in(bot, world.alice, author)
        ia = await discord_fake.send_slash(
            "styles edit", {"style": style.id}, user=world.alice, channel=world.channel
        )
        await ia.wait_for_response()
        ids = modal_inputs(ia.modal)
        assert "Speak like a pirate: {p}" in str(ia.modal)  # prefilled with the current style
        submitted = await discord_fake.submit_modal(ia, {ids["Name"]: "Corsair"}, user=world.alice)
        msg = await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))
        assert "Changed the style **Corsair**" in msg.content
        assert (style.name, style.prompt) == ("Corsair", "Speak like a pirate: {p}")
        ia = await discord_fake.send_slash(
            "styles delete", {"style": style.id}, user=world.alice, channel=world.channel
        )
        confirm = await ia.wait_for_original(lambda m: "Confirm" in m.buttons())
        assert style.id in fake_horde.records.styles
        await discord_fake.wait_for(
            lambda: bot._connection._view_store.is_message_tracked(confirm.id) or None, 5
        )
        await discord_fake.click(confirm, label="Confirm", user=world.alice)
        await ia.wait_for_original(lambda m: "Deleted the style" in m.content)
        assert style.id not in fake_horde.records.styles


async def test_the_horde_style_limit_is_told_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    seed(fake_horde)
    fake_horde.inject_fault("GET", STYLE_LIST, kind="429", count=None)
    async with styles_bot(discord_fake, fake_horde, tmp_path):
        msg = await answer(discord_fake, world, "styles list")
        assert "limit on style requests" in msg.content
        reads = list_reads(fake_horde)
        again = await answer(discord_fake, world, "styles list")
        assert "limit on style requests" in again.content
    assert list_reads(fake_horde) == reads  # no new request while the limit holds
