"""The bad-input catalogue, sent through the real command tree (see ``bad_input_support``).

Each test runs one category of cases against one bot and reports every case that was not
answered correctly; ``CATALOGUE_SIZE`` (checked below) is the number documented in
``docs/reliability.md``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import discord

from bot.tree import UNEXPECTED_PREFIX
from tests.e2e.generate_support import MODEL, log_in, make_world
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeInteraction, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde
from tests.reliability.bad_input_support import (
    Case,
    answer,
    catalogue_bot,
    ping_problems,
    refusal_problem,
    row_counts,
)
from tests.reliability.support import db_path, expect

ZALGO = "Z̸̡̛̖͓̰a̵̧̛͎͚l̷̨̪̏g̴̗̈́o̶̖͝"
SQL = "'); DROP TABLE generations; --"
MANAGE_GUILD = discord.Permissions(manage_guild=True).value
EMOJI_NAME = "👩‍👩‍👧‍👦" * 60 + "#1"

PROMPT_REFUSALS = [
    Case("empty prompt", "generate", {"prompt": ""}, "empty"),
    Case("whitespace prompt", "generate", {"prompt": "   "}, "empty"),
    Case("newline and tab prompt", "generate", {"prompt": "\n\t \n"}, "empty"),
    Case("100 000-character prompt", "generate", {"prompt": "x" * 100_000}, "too long"),
    Case("6001-character prompt", "generate", {"prompt": "y" * 6001}, "too long"),
]
OPTION_REFUSALS = [
    Case("max_length 0", "generate", {"prompt": "p", "max_length": 0}, "max_length"),
    Case("max_length negative", "generate", {"prompt": "p", "max_length": -5}, "max_length"),
    Case("max_length huge", "generate", {"prompt": "p", "max_length": 10**9}, "max_length"),
    Case("temperature NaN", "generate", {"prompt": "p", "temperature": float("nan")}, None),
    Case("temperature inf", "generate", {"prompt": "p", "temperature": float("inf")}, None),
    Case("temperature negative", "generate", {"prompt": "p", "temperature": -1.0}, "temperature"),
    Case("top_p above 1", "generate", {"prompt": "p", "top_p": 2.0}, "top_p"),
    Case("top_k negative", "generate", {"prompt": "p", "top_k": -1}, "top_k"),
    Case("rep_pen below 1", "generate", {"prompt": "p", "rep_pen": 0.5}, "rep_pen"),
    Case("n zero", "generate", {"prompt": "p", "n": 0}, "n"),
    Case("n 21", "generate", {"prompt": "p", "n": 21}, "n"),
    Case("max_context_length 10", "generate", {"prompt": "p", "max_context_length": 10}, None),
    Case("unknown model", "generate", {"prompt": "p", "model": "no/such-model"}, "No worker"),
    Case("SQL model name", "generate", {"prompt": "p", "model": SQL}, "No worker"),
    Case("5000-char model name", "generate", {"prompt": "p", "model": "m" * 5000}, "No worker"),
]
HOSTILE_PROMPTS = [
    "NUL \x00 inside",
    "RTL \u202egnp.exe\u202c override",
    ZALGO,
    "@everyone @here wake up",
    "<@&123456789012345678> role ping",
    "user ping <@{bob}>",
    "```\nclosing the fence``` **bold** [link](https://example.com) ~~x~~",
    SQL,
    "🙂" * 500,
]


async def run_refusals(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, cases: list[Case]
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path):
        problems = [
            await refusal_problem(discord_fake, case, world.alice, world.channel, tmp_path)
            for case in cases
        ]
    found = [p for p in problems if p] + ping_problems(discord_fake, set())
    expect(not found, "\n".join(found))


async def test_empty_and_oversized_prompts_are_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await run_refusals(discord_fake, fake_horde, tmp_path, PROMPT_REFUSALS)


async def test_out_of_range_and_non_finite_options_and_unknown_models_are_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    await run_refusals(discord_fake, fake_horde, tmp_path, OPTION_REFUSALS)


def stored_prompts(data_dir: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path(data_dir))) as conn:
        return [row[0] for row in conn.execute("SELECT prompt FROM generations ORDER BY id")]


async def test_hostile_prompts_are_generated_stored_verbatim_and_ping_nobody(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    prompts = [p.replace("{bob}", str(world.bob.id)) for p in HOSTILE_PROMPTS]
    problems = []
    async with catalogue_bot(discord_fake, fake_horde, tmp_path):
        for prompt in prompts:
            ia = await discord_fake.send_slash(
                "generate", {"prompt": prompt}, user=world.alice, channel=world.channel
            )
            text = await answer(ia, "Done")
            if "Done" not in text:
                problems.append(f"{prompt[:20]!r}: {text[:80]!r}")
    expect(not problems, f"not generated: {problems}")
    expect(stored_prompts(tmp_path) == prompts, "prompts were not stored verbatim")
    leaks = ping_problems(discord_fake, set())
    expect(not leaks, f"pings possible: {leaks}")


async def test_worker_output_full_of_mentions_pings_nobody(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    text = f"@everyone @here <@&123456789012345678> <@{world.bob.id}> ```x``` \x00"
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05, text=text)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path):
        ia = await discord_fake.send_slash(
            "generate", {"prompt": "say it"}, user=world.alice, channel=world.channel
        )
        shown = await answer(ia, "Done")
    expect("@everyone" in shown, "the text was not shown")
    leaks = ping_problems(discord_fake, set())
    expect(not leaks, f"pings possible: {leaks}")


async def test_kudos_transfers_to_bad_receivers_and_amounts_are_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", kudos=100.0)
    cases = [
        Case("to self", "kudos transfer", {"amount": 5, "member": world.alice}, "yourself"),
        Case(
            "to member without login",
            "kudos transfer",
            {"amount": 5, "member": world.bob},
            "/login",
        ),
        Case("negative amount", "kudos transfer", {"amount": -5, "username": "bob#2"}, "above 0"),
        Case("zero amount", "kudos transfer", {"amount": 0, "username": "bob#2"}, "above 0"),
        Case("huge amount", "kudos transfer", {"amount": 10**15, "username": "bob#2"}, "above 0"),
        Case("SQL username", "kudos transfer", {"amount": 5, "username": SQL}, "username"),
    ]
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, alice_h)
        problems = [
            await refusal_problem(discord_fake, case, world.alice, world.channel, tmp_path)
            for case in cases
        ]
    found = [p for p in problems if p] + ping_problems(discord_fake, set())
    expect(not found, "\n".join(found))
    expect(alice_h.kudos == 100.0, "kudos moved")


def outcome(msg: FakeMessage, edits_before: int) -> FakeMessage | None:
    """The confirmation message once it shows the result of pressing Confirm."""
    edited = msg.edits > edits_before
    return msg if edited and "Sending" not in msg.content else None


async def test_confirmed_kudos_to_anonymous_unknown_or_emoji_names_is_refused_by_the_horde(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", kudos=100.0)
    outcomes = []
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await log_in(bot, world.alice, alice_h)
        store = bot._connection._view_store
        for name in ("Anonymous#0", "nobody#99999", EMOJI_NAME):
            ia = await discord_fake.send_slash(
                "kudos transfer",
                {"amount": 5, "username": name},
                user=world.alice,
                channel=world.channel,
            )
            msg = await ia.wait_for_original(lambda m: "Confirm" in m.buttons())
            await discord_fake.wait_for(lambda m=msg: store.is_message_tracked(m.id) or None, 5)
            before = msg.edits
            await discord_fake.click(msg, label="Confirm", user=world.alice)
            done = await discord_fake.wait_for(lambda m=msg, n=before: outcome(m, n), 5)
            outcomes.append((name[:12], done.content[:100], done.ephemeral))
    expect(alice_h.kudos == 100.0, f"kudos moved: {outcomes}")
    expect(all(ephemeral for *_, ephemeral in outcomes), f"not ephemeral: {outcomes}")
    expect(not any(UNEXPECTED_PREFIX in text for _, text, _ in outcomes), f"{outcomes}")
    expect(not ping_problems(discord_fake, set()), "pings possible")


async def test_unknown_sql_or_emoji_worker_names_are_refused(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    fake_horde.add_worker("real-worker", models=[MODEL])
    cases = [
        Case("unknown worker", "workers info", {"worker": "no-such"}, "no worker"),
        Case("SQL worker", "workers info", {"worker": SQL}, "no worker"),
        Case("emoji worker", "workers info", {"worker": EMOJI_NAME}, "no worker"),
    ]
    await run_refusals(discord_fake, fake_horde, tmp_path, cases)


async def type_key(
    discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, key: str
) -> tuple[FakeInteraction, str]:
    """Open /login, type ``key`` into the modal; the submission and the answer's text."""
    opened = await discord_fake.send_slash("login", {}, user=user, channel=channel)
    await opened.wait_for_response()
    sent = await discord_fake.submit_modal(opened, {"horde-apikey": key}, user=user)
    return sent, await answer(sent)


async def test_api_key_with_a_nul_byte_is_refused_in_plain_words(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        _, text = await type_key(discord_fake, world.alice, world.channel, "key\x00nul-0123")
        stored = await bot.services.accounts.count()
    expect(stored == 0, "a key was stored")
    expect(UNEXPECTED_PREFIX not in text, f"unexpected error shown: {text[:80]!r}")
    expect("does not look like" in text, f"no plain refusal: {text[:80]!r}")


async def test_hostile_api_keys_typed_into_login_are_refused_and_not_stored(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    keys = [SQL + "xxxxxxxx", " " * 12, "k" * 100_000, "@everyone-key-1234", "ключ-ключ-ключ"]
    problems = []
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        for key in keys:
            opened = await discord_fake.send_slash(
                "login", {}, user=world.alice, channel=world.channel
            )
            await opened.wait_for_response()
            sent = await discord_fake.submit_modal(opened, {"horde-apikey": key}, user=world.alice)
            text = await answer(sent)
            if not sent.ephemeral or UNEXPECTED_PREFIX in text or not text:
                problems.append(f"{key[:10]!r}: {text[:80]!r} ephemeral={sent.ephemeral}")
        stored = await bot.services.accounts.count()
    expect(not problems, f"{problems}")
    expect(stored == 0, f"{stored} keys stored")
    expect(not ping_problems(discord_fake, set()), "pings possible")


async def test_moderation_text_with_sql_and_mentions_is_stored_verbatim_and_pings_nobody(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    admin = discord_fake.add_member(world.guild, "admin", permissions=MANAGE_GUILD)
    reason = f"@everyone <@&1> {SQL} 🙂"
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        ia = await discord_fake.send_slash(
            "mod block", {"user": world.bob, "reason": reason}, user=admin, channel=world.channel
        )
        text = await answer(ia)
        blocked = await bot.services.blocked.list(world.guild.id)
        model_ia = await discord_fake.send_slash(
            "mod defaults", {"model": SQL}, user=admin, channel=world.channel
        )
        await answer(model_ia)
        settings = await bot.services.guild_settings.get(world.guild.id)
    expect(ia.ephemeral and "Blocked" in text, f"block not confirmed: {text[:80]!r}")
    expect([b.reason for b in blocked] == [reason], f"reason not verbatim: {blocked}")
    expect(settings.default_model in (None, SQL.strip()), f"model: {settings.default_model!r}")
    expect(row_counts(tmp_path)["generations"] == 0, "tables damaged")
    expect(not ping_problems(discord_fake, set()), "pings possible")
