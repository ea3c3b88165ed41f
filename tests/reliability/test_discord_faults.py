"""Discord misbehaves mid-generation (gateway drops, REST 429s and 503s); every reply completes.

Workers take about a second of real time, so each fault lands while the replies are being
edited with progress. Each scenario ends with every reply showing its result and every stored
job ``done`` and delivered.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import MODEL, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde
from tests.reliability.support import assert_jobs_settled, assert_replies_final, expect, unfinished

WRITING = "worker is writing"


async def start_three(discord_fake: FakeDiscord, horde: FakeHorde) -> list[FakeInteraction]:
    world = make_world(discord_fake)
    horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    horde.add_worker("w2", models=[MODEL], seconds_per_job=1.0)
    horde.add_worker("w3", models=[MODEL], seconds_per_job=1.0)
    members = (world.alice, world.bob, world.carol)
    return [
        await generate(discord_fake, m, world.channel, f"Prompt {i}") for i, m in enumerate(members)
    ]


async def test_gateway_disconnect_and_resume_mid_generation_loses_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        await discord_fake.disconnect_gateway(resume=True)
        missing = await unfinished(ias)
    assert discord_fake.gateway.resume_count == 1
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_reconnect_needing_a_fresh_identify_mid_generation_loses_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        await discord_fake.disconnect_gateway(resume=False)
        missing = await unfinished(ias)
    assert discord_fake.gateway.identify_count == 2
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


RATE_LIMITED = {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}
LIMIT_HEADERS = {"Retry-After": "1", "Via": "1.1 google", "X-RateLimit-Scope": "user"}


async def test_rest_429_storm_with_retry_after_on_edits_is_waited_out(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        discord_fake.fail_next(
            "PATCH", "/webhooks/", status=429, body=RATE_LIMITED, headers=LIMIT_HEADERS, times=8
        )
        missing = await unfinished(ias)
    refused = [c for c in discord_fake.calls_to("PATCH", "/webhooks/") if c.status == 429]
    assert len(refused) == 8
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_rate_limit_buckets_on_edits_are_respected_and_nothing_is_lost(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    discord_fake.rate_limits.enable(
        limit=1, per=0.5, match=lambda method, path: method == "PATCH" and "/webhooks/" in path
    )
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        missing = await unfinished(ias)
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)


async def test_503s_on_progress_edits_do_not_stop_the_final_edit(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ias = await start_three(discord_fake, fake_horde)
        await ias[0].wait_for_original(lambda m: WRITING in m.content)
        discord_fake.fail_next("PATCH", "/webhooks/", status=503, times=2)
        missing = await unfinished(ias)
    expect(not missing, f"replies not final: {missing}")
    assert_replies_final(ias)
    assert_jobs_settled(tmp_path, 3)
