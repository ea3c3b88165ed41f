"""A /generate job is stored before its reply is acknowledged, and never outlives a failed ack."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.reliability.support import job_rows

UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}


async def test_a_job_whose_acknowledgement_fails_is_cancelled_and_costs_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=5.0)
    async with generate_bot(discord_fake, fake_horde, tmp_path) as bot:
        discord_fake.fail_next("POST", "/callback", status=404, body=UNKNOWN_INTERACTION, times=2)
        await discord_fake.send_slash(
            "generate", {"prompt": "too late"}, user=world.alice, channel=world.channel
        )
        rows = await discord_fake.wait_for(
            lambda: [r for r in job_rows(tmp_path) if r["state"] == "cancelled"] or None
        )
        assert bot.services.generations.in_flight == 0
    assert len(rows) == 1
    request = fake_horde.get_request(rows[0]["horde_id"]) if rows[0]["horde_id"] else None
    assert request is None or request.cancelled


async def test_a_job_stored_before_its_reply_still_completes_in_that_reply(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    async with generate_bot(discord_fake, fake_horde, tmp_path):
        ia = await generate(discord_fake, world.alice, world.channel, "stored first")
        msg = await final(ia)
    rows = job_rows(tmp_path)
    assert [r["state"] for r in rows] == ["done"]
    assert msg.id == ia.original().id
    assert "reply to: stored first" in msg.embeds[0]["description"]
