"""/status through both fakes: one reply, cached for 30 s, with a Refresh button."""

from __future__ import annotations

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, view_ready
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde

HEARTBEAT_PATH = "/v2/status/heartbeat"


# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.status"


async def status(discord_fake: FakeDiscord, world: World) -> FakeMessage:
    ia = await discord_fake.send_slash("status", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.embeds) or bool(m.content))
    return await view_ready(world, discord_fake, msg) if msg.buttons() else msg


@pytest.mark.usefixtures("bot")
async def test_status_shows_the_horde_at_a_glance_in_one_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("w1", models=["koboldcpp/alpha"], threads=2)
    fake_horde.add_worker("w2", models=["koboldcpp/alpha", "koboldcpp/beta"])
    fake_horde.add_news("Big update", "Text workers are faster now.")
    msg = await status(discord_fake, world)
    text = msg.text()
    assert f"version {fake_horde.version}" in text
    assert "2 (3 threads)" in text
    assert "requests" in text
    assert "tokens" in text
    assert text.index("koboldcpp/alpha") < text.index("koboldcpp/beta")  # most workers first
    assert "maintenance: off" in text
    assert "Big update" in text
    assert msg.buttons() == ["Refresh"]
    assert not msg.ephemeral


@pytest.mark.usefixtures("bot")
async def test_maintenance_mode_is_shown(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.maintenance = True
    msg = await status(discord_fake, world)
    assert "maintenance: on" in msg.text()


@pytest.mark.usefixtures("bot")
async def test_modes_are_fetched_without_an_api_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await status(discord_fake, world)
    requests = fake_horde.requests_to("/v2/status/modes")
    assert requests
    assert all("apikey" not in {k.lower() for k in r.headers} for r in requests)


@pytest.mark.usefixtures("bot")
async def test_modes_the_horde_will_not_tell_are_unknown(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.inject_fault("GET", "/v2/status/modes", kind="500", count=None)
    msg = await status(discord_fake, world)
    assert "maintenance: unknown" in msg.text()
    assert f"version {fake_horde.version}" in msg.text()


async def test_an_unreachable_horde_is_explained(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    bot.services.horde.retries = 0
    fake_horde.inject_fault("GET", "/v2/", kind="503", count=None)
    msg = await status(discord_fake, world)
    assert "cannot be reached" in msg.content
    assert not msg.embeds


@pytest.mark.usefixtures("bot")
async def test_a_second_status_within_30_seconds_reuses_the_snapshot(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await status(discord_fake, world)
    await status(discord_fake, world)
    assert len(fake_horde.requests_to(HEARTBEAT_PATH)) == 1


@pytest.mark.usefixtures("bot")
async def test_status_after_30_seconds_asks_the_horde_again(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await status(discord_fake, world)
    fake_horde.clock.advance(31)
    await status(discord_fake, world)
    assert len(fake_horde.requests_to(HEARTBEAT_PATH)) == 2


@pytest.mark.usefixtures("bot")
async def test_refresh_shows_what_changed(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await status(discord_fake, world)
    assert "koboldcpp/fresh" not in msg.text()
    fake_horde.add_worker("late", models=["koboldcpp/fresh"])
    fake_horde.clock.advance(31)
    edits = msg.edits
    await discord_fake.click(msg, label="Refresh", user=world.bob)
    updated = await discord_fake.wait_for(
        lambda: (
            discord_fake.messages[msg.id] if discord_fake.messages[msg.id].edits > edits else None
        ),
        5,
    )
    assert "koboldcpp/fresh" in updated.text()
    assert updated.buttons() == ["Refresh"]


# --- issue 13: text statistics, thread counts, news markdown ---------------------------


@pytest.mark.usefixtures("bot")
async def test_status_shows_text_statistics_and_todays_top_models(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    now = fake_horde.clock.time()
    fake_horde.delivered.extend(
        [(now - 10, 100, "koboldcpp/alpha")] * 3
        + [(now - 7200, 2500, "koboldcpp/beta")]
        + [(now - 3 * 86400, 900, "koboldcpp/old")]
    )
    msg = await status(discord_fake, world)
    text = msg.text()
    assert "Requests: 3/min · 3/hour · 4/day · 5/month" in text
    assert "Tokens: 300/min · 300/hour · 2.8k/day · 3.7k/month" in text
    today = text[text.index("Most used models today") :]
    assert today.index("koboldcpp/alpha") < today.index("koboldcpp/beta")
    assert "koboldcpp/old" not in today


@pytest.mark.usefixtures("bot")
async def test_a_models_count_is_labelled_as_worker_threads(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_worker("w1", models=["koboldcpp/alpha"], threads=4)
    msg = await status(discord_fake, world)
    assert "4 worker thread(s)" in msg.text()
    assert "4 worker(s)" not in msg.text()


@pytest.mark.usefixtures("bot")
async def test_news_markdown_renders_but_never_pings(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    fake_horde.add_news(
        "Update", "See [AIHorde.net](https://aihorde.net), **now** faster. @everyone <@123> @here"
    )
    msg = await status(discord_fake, world)
    text = msg.text()
    assert "[AIHorde.net](https://aihorde.net)" in text
    assert "**now**" in text
    assert "\\[" not in text
    assert "@everyone" not in text
    assert "@here" not in text
    assert "<@123>" not in text
