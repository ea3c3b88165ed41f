"""§2b: many generations at once against a fake Discord applying per-webhook rate limits.

Real time. Every interaction's reply is edited through its own webhook (application id +
interaction token), and Discord limits each webhook to about 5 requests per 2 s; the fake
answers 429 past that. The bot should never get one: its edit pacing (one edit per 1.5 s
per reply) and discord.py's bucket handling must keep it under.
"""

from __future__ import annotations

import asyncio
import time

from bench.report import Row
from bench.world import bot_on_fakes
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde

__all__ = ["run"]

MODEL = "koboldcpp/test-model"
WEBHOOK_LIMIT = 5
WEBHOOK_PER = 2.0


async def _burst(
    discord_fake: FakeDiscord, horde: FakeHorde, count: int, per_job: float
) -> list[FakeInteraction]:
    """``count`` members run /generate at once; returns their interactions once all ended."""
    owner = horde.add_user("owner", kudos=1e6)
    for i in range(max(1, count // 5)):
        horde.add_worker(f"w{i}", models=[MODEL], seconds_per_job=per_job, owner=owner)
    horde.anonymous.concurrency = 10 * count
    guild = discord_fake.add_guild("Bench")
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    members = [discord_fake.add_member(guild, f"m{i}", permissions=0) for i in range(count)]
    env = {"HORDE_SUBMITS_PER_SECOND": str(count), "HORDE_SUBMITS_PER_MINUTE": str(10 * count)}
    async with bot_on_fakes(discord_fake, horde, horde.clock, env=env):
        discord_fake.rate_limits.enable(
            WEBHOOK_LIMIT, WEBHOOK_PER, match=lambda _method, path: "/webhooks/" in path
        )
        interactions = await asyncio.gather(
            *(
                discord_fake.send_slash(
                    "generate", {"prompt": f"burst {i}"}, user=m, channel=channel
                )
                for i, m in enumerate(members)
            )
        )
        await asyncio.gather(*(_finished(ia) for ia in interactions))
    return list(interactions)


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    count = 5 if quick else 100
    per_job = 0.2 if quick else 1.0
    horde = FakeHorde()
    horde.rate_limits = False  # this measures Discord; the Horde's limits are §1's business
    await horde.start()
    discord_fake = FakeDiscord()
    await discord_fake.start()
    started = time.monotonic()
    try:
        interactions = await _burst(discord_fake, horde, count, per_job)
        done = sum(1 for ia in interactions if _is_done(ia))
    finally:
        await discord_fake.stop()
        await horde.close()
    hits = len(discord_fake.rate_limits.hits)
    webhook_calls = sum(1 for c in discord_fake.calls if "/webhooks/" in c.path)
    row = Row(
        "2",
        f"429s from Discord, {count} generations at once (per-webhook {WEBHOOK_LIMIT}/"
        f"{WEBHOOK_PER:g} s)",
        f"{hits} × 429 ({done}/{count} done, {webhook_calls} webhook calls)",
        "— (429s are counted, not compared)",
        None,
        "0",
        hits == 0 and done == count,
        "edits of one reply came faster than the webhook's bucket; the ReplyUpdater should "
        "honour the bucket (discord.py does when the headers arrive) or widen its pacing.",
    )
    note = (
        f"§2b: real time, {count} members each running /generate at once; "
        f"{max(1, count // 5)} scripted workers at {per_job:g} s per job; production polling "
        f"(2-15 s) and edit pacing (1.5 s); the bot's submit governor raised to {count}/s so "
        f"the burst reaches the Horde at once (the Horde's own limits are off here). Took "
        f"{time.monotonic() - started:.0f} s."
    )
    return [row], [note]


def _is_done(ia: FakeInteraction) -> bool:
    message = ia.original()
    return message is not None and "Done" in message.content


async def _finished(ia: FakeInteraction) -> None:
    await ia.wait_for_response()
    try:
        await ia.wait_for_original(lambda m: "Done" in m.content, timeout=120)
    except TimeoutError:
        return
