"""Crash consistency: ``python -m bot`` is SIGKILLed at seeded random moments with 20
generations in flight, restarted on the same data folder, and nothing is lost.

One round: a child bot starts, one member logs in through the /login modal, five members
start 20 generations; once all 20 are stored the child is killed at a random moment, a
second child is started and killed at another random moment, then a third bot (the same
``open_bot`` assembly, in process) runs until every reply shows its result. Checked after
each round: every reply final, all 20 jobs ``done`` and delivered with their tokens erased,
``PRAGMA integrity_check`` ok, database files mode 0600, and no secret in the children's
DEBUG output.

Three seeded rounds by default; ``RELIABILITY_SOAK=1`` runs 30 (``RELIABILITY_SOAK=N``
with N > 1 runs N).
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from tests.e2e.bot_process import running_child
from tests.e2e.generate_support import FERNET_KEY, MODEL, generate, generate_bot
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeInteraction, FakeUser
from tests.fakes.horde import FakeHorde
from tests.reliability.secret_guard import known_secrets
from tests.reliability.support import (
    assert_jobs_settled,
    assert_replies_final,
    expect,
    integrity,
    job_rows,
    kill,
    login,
    rounds,
    unfinished,
)

JOBS = 20
MEMBERS = 5


def child(discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path):
    """A ``python -m bot`` child at DEBUG with limits raised for 20 jobs at once."""
    return running_child(
        discord_fake.base_url,
        horde.base_url,
        data_dir,
        ENCRYPTION_KEY=FERNET_KEY,
        HORDE_SUBMITS_PER_SECOND="20",
        HORDE_SUBMITS_PER_MINUTE="600",
        MAX_GENERATIONS_PER_USER="5",
        LOG_LEVEL="DEBUG",
    )


async def stored(data_dir: Path, count: int, timeout: float = 15.0) -> None:
    """Wait until ``count`` jobs are in the database."""
    async with asyncio.timeout(timeout):
        while len(job_rows(data_dir)) < count:
            await asyncio.sleep(0.05)


async def start_jobs(
    discord_fake: FakeDiscord, members: list[FakeUser], channel: FakeChannel
) -> list[FakeInteraction]:
    sends = [
        generate(discord_fake, members[i % len(members)], channel, f"Crash prompt {i}")
        for i in range(JOBS)
    ]
    return list(await asyncio.gather(*sends))


def private_files(data_dir: Path) -> list[str]:
    """Database files that are not mode 0600."""
    return [
        f"{p.name}:{oct(p.stat().st_mode & 0o777)}"
        for p in data_dir.glob("bot.db*")
        if p.stat().st_mode & 0o777 != 0o600
    ]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(rounds()))
async def test_sigkill_at_random_moments_loses_no_generation(
    seed: int, discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    fake_horde.rate_limits = False
    for i in range(4):
        fake_horde.add_worker(f"w{i}", models=[MODEL], seconds_per_job=rng.uniform(0.3, 0.8))
    payer = fake_horde.add_user("payer", kudos=10_000.0)
    guild = discord_fake.add_guild("Crash Guild")
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    members = [discord_fake.add_member(guild, f"m{i}", permissions=0) for i in range(MEMBERS)]
    outputs: list[str] = []
    async with child(discord_fake, fake_horde, tmp_path) as first:
        await login(discord_fake, members[0], channel, payer.apikey)
        ias = await start_jobs(discord_fake, members, channel)
        await stored(tmp_path, JOBS)
        await kill(first, rng.uniform(0.0, 1.0))
        outputs.append(first.output)
    # At least 20 jobs x 0.3 s over 4 workers were left: the kill hit work in flight.
    in_flight = [r["id"] for r in job_rows(tmp_path) if r["delivered_at"] is None]
    expect(bool(in_flight), f"seed {seed}: nothing was in flight when the bot was killed")
    async with child(discord_fake, fake_horde, tmp_path) as second:
        await kill(second, rng.uniform(0.0, 1.5))
        outputs.append(second.output)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        missing = await unfinished(ias, timeout=20)
    expect(not missing, f"seed {seed}: replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, JOBS)
    expect(integrity(tmp_path) == "ok", f"seed {seed}: integrity_check failed")
    expect(not private_files(tmp_path), f"not 0600: {private_files(tmp_path)}")
    leaked = [
        s[:4] for s in known_secrets([discord_fake, fake_horde]) if any(s in o for o in outputs)
    ]
    expect(not leaked, f"secrets in the child's DEBUG output: {leaked}")
    payer_submits = [
        r
        for r in fake_horde.requests_to("/v2/generate/text/async", "POST")
        if r.headers.get("apikey") == payer.apikey
    ]
    expect(bool(payer_submits), "the logged-in member's key was never used")
