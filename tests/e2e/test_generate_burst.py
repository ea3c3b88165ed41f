"""A burst of 50 /generate from 10 members stays under the Horde's submit limits, fairly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.generate_support import MODEL, generate_bot, log_in, make_world, submits
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

PER_SECOND = 10
MEMBERS = 10
EACH = 5


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_burst_of_fifty_never_exceeds_the_submit_limit_and_is_fair(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    worker = fake_horde.add_worker("w1", models=[MODEL])
    worker.paused = True  # keep every request queued: only the submits matter here
    fake_horde.submit_limit_per_second = PER_SECOND
    members = [discord_fake.add_member(world.guild, f"m{i}", permissions=0) for i in range(MEMBERS)]
    horde_users = [fake_horde.add_user(f"m{i}") for i in range(MEMBERS)]
    async with generate_bot(
        discord_fake,
        fake_horde,
        tmp_path,
        HORDE_SUBMITS_PER_SECOND=str(PER_SECOND),
        MAX_GENERATIONS_PER_USER=str(EACH),
    ) as bot:
        for member, horde_user in zip(members, horde_users, strict=True):
            await log_in(bot, member, horde_user)
        # Hold submits until the whole burst is queued in the bot, so the order of grants
        # shows the governor's fairness rather than the order the commands happened to arrive.
        bot.services.generations.governor.penalize(3.0)
        # Member-major order: first-come-first-served would serve m0's five first.
        await asyncio.gather(
            *(
                discord_fake.send_slash(
                    "generate", {"prompt": f"p{j}"}, user=member, channel=world.channel
                )
                for member in members
                for j in range(EACH)
            )
        )
        async with asyncio.timeout(15):
            while len(fake_horde.text_requests) < MEMBERS * EACH:
                await asyncio.sleep(0.05)
    assert len(fake_horde.submit_times) == MEMBERS * EACH  # not one refused (429)
    assert most_in_one_second(fake_horde.submit_times) <= PER_SECOND
    keys = submits(fake_horde)
    owner = {u.apikey: i for i, u in enumerate(horde_users)}
    first_round = {owner[k] for k in keys[: 2 * MEMBERS]}
    assert first_round == set(range(MEMBERS))
