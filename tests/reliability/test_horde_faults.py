"""The fake Horde misbehaves during submit and during polling; every reply still ends "Done".

Each scenario runs three generations (three members) through the real bot, injects one kind
of fault, and ends with the same two checks: every reply shows its result (none left on
"thinking…"), and every stored job is ``done`` and delivered. Backoffs run on the shared
clock, which a background task jumps forward, so no scenario waits in real time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.generate_support import MODEL, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde
from tests.reliability.support import (
    assert_jobs_settled,
    assert_replies_final,
    clock_running,
    expect,
    job_rows,
    unfinished,
)

SUBMIT = "/v2/generate/text/async"
STATUS = "/v2/generate/text/status"
TIMEOUT = 0.3  # the Horde client's request timeout in the timeout scenarios (real seconds)


async def three_generations(
    discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path, *, client_timeout: float = 0
) -> list[FakeInteraction]:
    """Run /generate for three members while the clock runs; return their interactions."""
    world = make_world(discord_fake)
    async with generate_bot(discord_fake, horde, data_dir) as bot:
        if client_timeout:
            # The client's 30 s default is not a setting; shortened here so a hung request
            # times out in a fraction of a second.
            bot.services.horde._transport.timeout = client_timeout
        async with clock_running(horde):
            members = (world.alice, world.bob, world.carol)
            ias = [
                await generate(discord_fake, m, world.channel, f"Prompt {i}")
                for i, m in enumerate(members)
            ]
            missing = await unfinished(ias, timeout=15)
    expect(not missing, f"replies not final: {missing}")
    return ias


def serve(horde: FakeHorde) -> None:
    horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    horde.add_worker("w2", models=[MODEL], seconds_per_job=1.0)


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "drop"])
async def test_faults_during_submit_are_retried_until_done(
    kind: str, discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    serve(fake_horde)
    fault = fake_horde.inject_fault("POST", SUBMIT, kind=kind, count=2)
    ias = await three_generations(discord_fake, fake_horde, tmp_path)
    assert fault.count == 0, "the fault was never hit"
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "drop"])
async def test_faults_during_polling_are_retried_until_done(
    kind: str, discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    serve(fake_horde)
    fault = fake_horde.inject_fault("GET", STATUS, kind=kind, count=4)
    ias = await three_generations(discord_fake, fake_horde, tmp_path)
    assert fault.count == 0, "the fault was never hit"
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


@pytest.mark.parametrize("path", [SUBMIT, STATUS])
async def test_timeouts_are_retried_until_done(
    path: str, discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    serve(fake_horde)
    method = "POST" if path == SUBMIT else "GET"
    fault = fake_horde.inject_fault(method, path, kind="slow", count=1, delay=TIMEOUT * 3)
    ias = await three_generations(discord_fake, fake_horde, tmp_path, client_timeout=TIMEOUT)
    assert fault.count == 0, "the fault was never hit"
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


@pytest.mark.parametrize("path", [SUBMIT, STATUS])
async def test_429_storm_with_retry_after_is_waited_out(
    path: str, discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    serve(fake_horde)
    method = "POST" if path == SUBMIT else "GET"
    fault = fake_horde.inject_fault(method, path, kind="429", count=8, retry_after=3)
    ias = await three_generations(discord_fake, fake_horde, tmp_path)
    assert fault.count == 0, "the storm never hit"
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_request_lost_by_the_horde_mid_poll_ends_as_expired_in_the_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], max_length=100)  # cannot serve 300: it waits
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "Lost", max_length=300)
        await ia.wait_for_original(lambda m: "Queued on the AI Horde" in m.content)
        (horde_id,) = list(fake_horde.text_requests)
        del fake_horde.text_requests[horde_id]  # the Horde forgot it (404 RequestNotFound)
        msg = await ia.wait_for_original(lambda m: "❌" in m.content, timeout=10)
    assert "expired" in msg.content
    assert not msg.loading
    assert_jobs_settled(tmp_path, 1, states=("expired",))
    assert job_rows(tmp_path)[0]["error_kind"] == "expired"
