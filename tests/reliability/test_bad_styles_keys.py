"""Hostile input to the write side of issue 13 (styles, shared keys, sponsor keys): style
names and prompts, shared-key names and amounts, sponsor keys. Each case goes through the real
command tree; a refusal is plain (never the "unexpected error" text) and changes nothing on the
Horde; every body sent to Discord pings nobody.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord

from bot.tree import UNEXPECTED_PREFIX
from tests.e2e.botkit import modal_inputs
from tests.e2e.generate_support import generate_bot, log_in, make_world
from tests.fakes.discord import FakeDiscord, FakeInteraction
from tests.fakes.horde import FakeHorde
from tests.reliability.bad_input_support import Case, answer, ping_problems

ZALGO = "Z̸̡̛̖͓̰a̵̧̛͎͚l̷̨̪̏g̴̗̈́o̶̖͝"
SQL = "'); DROP TABLE sponsor_keys; --"
MANAGE_GUILD = discord.Permissions(manage_guild=True).value
EXTENSIONS = ("cogs.generate", "cogs.styles", "cogs.sharedkey", "cogs.moderation")
WRITES = ("PUT", "POST", "PATCH", "DELETE")

NAME_REFUSALS = [
    Case("style by SQL", "styles info", {"style": SQL}, "no text style"),
    Case("style by zalgo", "styles info", {"style": ZALGO}, "no text style"),
    Case("style of 5000 chars", "styles info", {"style": "s" * 5000}, "no text style"),
    Case("style path traversal", "styles info", {"style": "../../v2/users"}, "no text style"),
    Case("style whitespace", "styles info", {"style": "   "}, "empty"),
    Case("generate with SQL style", "generate", {"prompt": "p", "style": SQL}, "no text style"),
    Case("edit unknown key", "sharedkey edit", {"key": SQL, "kudos": 5}, "no shared key"),
    Case("delete mention key", "sharedkey delete", {"key": "@everyone"}, "no shared key"),
    Case("edit nothing", "sharedkey edit", {"key": "x"}, "Nothing to change"),
    Case("key name spaces", "sharedkey create", {"name": "  \n  "}, "at least 3"),
    Case("kudos below -1", "sharedkey create", {"name": "abc", "kudos": -5}, "kudos"),
    Case("kudos huge", "sharedkey create", {"name": "abc", "kudos": 10**12}, "kudos"),
    Case("expiry below -1", "sharedkey create", {"name": "abc", "expiry_days": -7}, "expiry"),
    Case("tokens 10000", "sharedkey create", {"name": "abc", "max_text_tokens": 10_000}, "tokens"),
]

MODAL_REFUSALS: list[tuple[str, dict[str, str], str]] = [
    ("prompt without {p}", {"prompt": "just text"}, "must contain `{p}`"),
    ("{P} is not {p}", {"prompt": "upper {P}"}, "must contain `{p}`"),
    ("six models", {"models": "a,b,c,d,e,f"}, "1 to 5 models"),
    ("no model", {"models": " , ,"}, "1 to 5 models"),
    ("eleven tags", {"tags": ",".join(f"t{i}" for i in range(11))}, "at most 10 tags"),
    ("short info", {"info": "hi"}, "10 characters"),
    ("blank name", {"name": "\n \t"}, "name is empty"),
]


async def _run(discord_fake: FakeDiscord, case: Case, user: Any, channel: Any) -> str | None:
    ia = await discord_fake.send_slash(case.command, case.options, user=user, channel=channel)
    text = await answer(ia)
    if UNEXPECTED_PREFIX in text or case.expect is None or case.expect.lower() not in text.lower():
        return f"{case.name}: {text[:120]!r}"
    return None


async def test_hostile_names_and_amounts_are_refused_plainly(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    horde_user = fake_horde.add_user("alice", customizer=True)
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=EXTENSIONS) as bot:
        await log_in(bot, world.alice, horde_user)
        problems = [
            p
            for case in NAME_REFUSALS
            if (p := await _run(discord_fake, case, world.alice, world.channel)) is not None
        ]
    assert problems == []
    assert [r.path for r in fake_horde.requests if r.method in WRITES] == []
    assert ping_problems(discord_fake, set()) == []


async def _style_modal(discord_fake: FakeDiscord, world: Any, values: dict[str, str]) -> str:
    opened: FakeInteraction = await discord_fake.send_slash(
        "styles create", {}, user=world.alice, channel=world.channel
    )
    await opened.wait_for_response()
    ids = list(modal_inputs(opened.modal).values())
    fields = {
        "name": "Hostile",
        "prompt": "@everyone <@123> {p}",
        "info": "A style with mentions in it.",
        "models": "koboldcpp/fake-13B",
        "tags": "",
        **values,
    }
    submitted = await discord_fake.submit_modal(
        opened, {ids[i]: fields[key] for i, key in enumerate(fields)}, user=world.alice
    )
    msg = await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))
    return msg.content


async def test_hostile_style_forms_are_refused_before_sending_and_mentions_never_ping(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    horde_user = fake_horde.add_user("alice", customizer=True)
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=EXTENSIONS) as bot:
        await log_in(bot, world.alice, horde_user)
        problems = []
        for name, values, expected in MODAL_REFUSALS:
            text = await _style_modal(discord_fake, world, values)
            if expected not in text or UNEXPECTED_PREFIX in text:
                problems.append(f"{name}: {text[:120]!r}")
        assert problems == []
        assert fake_horde.requests_to("/v2/styles/text", "POST") == []
        made = await _style_modal(discord_fake, world, {"name": f"{ZALGO} {SQL}"[:100]})
        assert "Created the style" in made
        (style,) = fake_horde.records.styles.values()
        ia = await discord_fake.send_slash(
            "styles info", {"style": style.id}, user=world.alice, channel=world.channel
        )
        info = await answer(ia)
        # Shown literally inside a code block; allowed_mentions (checked below) pings nobody.
        assert "```@everyone <@123> {p}```" in info
    assert ping_problems(discord_fake, set()) == []


async def test_hostile_sponsor_keys_are_refused_and_never_stored(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    boss = discord_fake.add_member(world.guild, "boss", permissions=MANAGE_GUILD)
    keys = [SQL, ZALGO * 3, "0000000000", "00000000-0000-0000-0000-000000000000", "k" * 100]
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=EXTENSIONS) as bot:
        for key in keys:
            opened = await discord_fake.send_slash(
                "mod sponsor set", {}, user=boss, channel=world.channel
            )
            await opened.wait_for_response()
            submitted = await discord_fake.submit_modal(opened, {"sponsor-apikey": key}, user=boss)
            msg = await submitted.wait_for_original(lambda m: not m.loading and bool(m.content))
            assert UNEXPECTED_PREFIX not in msg.content
            assert "Nothing was stored" in msg.content or "anonymous" in msg.content
            assert await bot.services.sponsors.info(world.guild.id) is None
