"""Two bots on split shards and one PostgreSQL database share the Horde's per-IP submit budget:
a burst of 40 /generate spread over both never puts more than the budget in one second and
never meets a 429."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from tests.e2e.generate_support import MODEL, generate_bot, log_in
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

PER_SECOND = 4  # the budget of the IP, and of each process (scaled up from 2 to keep it short)
MEMBERS = 10  # per server
EACH = 2


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_forty_generates_over_two_processes_keep_one_budget(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, postgres_database: str
) -> None:
    discord_fake.gateway.shard_count = 2
    worker = fake_horde.add_worker("w1", models=[MODEL])
    worker.paused = True  # only the submits matter
    fake_horde.submit_limit_per_second = PER_SECOND  # refused with 429 above this
    async with contextlib.AsyncExitStack() as stack:
        sends = []
        for shard in (0, 1):
            guild = discord_fake.add_guild(f"guild on shard {shard}", shard=shard)
            channel = discord_fake.add_channel(guild, "general", nsfw=False)
            bot = await stack.enter_async_context(
                generate_bot(
                    discord_fake,
                    fake_horde,
                    tmp_path / str(shard),
                    DATABASE_URL=postgres_database,
                    SHARD_COUNT="2",
                    SHARD_IDS=str(shard),
                    HORDE_SUBMITS_PER_SECOND=str(PER_SECOND),
                )
            )
            for i in range(MEMBERS):
                member = discord_fake.add_member(guild, f"m{shard}-{i}", permissions=0)
                await log_in(bot, member, fake_horde.add_user(f"m{shard}-{i}"))
                sends += [
                    discord_fake.send_slash(
                        "generate", {"prompt": f"p{j}"}, user=member, channel=channel
                    )
                    for j in range(EACH)
                ]
        await asyncio.gather(*sends)
        async with asyncio.timeout(40):
            while len(fake_horde.text_requests) < 2 * MEMBERS * EACH:
                await asyncio.sleep(0.05)
    assert len(fake_horde.submit_times) == 2 * MEMBERS * EACH  # not one refused (429)
    assert most_in_one_second(fake_horde.submit_times) <= PER_SECOND
