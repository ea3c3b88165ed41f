"""Engine metrics of an in-process bot: chat turns, delivery fallbacks, generations by kind.

The registry is the process's own, so each test compares a scrape before and after.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.chat_support import MODEL as CHAT_MODEL
from tests.e2e.chat_support import chat_bot, reference_server, reply_done, say, start_chat
from tests.e2e.chat_support import make_world as chat_world
from tests.e2e.generate_support import MODEL, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.metrics_text import metric_value, scrape_registry

TOKEN_LIFETIME = 15 * 60


def counter(name: str, **labels: str) -> float:
    return metric_value(scrape_registry(), name, **labels)


async def test_an_answered_chat_turn_is_counted_with_its_generation(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[CHAT_MODEL], seconds_per_job=0.05)
    world = chat_world(discord_fake)
    answered = counter("horde_bot_chat_turns_total", outcome="answered")
    done = counter("horde_bot_generations_total", kind="chat", state="done")
    async with reference_server() as (url, _), chat_bot(discord_fake, fake_horde, tmp_path, url):
        thread = await start_chat(discord_fake, world, model=CHAT_MODEL)
        await say(discord_fake, thread, world.alice, "hello there")
        await reply_done(discord_fake, thread, 1)
    assert counter("horde_bot_chat_turns_total", outcome="answered") == answered + 1
    assert counter("horde_bot_generations_total", kind="chat", state="done") == done + 1


async def test_a_result_posted_after_discord_refused_the_edit_counts_as_a_fallback(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    refused = counter("horde_bot_delivery_fallbacks_total", reason="edit_refused")
    not_editable = counter("horde_bot_delivery_fallbacks_total", reason="not_editable")
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Slow one")
        await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
        # Discord's clock only: the bot still thinks the token lives, Discord answers 401.
        discord_fake.clock.advance(TOKEN_LIFETIME + 1)
        await discord_fake.wait_for(
            lambda: counter("horde_bot_delivery_fallbacks_total", reason="edit_refused") > refused,
            timeout=20,
        )
    assert counter("horde_bot_delivery_fallbacks_total", reason="edit_refused") == refused + 1
    assert counter("horde_bot_delivery_fallbacks_total", reason="not_editable") == not_editable
