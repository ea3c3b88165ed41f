"""§8 several processes: the submit rate the shared governor holds under contention.

Two engine processes (governor, submitter, poller, job store as ``bot.app`` builds them, the
production budget of 2 submits/s and 90/min) share one PostgreSQL database and submit as fast
as their governors let them to one fake Horde in a third process, whose own per-IP limiter
answers 429 above the budget. Each process has far more jobs queued than the budget lets
through. The fake records when every submit arrived; from those: the most in any 1-second
and any 60-second window, the total against the most the two budgets allow in the same time,
and the 429s.

``python -m bench.contention [--seconds S] [--slack F]`` runs it alone (e.g. to try another
slack); ``python -m bench.contention child …`` is one engine process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import aiohttp
from cryptography.fernet import Fernet

from bench.hordeproc import BENCH_KEY, MODEL, HordeProcess, child_environ
from bench.report import Row
from bot.generation import GenerationRequest, GenerationService, Poller
from bot.generation.governor import earliest_grant
from bot.generation.notify import NullListener
from bot.generation.repository import JobRepository
from bot.generation.shared_governor import SHARED_SLACK, SharedSubmitGovernor
from bot.horde import HordeClient
from bot.secrets import KeyVault
from bot.storage.database import Database
from tests.postgres.server import PostgresServer

__all__ = ["most_allowed", "most_in_window", "run"]

PER_SECOND, PER_MINUTE = 2, 90  # the Horde's per-IP budget (horde-api.md), unscaled
USERS = 12  # members per process, so round robin has work to share
FULL_SECONDS = 130.0  # two minute windows: the 1-second budget first, then the minute's
QUICK_SECONDS = 4.0


def most_in_window(times: list[float], window: float) -> int:
    """The most arrivals in any half-open window of ``window`` seconds."""
    times = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        most = max(most, end - start + 1)
    return most


def most_allowed(seconds: float) -> int:
    """How many submits the two budgets allow in ``seconds``, sent as early as allowed."""
    limits = ((PER_SECOND, 1.0), (PER_MINUTE, 60.0))
    sent: list[float] = []
    at = 0.0
    while (at := earliest_grant(sent, at, limits)) < seconds:
        sent.append(at)
    return len(sent)


async def _child(horde_url: str, db_url: str, seconds: float, jobs: int, slack: float) -> None:
    """One engine process: queue ``jobs`` generations, let the governor send for ``seconds``."""
    db = await Database.open(db_url, migrate=False)  # the parent migrated it
    async with aiohttp.ClientSession() as session:
        client = HordeClient(base_url=horde_url, session=session)
        governor = SharedSubmitGovernor(
            db, per_second=PER_SECOND, per_minute=PER_MINUTE, slack=slack
        )
        poller = Poller(client, poll_min=30.0, poll_max=60.0)  # polls stay out of the way
        vault = KeyVault([Fernet.generate_key().decode()])
        service = GenerationService(
            client, governor, poller, JobRepository(db, vault), max_in_flight_per_user=10**9
        )
        await service.start()
        for i in range(jobs):
            request = GenerationRequest(
                prompt=f"contention {i}", user_id=1 + i % USERS, models=(MODEL,)
            )
            await service.submit(request, apikey=BENCH_KEY, listener=NullListener())
        await asyncio.sleep(seconds)
        await service.close()
    await db.close()


async def _engine(horde_url: str, db_url: str, seconds: float, slack: float) -> None:
    jobs = int(seconds * PER_SECOND) + 10  # more than the budget lets through
    args = [horde_url, db_url, str(seconds), str(jobs), str(slack)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.contention",
        "child",
        *args,
        env=child_environ(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"contention child failed: {err.decode()[-2000:]}")


async def measure(seconds: float, slack: float = SHARED_SLACK) -> dict[str, Any]:
    """Two engine processes on one fresh PostgreSQL database; the fake Horde's record."""
    server = await asyncio.to_thread(PostgresServer.start)
    try:
        db_url = await server.create_database("bench_contention")
        await (await Database.open(db_url)).close()  # migrate once, before both start
        async with HordeProcess(workers=1, paused=True, rate_limits=True) as horde:
            await asyncio.gather(*(_engine(horde.base_url, db_url, seconds, slack) for _ in "ab"))
            stats = await horde.stats()
    finally:
        await asyncio.to_thread(server.stop)
    times = sorted(stats["submit_times"])
    span = seconds - 1.0  # the last second may be cut short by the processes closing
    kept = [t for t in times if t < times[0] + span] if times else []
    return {
        "seconds": span,
        "slack": slack,
        "submits": len(kept),
        "allowed": most_allowed(span),
        "per_second_max": most_in_window(times, 1.0) if times else 0,
        "per_minute_max": most_in_window(times, 60.0) if times else 0,
        "refused": len(times) - int(stats["accepted"]),
    }


def rows_for(result: dict[str, Any]) -> list[Row]:
    span, slack = result["seconds"], result["slack"]
    second, minute = result["per_second_max"], result["per_minute_max"]
    what = f"two processes, one PostgreSQL database, {span:g} s"
    return [
        Row(
            "8",
            f"most submits in any 1 s window, {what}",
            str(second),
            f"budget {PER_SECOND}/s",
            second / PER_SECOND,
            "≤ 1",
            second <= PER_SECOND,
        ),
        Row(
            "8",
            f"most submits in any 60 s window, {what}",
            str(minute),
            f"budget {PER_MINUTE}/min",
            minute / PER_MINUTE,
            "≤ 1",
            minute <= PER_MINUTE,
        ),
        Row(
            "8",
            f"submit rate held, {what} (slack {slack:g})",
            f"{result['submits']} submits ({result['submits'] / span:.2f}/s)",
            f"the most both budgets allow in {span:g} s: {result['allowed']}",
            result["submits"] / result["allowed"],
            "— (reported)",
            None,
        ),
        Row(
            "8",
            f"429s from the Horde's rate limiter, {what}",
            str(result["refused"]),
            "0",
            None,
            "0",
            result["refused"] == 0,
        ),
    ]


NOTE = (
    "§8: two engine processes (SharedSubmitGovernor, submitter, poller and PostgreSQL job "
    "store, as bot.app builds them; leases left out) on one fresh PostgreSQL 15 database, "
    f"{USERS} members each, more jobs queued than the budget lets through; the fake Horde runs "
    "in a third process with its per-IP limiter on (2/s, 90/min, sliding windows, 429 above) "
    "and paused workers. Windows are counted over the arrival time of every submit, refused "
    "ones included. The rate held is the submits that arrived in the span against the most "
    "the two budgets allow in as long, sent as early as allowed (a burst of 90 in 45 s, then "
    "one minute after each); the governor's windows are wider than the Horde's by the slack."
)


async def run(quick: bool) -> tuple[list[Row], list[str]]:
    result = await measure(QUICK_SECONDS if quick else FULL_SECONDS)
    return rows_for(result), [NOTE]


def main(argv: list[str]) -> None:
    if argv and argv[0] == "child":
        horde_url, db_url, seconds, jobs, slack = argv[1:6]
        asyncio.run(_child(horde_url, db_url, float(seconds), int(jobs), float(slack)))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.contention")
    parser.add_argument("--seconds", type=float, default=FULL_SECONDS)
    parser.add_argument("--slack", type=float, default=SHARED_SLACK)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.seconds, args.slack))))


if __name__ == "__main__":
    main(sys.argv[1:])
