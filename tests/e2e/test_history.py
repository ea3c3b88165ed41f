"""/history: a member's own generations with their results, privately — also the home of
results that reached nobody (token expired, DMs closed)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.generate_support import MODEL, final, generate, generate_bot, make_world
from tests.e2e.reach_support import dm_refused, foreign_place, outlive_the_token
from tests.fakes.discord import FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde

WITH_HISTORY = ("cogs.generate", "cogs.history")


async def history(discord_fake: FakeDiscord, user: FakeUser, **options: object) -> FakeMessage:
    ia = await discord_fake.send_slash("history", dict(options), user=user, check_context=True)
    return await ia.wait_for_original(lambda m: bool(m.embeds) and not m.loading)


async def test_history_shows_a_result_nobody_could_receive(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channel, (dana,) = foreign_place(discord_fake, "dana")
    dana.dms_open = False
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0, text="THE LOST RESULT")
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=WITH_HISTORY):
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "Where does it go"}, user=dana, channel=channel
        )
        await outlive_the_token(discord_fake, ia)
        await dm_refused(discord_fake, dana)
        shown = await history(discord_fake, dana)
    assert shown.ephemeral
    field = shown.embeds[0]["fields"][0]
    assert "not delivered" in field["value"]
    assert "THE LOST RESULT" in field["value"]
    assert "Where does it go" in field["value"]


async def test_history_is_private_newest_first_paged_and_long_results_come_as_a_file(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker(
        "w1", models=[MODEL], seconds_per_job=0.05, text=lambda p, _: f"{p} " + "x" * 900
    )
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=WITH_HISTORY):
        for number in range(6):
            await final(await generate(discord_fake, world.alice, world.channel, f"Job {number}"))
        first = await history(discord_fake, world.alice)
        second = await history(discord_fake, world.alice, page=2)
        others = await history(discord_fake, world.bob)
    fields = first.embeds[0]["fields"]
    assert [f["value"].split("\n")[0] for f in fields] == [f"> Job {n}" for n in (5, 4, 3, 2, 1)]
    assert "/history page:2" in first.embeds[0]["footer"]["text"]
    assert first.attachments[0].filename == "history-page-1.txt"
    assert "Job 5 " + "x" * 900 in first.attachments[0].data.decode()
    assert [f["value"].split("\n")[0] for f in second.embeds[0]["fields"]] == ["> Job 0"]
    assert others.embeds[0]["description"] == "Nothing here yet."
    assert all(m.ephemeral for m in (first, second, others))
