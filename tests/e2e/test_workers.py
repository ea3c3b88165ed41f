"""/workers list, /workers info and /workers mine through both fakes."""

from __future__ import annotations

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in, view_ready
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde

WORKERS_PATH = "/v2/workers"


# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.workers"


def add_workers(horde: FakeHorde, count: int, model: str = "koboldcpp/test-model") -> None:
    for i in range(1, count + 1):
        horde.add_worker(f"w{i:02d}", models=[model])


async def listing(discord_fake: FakeDiscord, world: World, **options: object) -> FakeMessage:
    ia = await discord_fake.send_slash(
        "workers list", options, user=world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: bool(m.embeds))
    return await view_ready(world, discord_fake, msg) if msg.buttons() else msg


def shown_names(msg: FakeMessage) -> list[str]:
    return [field["name"] for field in msg.embeds[0].get("fields", [])]


def button(msg: FakeMessage, label: str) -> dict[str, object]:
    return next(c for c in msg.iter_components() if c.get("label") == label)


async def turn(
    discord_fake: FakeDiscord, msg: FakeMessage, label: str, world: World
) -> FakeMessage:
    edits = discord_fake.messages[msg.id].edits
    await discord_fake.click(msg, label=label, user=world.alice)
    return await discord_fake.wait_for(
        lambda: (
            discord_fake.messages[msg.id] if discord_fake.messages[msg.id].edits > edits else None
        ),
        5,
    )


# --- list -------------------------------------------------------------------------------


@pytest.mark.usefixtures("bot")
async def test_the_list_shows_ten_workers_a_page(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 23)
    msg = await listing(discord_fake, world)
    assert shown_names(msg) == [f"w{i:02d}" for i in range(1, 11)]
    assert "Page 1/3" in msg.text()
    assert "koboldcpp/test-model" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_next_shows_the_following_page(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 23)
    msg = await turn(discord_fake, await listing(discord_fake, world), "Next", world)
    assert shown_names(msg) == [f"w{i:02d}" for i in range(11, 21)]
    assert "Page 2/3" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_previous_goes_back_a_page(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 23)
    msg = await turn(discord_fake, await listing(discord_fake, world), "Next", world)
    msg = await turn(discord_fake, msg, "Previous", world)
    assert shown_names(msg)[0] == "w01"


@pytest.mark.usefixtures("bot")
async def test_previous_is_disabled_on_the_first_page_and_next_on_the_last(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 12)
    msg = await listing(discord_fake, world)
    assert button(msg, "Previous").get("disabled") is True
    assert not button(msg, "Next").get("disabled")
    msg = await turn(discord_fake, msg, "Next", world)
    assert shown_names(msg) == ["w11", "w12"]
    assert button(msg, "Next").get("disabled") is True


@pytest.mark.usefixtures("bot")
async def test_another_member_cannot_turn_the_pages(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 23)
    msg = await listing(discord_fake, world)
    ia = await discord_fake.click(msg, label="Next", user=world.bob)
    await ia.wait_for_response()
    assert "Only the member who ran this command" in (ia.response or {})["data"]["content"]
    assert "Page 1/3" in discord_fake.messages[msg.id].text()


@pytest.mark.usefixtures("bot")
async def test_a_single_page_has_no_buttons(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 3)
    msg = await listing(discord_fake, world)
    assert len(shown_names(msg)) == 3
    assert msg.buttons() == []


@pytest.mark.usefixtures("bot")
async def test_the_model_option_keeps_only_workers_serving_it(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("llama-box", models=["koboldcpp/Llama-3-8B"])
    fake_horde.add_worker("mistral-box", models=["aphrodite/Mistral-7B"])
    msg = await listing(discord_fake, world, model="llama")
    assert shown_names(msg) == ["llama-box"]


@pytest.mark.usefixtures("bot")
async def test_no_worker_for_the_model_says_so(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 2)
    msg = await listing(discord_fake, world, model="no-such-model")
    assert "No active text worker serves that model" in msg.text()


# --- info -------------------------------------------------------------------------------


async def info(discord_fake: FakeDiscord, world: World, worker: str) -> FakeMessage:
    ia = await discord_fake.send_slash(
        "workers info", {"worker": worker}, user=world.alice, channel=world.channel
    )
    return await ia.wait_for_original(lambda m: bool(m.embeds) or bool(m.content))


@pytest.mark.usefixtures("bot")
async def test_info_by_name_shows_the_worker(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    worker = fake_horde.add_worker("solo", models=["koboldcpp/m1"], max_length=256, trusted=True)
    msg = await info(discord_fake, world, "solo")
    assert msg.embeds[0]["title"] == "solo"
    assert worker.id in msg.text()
    assert "256 / 4096" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_info_by_id_shows_the_worker(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    worker = fake_horde.add_worker("by-id")
    msg = await info(discord_fake, world, worker.id)
    assert msg.embeds[0]["title"] == "by-id"


@pytest.mark.usefixtures("bot")
async def test_info_finds_a_worker_the_cached_list_does_not_know_yet(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 1)
    await listing(discord_fake, world)  # fills the cache
    fake_horde.add_worker("newcomer")
    msg = await info(discord_fake, world, "newcomer")
    assert msg.embeds[0]["title"] == "newcomer"
    assert fake_horde.requests_to("/v2/workers/name/newcomer")


@pytest.mark.usefixtures("bot")
async def test_info_on_an_unknown_worker_is_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await info(discord_fake, world, "ghost")
    assert "no worker called `ghost`" in msg.content


@pytest.mark.usefixtures("bot")
async def test_autocomplete_offers_matching_workers_by_id(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    alpha = fake_horde.add_worker("alpha")
    fake_horde.add_worker("beta")
    choices = await discord_fake.autocomplete(
        "workers info", {"worker": "alp"}, focused="worker", user=world.alice, channel=world.channel
    )
    assert [c["value"] for c in choices] == [alpha.id]
    assert choices[0]["name"].startswith("alpha")


@pytest.mark.usefixtures("bot")
async def test_autocomplete_reuses_the_worker_list_for_a_minute(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    add_workers(fake_horde, 2)

    async def complete() -> None:
        await discord_fake.autocomplete(
            "workers info",
            {"worker": "w"},
            focused="worker",
            user=world.alice,
            channel=world.channel,
        )

    await complete()
    await complete()
    assert len(fake_horde.requests_to(WORKERS_PATH, "GET")) == 1
    fake_horde.clock.advance(61)
    await complete()
    assert len(fake_horde.requests_to(WORKERS_PATH, "GET")) == 2


# --- mine -------------------------------------------------------------------------------


async def test_mine_lists_the_invokers_own_workers(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    alice = fake_horde.add_user("alice")
    fake_horde.add_worker("alice-1", owner=alice)
    fake_horde.add_worker("alice-2", owner=alice)
    fake_horde.add_worker("someone-else")
    await log_in(bot, world.alice, alice)
    ia = await discord_fake.send_slash("workers mine", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.embeds))
    assert shown_names(msg) == ["alice-1", "alice-2"]
    assert msg.ephemeral


async def test_mine_without_workers_says_so(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await log_in(bot, world.alice, fake_horde.add_user("alice"))
    ia = await discord_fake.send_slash("workers mine", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.embeds))
    assert "no workers" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_mine_without_login_asks_to_log_in(discord_fake: FakeDiscord, world: World) -> None:
    ia = await discord_fake.send_slash("workers mine", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.content))
    assert "/login" in msg.content
