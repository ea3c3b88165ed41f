"""Bad input for the write-side commands of issue 13 (part A), through the real command tree.

Names, infos, contacts, messages and amounts that are empty, huge, full of control characters,
SQL, mentions or emoji: each is refused privately and in plain words before anything is sent
to the Horde, or — where the Horde accepts it — stored there verbatim without pinging anyone.
"""

from __future__ import annotations

from pathlib import Path

from bot.tree import UNEXPECTED_PREFIX
from tests.e2e.botkit import log_in
from tests.e2e.generate_support import make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.reliability.bad_input_support import (
    Case,
    answer,
    catalogue_bot,
    ping_problems,
    refusal_problem,
)
from tests.reliability.support import expect

SQL = "'); DROP TABLE teams; --"
EMOJI = "👩‍👩‍👧‍👦" * 60
WRITE_PATHS = ("/v2/teams", "/v2/users", "/v2/workers/messages", "/v2/status/modes")

REFUSED_BEFORE_SENDING = [
    Case("blank team name", "team create", {"name": "  \n\t "}, "cannot be empty"),
    Case("NUL in team name", "team create", {"name": "a\x00b"}, "control characters"),
    Case("emoji team name", "team create", {"name": EMOJI}, "at most 100"),
    Case("huge team info", "team create", {"name": "ok", "info": "i" * 5000}, "at most 1000"),
    Case("SQL team lookup", "team info", {"team": SQL}, "no team called"),
    Case("emoji team lookup", "team info", {"team": EMOJI}, "no team called"),
    Case("edit with nothing", "team edit", {"team": "x"}, "Give a new"),
    Case("user as SQL", "hordemod user set", {"user": SQL, "trusted": True}, "alias#1234"),
    Case("user as emoji", "hordemod user info", {"user": EMOJI}, "alias#1234"),
    Case("contact too short", "hordemod user set", {"user": "bob#2", "contact": "x"}, "5 to 500"),
    Case(
        "contact huge",
        "hordemod user set",
        {"user": "bob#2", "contact": "c" * 100_000},
        "at most 500",
    ),
    Case("concurrency negative", "hordemod user set", {"user": "2", "concurrency": -1}, None),
    Case("concurrency huge", "hordemod user set", {"user": "2", "concurrency": 10**9}, None),
    Case(
        "blank worker message",
        "hordemod worker-message send",
        {"worker": "w", "message": " \x00 "},
        "cannot be empty",
    ),
    Case(
        "expiry zero",
        "hordemod worker-message send",
        {"worker": "w", "message": "m", "expiry_hours": 0},
        None,
    ),
    Case(
        "huge message id",
        "hordemod worker-message delete",
        {"message_id": "m" * 5000},
        "Give the message's id",
    ),
    Case("leaderboard page 0", "kudos top", {"page": 0}, None),
    Case("leaderboard page huge", "kudos top", {"page": 10**9}, None),
    Case("modes with nothing", "hordemod modes set", {}, "admins only"),
]


async def test_hostile_write_side_inputs_are_refused_before_reaching_the_horde(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    moderator = fake_horde.add_user("alice", moderator=True, trusted=True)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, moderator)
        problems = [
            await refusal_problem(discord_fake, case, world.alice, world.channel, tmp_path)
            for case in REFUSED_BEFORE_SENDING
        ]
    expect(not [p for p in problems if p], f"{[p for p in problems if p]}")
    writes = [r for path in WRITE_PATHS for r in fake_horde.requests_to(path) if r.method != "GET"]
    expect(writes == [], f"sent to the Horde: {[(r.method, r.path) for r in writes]}")
    expect(not ping_problems(discord_fake, set()), "pings possible")


async def test_mention_and_sql_names_are_kept_verbatim_and_ping_nobody(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    trusted = fake_horde.add_user("alice", trusted=True)
    names = ["@everyone team", "<@&123456789012345678> role", SQL, "🙂" * 50]
    texts = []
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, trusted)
        for name in names:
            ia = await discord_fake.send_slash(
                "team create", {"name": name, "info": name}, user=world.alice, channel=world.channel
            )
            texts.append(await answer(ia, "created"))
            info = await discord_fake.send_slash(
                "team info", {"team": name}, user=world.alice, channel=world.channel
            )
            texts.append(await answer(info))
    stored = sorted(t.name for t in fake_horde.teams.values())
    expect(stored == sorted(names), f"names changed on the way: {stored}")
    expect(not any(UNEXPECTED_PREFIX in t for t in texts), f"{texts}")
    expect(not any("@everyone" in t for t in texts), "a mention survived")
    expect(not ping_problems(discord_fake, set()), "pings possible")
