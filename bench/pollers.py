"""The two baseline pollers and the queue scenario every request-economy trial runs in.

* fixed 4 s: submit, then ``GET /v2/generate/text/status/{id}`` every 4 s (horde-sdk's text
  strategy);
* fixed 5 s + performance: the same every 5 s, also reading ``GET /v2/status/performance``
  each tick (what the most used Horde Discord bot does).

Both "edit" the moment they see ``done`` — no edit pacing — which favours them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

from bench.vclock import Driver, VirtualClock
from bench.world import CountingHorde
from bot.horde import HordeClient
from tests.fakes.horde import TextRequest, User

__all__ = ["BASELINES", "Baseline", "Profile", "Scenario", "TrialResult", "run_baseline"]

MODEL = "koboldcpp/test-model"
QUEUE_KEY = "queue-filler-key-0123456789"
PROMPT = "Write one sentence about benchmarks."


@dataclass(frozen=True)
class Profile:
    """A generation profile: seconds waiting in the Horde's queue, then processing."""

    name: str
    queue: float
    processing: float

    def blockers(self) -> int:
        """Requests of others ahead of ours (each takes ``processing`` on the one worker)."""
        return round(self.queue / self.processing)


@dataclass(frozen=True)
class Baseline:
    name: str
    interval: float
    read_performance: bool


BASELINES = (Baseline("fixed 4 s", 4.0, False), Baseline("fixed 5 s + perf", 5.0, True))


@dataclass(frozen=True)
class TrialResult:
    requests: int  # HTTP requests the strategy sent to the Horde for its one generation
    added_delay: float  # virtual seconds from the Horde finishing to the final edit
    edits: int = 0
    visible_changes: int = 0


class Scenario:
    """A fake Horde on a virtual clock with one worker and ``profile.blockers()`` ahead."""

    def __init__(self, profile: Profile, processing: float) -> None:
        self.profile = profile
        self.processing = processing
        self.clock = VirtualClock()
        self.horde = CountingHorde(self.clock)
        self.horde.rate_limits = False
        self.queue_user: User | None = None
        self.first_request = 0

    async def start(self) -> None:
        horde = self.horde
        await horde.start()
        owner = horde.add_user("owner", kudos=1e6)
        horde.add_worker("w1", models=[MODEL], seconds_per_job=self.processing, owner=owner)
        self.queue_user = horde.add_user("queue", apikey=QUEUE_KEY, kudos=1e6, concurrency=100)
        async with aiohttp.ClientSession() as session:
            client = HordeClient(base_url=horde.base_url, session=session, clock=self.clock)
            for i in range(self.profile.blockers()):
                await client.generate_async(f"filler {i}", apikey=QUEUE_KEY, models=(MODEL,))
        self.first_request = len(horde.requests)

    async def close(self) -> None:
        await self.horde.close()

    def driver(self) -> Driver:
        meter = self.horde.meter
        return Driver(self.clock, lambda: meter.inflight, lambda: meter.events)

    def requests_sent(self) -> int:
        return len(self.horde.requests) - self.first_request

    def ours(self) -> TextRequest:
        """The measured request (the only one not from the queue filler)."""
        found = [r for r in self.horde.text_requests.values() if r.user is not self.queue_user]
        assert len(found) == 1, f"expected one measured request, found {len(found)}"
        return found[0]

    def finished_at(self) -> float:
        done = [j.finished_at for j in self.ours().jobs if j.state == "done" and j.finished_at]
        assert done, "the measured request never finished on the fake Horde"
        return max(done)


async def _poll(client: HordeClient, scenario: Scenario, baseline: Baseline) -> float:
    answer = await client.generate_async(PROMPT, models=(MODEL,))
    assert answer.id
    while True:
        await scenario.clock.sleep(baseline.interval)
        status = await client.generate_status(answer.id, retries=0)
        if baseline.read_performance:
            await client.performance(retries=0)
        if status.done or status.faulted:
            return scenario.clock.time()


async def run_baseline(profile: Profile, processing: float, baseline: Baseline) -> TrialResult:
    """One generation through a baseline poller on the virtual clock."""
    scenario = Scenario(profile, processing)
    await scenario.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = HordeClient(
                base_url=scenario.horde.base_url, session=session, clock=scenario.clock
            )
            task = asyncio.create_task(_poll(client, scenario, baseline))
            limit = profile.queue + profile.processing * 3 + 600
            await scenario.driver().run_until(task.done, limit=limit)
            edited_at = await task
        return TrialResult(scenario.requests_sent(), edited_at - scenario.finished_at())
    finally:
        await scenario.close()
