"""Who pressed Regenerate on a chat reply pays for it, even when the process that received
the press dies (SIGKILL) before submitting and another process (here: the next one on the
same database) submits the turn."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

from tests.e2e.bot_process import running_child
from tests.e2e.chat_support import (
    FERNET_KEY,
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

# Discord answers the placeholder post with a long rate limit: discord.py waits it out, so the
# process sits between choosing the payer and storing the job until it is killed.
STALL = {"message": "You are being rate limited.", "retry_after": 600, "global": False}
STALL_HEADERS = {"Via": "1.1 google", "X-RateLimit-Scope": "shared"}  # else: a Cloudflare ban


def payers(data_dir: Path) -> list[int]:
    """The member paying each stored chat job, oldest first."""
    with sqlite3.connect(data_dir / "bot.db") as conn:
        rows = conn.execute("SELECT user_id FROM generations WHERE kind = 'chat' ORDER BY id")
        return [int(row[0]) for row in rows]


async def test_regenerate_is_billed_to_the_presser_after_a_kill_between_press_and_submit(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.02)
    world = make_world(discord_fake)
    async with reference_server() as (url, _):
        async with running_child(
            discord_fake.base_url,
            fake_horde.base_url,
            tmp_path,
            ENCRYPTION_KEY=FERNET_KEY,
            MODEL_REFERENCE_URL=url,
        ) as first:
            thread = await start_chat(discord_fake, world, model=MODEL)
            await say(discord_fake, thread, world.alice, "answer me")
            reply = await reply_done(discord_fake, thread, 1, timeout=15)
            await discord_fake.wait_for(lambda: "Regenerate" in reply.buttons() or None, 5)
            path = f"/channels/{thread.id}/messages"
            posted = len(discord_fake.calls_to("POST", path))
            discord_fake.fail_next("POST", path, status=429, body=STALL, headers=STALL_HEADERS)
            press = await discord_fake.click(reply, label="Regenerate", user=world.bob)
            await press.wait_for_response()
            await discord_fake.wait_for(
                lambda: len(discord_fake.calls_to("POST", path)) > posted or None, 10
            )
            first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL
        assert payers(tmp_path) == [world.alice.id]  # the press was not submitted yet
        async with chat_bot(discord_fake, fake_horde, tmp_path, url):
            await reply_done(discord_fake, thread, 2, timeout=15)
    assert payers(tmp_path) == [world.alice.id, world.bob.id]
