"""discord.py's requests are counted without an aiohttp trace config (bot.metrics.discord_http).

An in-process bot wired by ``open_bot`` with metrics on, against the fake Discord: the login's
first request, the gateway upgrade, REST calls of discord.py's ``HTTPClient`` and the
interaction/webhook calls of its webhook adapter are all counted, 429s by scope, edits by
target. The same test pins the private shapes bot.metrics.discord_http relies on (discord.py's
``_HTTPClient__session``, made at login and used for every request): a discord.py upgrade that
moves them makes it fail instead of the Discord metrics silently stopping.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.metrics_text import metric_value, scrape_registry

CHANNEL_EDIT = "/channels/{id}/messages/{id}"
RATE_LIMITED = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}


async def test_discord_requests_are_counted_on_a_session_without_trace_configs(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    before = scrape_registry()
    async with generate_bot(
        discord_fake, fake_horde, tmp_path, METRICS_LISTEN="127.0.0.1:9108"
    ) as bot:
        session = bot.http._HTTPClient__session  # type: ignore[attr-defined]
        assert isinstance(session, aiohttp.ClientSession)
        assert session.trace_configs == []  # no per-request trace machinery
        await final(await generate(discord_fake, world.alice, world.channel, "A short tale"))
        message = await bot.get_partial_messageable(world.channel.id).send("plain message")
        discord_fake.fail_next(
            "PATCH",
            "/messages/",
            status=429,
            body=RATE_LIMITED,
            headers={"X-RateLimit-Scope": "shared", "Via": "1.1 google"},  # Discord, not a proxy
        )
        await message.edit(content="edited")
    after = scrape_registry()

    def moved(name: str, **labels: str) -> float:
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    requests = "horde_bot_discord_requests_total"
    # The login's first request, made on the session discord.py has just created.
    assert moved(requests, method="GET", route="/users/@me", status="200") == 1
    assert moved(requests, method="GET", route="/gateway", status="101") == 1
    callback = "/interactions/{id}/{id}/callback"
    assert moved(requests, method="POST", route=callback, status="200") == 1
    assert moved("horde_bot_discord_edits_total", target="interaction") >= 1
    assert moved(requests, method="POST", route="/channels/{id}/messages", status="200") == 1
    assert moved(requests, method="PATCH", route=CHANNEL_EDIT, status="429") == 1
    assert moved("horde_bot_discord_rate_limited_total", route=CHANNEL_EDIT, scope="shared") == 1
    assert moved("horde_bot_discord_edits_total", target="channel") == 1
    assert moved("horde_bot_discord_request_seconds_count", family="channels") == 3
    assert moved("horde_bot_discord_request_seconds_count", family="webhooks") >= 1
