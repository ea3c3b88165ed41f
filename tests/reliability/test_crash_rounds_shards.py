"""Crash consistency across two processes (issue 15): two ``python -m bot`` processes on split
shards of one real PostgreSQL database, SIGKILLed at seeded random moments with 20
generations in flight over both shards' guilds, and nothing is lost.

One round: both processes start (``SHARD_IDS=0`` and ``1`` of 2, a 2 s lease), a member of the
shard-1 guild logs in through the /login modal, ten members (five per guild) start 20
generations; once all 20 are stored, after a random moment, the round's victims are SIGKILLed —
shard 0's process, shard 1's, or both (rounds alternate) — and each victim is restarted on its
shards after another random delay (shorter or longer than the lease: its jobs are either taken
back by the restarted process or taken over by the survivor). Checked after each round:

- every reply shows its result, and once it did, no later edit showed anything else (two
  processes editing one reply can never leave a stale progress line last); no result was
  posted as a new message;
- all 20 jobs ``done``, delivered, their interaction tokens erased;
- the fake Horde got exactly one submit per generation. The one exception the product cannot
  avoid is counted, not hidden: a submit the Horde accepted while its process was killed
  before storing the Horde id (the Horde has no idempotency key, see ``submitter.py``). Such
  an extra request is allowed only for a job of a killed process whose row had no Horde id
  right after the kill, only if it was sent before the kill (read by the fake Horde by the
  time the victims were reaped, well before any takeover), and at most once;
- the logged-in member's key paid for every one of their submits, also those another process
  made after a takeover; no secret in any child's DEBUG output.

Three seeded rounds by default; ``RELIABILITY_SOAK`` as in ``test_crash_rounds.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.generate_support import MODEL, generate
from tests.e2e.split_shards import LEASE, guild_on_shard, shard_process, split_shard_env
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeInteraction, FakeUser
from tests.fakes.horde import FakeHorde, User
from tests.postgres.jobs import job_rows
from tests.reliability.secret_guard import known_secrets
from tests.reliability.support import (
    assert_replies_final,
    assert_rows_settled,
    expect,
    login,
    rounds,
    unfinished,
)

JOBS = 20
MEMBERS_PER_GUILD = 5
SHARDS = ("0", "1")
# The processes each round kills: shard 0's, shard 1's, then both, and again.
VICTIMS = (("0",), ("1",), ("0", "1"))
DRAIN = 0.2  # seconds for the fake Horde to read a victim's last request (well under LEASE)


@dataclass
class World:
    channels: dict[str, FakeChannel]  # by shard
    members: dict[str, list[FakeUser]]  # by shard
    payer_member: FakeUser
    payer: User


@dataclass
class Round:
    """What happened in one round, for the checks and the printed figures."""

    victims: tuple[str, ...]
    # The fake Horde's time once the victims are reaped and what they wrote before dying has
    # been read: a submit a victim sent just before the signal reaches the fake's handler after
    # it, so the moment of the signal itself would call that submit late.
    dead_at: float = 0.0
    after_kill: list[dict[str, Any]] = field(default_factory=list)  # rows right after the kill
    rows: list[dict[str, Any]] = field(default_factory=list)  # rows at the end
    outputs: list[str] = field(default_factory=list)
    missing: list[str | None] = field(default_factory=list)


def make_world(discord_fake: FakeDiscord, horde: FakeHorde, rng: random.Random) -> World:
    horde.rate_limits = False
    for i in range(4):
        horde.add_worker(f"w{i}", models=[MODEL], seconds_per_job=rng.uniform(0.3, 0.8))
    channels, members = {}, {}
    for shard in SHARDS:
        guild, channels[shard] = guild_on_shard(discord_fake, int(shard), f"Shard {shard} guild")
        members[shard] = [
            discord_fake.add_member(guild, f"m{shard}{i}", permissions=0)
            for i in range(MEMBERS_PER_GUILD)
        ]
    payer = horde.add_user("payer", kudos=10_000.0)
    return World(channels, members, members["1"][0], payer)


def child_env(database_url: str) -> dict[str, str]:
    return split_shard_env(
        database_url,
        HORDE_SUBMITS_PER_SECOND="20",
        HORDE_SUBMITS_PER_MINUTE="600",
        MAX_GENERATIONS_PER_USER="5",
        LOG_LEVEL="DEBUG",
    )


async def start_jobs(discord_fake: FakeDiscord, world: World) -> list[FakeInteraction]:
    """20 generations, alternating between the two shards' guilds."""
    sends = []
    for i in range(JOBS):
        shard = SHARDS[i % 2]
        member = world.members[shard][(i // 2) % MEMBERS_PER_GUILD]
        sends.append(generate(discord_fake, member, world.channels[shard], f"Crash prompt {i}."))
    return list(await asyncio.gather(*sends))


async def all_rows(url: str, timeout: float, done: Any) -> list[dict[str, Any]]:
    """The rows once ``done(rows)`` holds (or when ``timeout`` runs out)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while not done(await job_rows(url)):
                await asyncio.sleep(0.05)
    return await job_rows(url)


async def play_round(
    rng: random.Random,
    plan: Round,
    discord_fake: FakeDiscord,
    horde: FakeHorde,
    tmp_path: Path,
    url: str,
) -> tuple[list[FakeInteraction], World]:
    world = make_world(discord_fake, horde, rng)
    env = child_env(url)
    procs: dict[str, BotProcess] = {}
    async with contextlib.AsyncExitStack() as stack:

        async def start(shard: str) -> None:
            child = shard_process(discord_fake, horde, tmp_path, shard, env)
            procs[shard] = await stack.enter_async_context(child)

        await asyncio.gather(*(start(shard) for shard in SHARDS))
        await login(discord_fake, world.payer_member, world.channels["1"], world.payer.apikey)
        ias = await start_jobs(discord_fake, world)
        await all_rows(url, 15, lambda rows: len(rows) == JOBS)
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        for shard in plan.victims:
            procs[shard].send_signal(signal.SIGKILL)
        for shard in plan.victims:
            assert await procs[shard].wait() == -signal.SIGKILL
            plan.outputs.append(procs[shard].output)
        plan.after_kill = await job_rows(url)
        # Let the fake Horde read what the victims sent before dying. No process can submit
        # one of their jobs meanwhile: the survivor waits out the lease, LEASE seconds.
        await asyncio.sleep(DRAIN)
        plan.dead_at = horde.clock.time()
        for shard in plan.victims:  # back within the lease (takes its own back) or after it
            await asyncio.sleep(rng.uniform(0.0, LEASE * 1.5))
            await start(shard)
        plan.missing = await unfinished(ias, timeout=30)
        plan.rows = await all_rows(url, 10, lambda rows: all(r["delivered_at"] for r in rows))
        plan.outputs += [procs[shard].output for shard in SHARDS]
    return ias, world


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(rounds()))
async def test_sigkill_rounds_across_two_processes_lose_nothing(
    seed: int,
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    postgres_database: str,
) -> None:
    rng = random.Random(seed)
    plan = Round(VICTIMS[seed % len(VICTIMS)])
    started = time.monotonic()
    ias, world = await play_round(rng, plan, discord_fake, fake_horde, tmp_path, postgres_database)
    took = time.monotonic() - started
    victim_guilds = {world.channels[shard].guild_id for shard in plan.victims}
    in_flight = [
        r["id"] for r in plan.after_kill if r["guild_id"] in victim_guilds and not r["delivered_at"]
    ]
    expect(bool(in_flight), f"seed {seed}: nothing of the killed process was in flight")
    expect(not plan.missing, f"seed {seed}: replies not final: {plan.missing}")
    assert_replies_final(ias)
    stale = stale_replies(ias)
    expect(not stale, f"seed {seed}: replies that left their result: {stale}")
    posted = extra_messages(discord_fake, world, ias)
    expect(not posted, f"seed {seed}: results posted as new messages: {posted}")
    assert_rows_settled(plan.rows, JOBS)
    extra, problems = submit_problems(plan, fake_horde, victim_guilds)
    expect(not problems, f"seed {seed}: submits: {problems}")
    unpaid = unpaid_submits(plan.rows, fake_horde, world)
    expect(not unpaid, f"seed {seed}: the logged-in member's key did not pay for {unpaid}")
    leaked = [
        s[:4]
        for s in known_secrets([discord_fake, fake_horde])
        if any(s in o for o in plan.outputs)
    ]
    expect(not leaked, f"secrets in the children's DEBUG output: {leaked}")
    shard_of_guild = {channel.guild_id: shard for shard, channel in world.channels.items()}
    crossed = sum(
        not str(r["lease_owner"]).startswith(f"shards {shard_of_guild[r['guild_id']]} ")
        for r in plan.rows
    )
    print(
        f"seed {seed}: killed {'+'.join(plan.victims)}, {len(in_flight)} of its jobs in flight, "
        f"{crossed} finished by the other process, {extra} submit(s) lost on the wire and resent, "
        f"{repeated_results(ias)} result edit(s) repeated, {took:.1f} s"
    )


def stale_replies(ias: Iterable[FakeInteraction]) -> list[int]:
    """Replies that, after first showing their result, were edited to show anything else."""
    stale = []
    for ia in ias:
        history = ia.original().history
        first = next(i for i, v in enumerate(history) if "Done" in v["content"])
        shown = (history[first]["content"], history[first]["embeds"])
        if any((v["content"], v["embeds"]) != shown for v in history[first + 1 :]):
            stale.append(ia.original().id)
    return stale


def repeated_results(ias: Iterable[FakeInteraction]) -> int:
    """Edits that showed a reply's result again, unchanged (a delivery redone after a kill)."""
    repeats = 0
    for ia in ias:
        history = ia.original().history
        repeats += sum("Done" in v["content"] for v in history) - 1
    return repeats


def extra_messages(
    discord_fake: FakeDiscord, world: World, ias: list[FakeInteraction]
) -> list[str]:
    """Public messages in the guilds' channels other than the 20 replies."""
    replies = {ia.original().id for ia in ias}
    return [
        m.content[:60]
        for channel in world.channels.values()
        for m in discord_fake.messages_in(channel)
        if not m.ephemeral and m.id not in replies
    ]


def submit_problems(
    plan: Round, horde: FakeHorde, victim_guilds: set[int | None]
) -> tuple[int, list[str]]:
    """Extra submits allowed (see the module docstring) and every submit that breaks the rule."""
    before_kill = {r["id"]: r for r in plan.after_kill}
    allowed, problems = 0, []
    for row in plan.rows:
        requests = [r for r in horde.text_requests.values() if r.prompt == row["prompt"]]
        extra = [r for r in requests if r.id != row["horde_id"]]
        if len(extra) == len(requests):
            problems.append(f"job {row['id']}: its stored Horde id was never submitted")
            continue
        if not extra:
            continue
        was = before_kill[row["id"]]
        on_the_wire = (
            len(extra) == 1
            and was["guild_id"] in victim_guilds
            and was["horde_id"] is None
            and extra[0].created_at <= plan.dead_at
        )
        if on_the_wire:
            allowed += 1
        else:
            shown = {k: was[k] for k in ("state", "horde_id", "guild_id", "lease_owner")}
            problems.append(f"job {row['id']}: {len(requests)} submits (after the kill: {shown})")
    return allowed, problems


def unpaid_submits(rows: list[dict[str, Any]], horde: FakeHorde, world: World) -> list[str]:
    """Submits of the logged-in member's jobs that another key paid for."""
    theirs = {r["prompt"] for r in rows if r["user_id"] == world.payer_member.id}
    requests = [r for r in horde.text_requests.values() if r.prompt in theirs]
    if not requests:
        return ["no submit of theirs at all"]
    return [r.prompt for r in requests if r.user is not world.payer]
