"""The message menus `Continue with AI Horde` and `Ask AI Horde…`: the prompt comes from the
chosen message, and the job runs exactly like /generate (policy, reply, buttons)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.bot import HordeBot
from cogs.message_menus import ASK_MENU, CONTINUE_MENU
from tests.e2e.chat_support import reference_server
from tests.e2e.generate_support import MODEL, World, final, generate_bot, make_world
from tests.e2e.reach_support import foreign_place, posts_into, private_refusal
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

MENUS = ("cogs.generate", "cogs.message_menus")


def recording_worker(horde: FakeHorde) -> list[str]:
    """A worker that answers "NEW TEXT" and records every prompt it was given."""
    prompts: list[str] = []

    def answer(prompt: str, params: Any) -> str:
        prompts.append(prompt)
        return "NEW TEXT"

    horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2, text=answer)
    return prompts


@contextlib.asynccontextmanager
async def menus_running(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> AsyncIterator[tuple[World, list[str], HordeBot]]:
    """The test world, the prompts the worker receives, and a bot with the menus."""
    world = make_world(discord_fake)
    prompts = recording_worker(fake_horde)
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=MENUS) as bot:
        yield world, prompts, bot


async def test_continue_sends_the_messages_text_and_renders_like_generate(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with menus_running(discord_fake, fake_horde, tmp_path) as (world, prompts, _):
        target = await discord_fake.user_message(
            world.channel, "It was a dark and stormy night", user=world.bob
        )
        ia = await discord_fake.send_message_command(CONTINUE_MENU, target, user=world.alice)
        assert await ia.wait_for_response() == 5  # deferred, like /generate
        msg = await final(ia)
    assert prompts == ["It was a dark and stormy night"]
    assert msg.embeds[0]["description"] == "NEW TEXT"
    assert msg.buttons() == ["Regenerate", "Continue", "Delete"]


async def test_continue_reads_a_txt_attachment_and_embeds(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with menus_running(discord_fake, fake_horde, tmp_path) as (world, prompts, _):
        target = await discord_fake.user_message(
            world.channel, "", user=world.bob, attachments={"story.txt": "Chapter one."}
        )
        ia = await discord_fake.send_message_command(CONTINUE_MENU, target, user=world.alice)
        first = await final(ia)
        # The bot's own result (an embed) can be continued too.
        again = await discord_fake.send_message_command(CONTINUE_MENU, first, user=world.alice)
        await final(again)
    assert prompts[0] == "Chapter one."
    assert prompts[1] == "NEW TEXT"


async def test_ask_builds_an_instruct_prompt_from_the_modal_and_the_message(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with menus_running(discord_fake, fake_horde, tmp_path) as (world, prompts, _):
        target = await discord_fake.user_message(
            world.channel, "The meeting moved to Friday.", user=world.bob
        )
        ia = await discord_fake.send_message_command(ASK_MENU, target, user=world.alice)
        assert await ia.wait_for_response() == 9  # a modal
        submitted = await discord_fake.submit_modal(
            ia, {"instruction": "When is the meeting?"}, user=world.alice
        )
        msg = await final(submitted)
    assert len(prompts) == 1
    assert prompts[0].startswith("### Instruction:\nWhen is the meeting?")
    assert "The meeting moved to Friday." in prompts[0]
    assert prompts[0].endswith("### Response:\n")
    assert "When is the meeting?" in msg.content
    assert "### Instruction" not in msg.content
    assert msg.embeds[0]["description"] == "NEW TEXT"
    assert msg.buttons() == ["Regenerate", "Continue", "Delete"]


async def test_a_message_without_text_gets_a_private_refusal(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with menus_running(discord_fake, fake_horde, tmp_path) as (world, prompts, _):
        target = await discord_fake.user_message(
            world.channel, "", user=world.bob, attachments={"cat.png": b"\x89PNG"}
        )
        for menu in (CONTINUE_MENU, ASK_MENU):
            ia = await discord_fake.send_message_command(menu, target, user=world.alice)
            assert "no text I could use" in await private_refusal(ia)
    assert prompts == []


async def test_a_blocked_member_is_refused_through_the_menus(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with menus_running(discord_fake, fake_horde, tmp_path) as (world, prompts, bot):
        await bot.services.blocked.block(world.guild.id, world.alice.id, world.mod.id)
        target = await discord_fake.user_message(world.channel, "Some text", user=world.bob)
        for menu in (CONTINUE_MENU, ASK_MENU):
            ia = await discord_fake.send_message_command(menu, target, user=world.alice)
            assert "blocked" in await private_refusal(ia)
    assert prompts == []


async def test_menus_work_in_a_server_without_the_bot(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    channel, (dana, erin) = foreign_place(discord_fake, "dana", "erin")
    prompts = recording_worker(fake_horde)
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=MENUS):
        target = await discord_fake.user_message(channel, "Far away words", user=erin)
        ia = await discord_fake.send_message_command(CONTINUE_MENU, target, user=dana)
        msg = await final(ia)
        in_dm = discord_fake.commands_offered(1, kind=3)
    assert prompts == ["Far away words"]
    assert msg.embeds[0]["description"] == "NEW TEXT"
    assert {CONTINUE_MENU, ASK_MENU} <= set(in_dm)
    assert posts_into(discord_fake, channel) == []


async def test_ask_uses_the_instruct_format_of_the_servers_default_model(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    prompts = recording_worker(fake_horde)
    async with (
        reference_server() as (url, _hits),
        generate_bot(
            discord_fake, fake_horde, tmp_path, extensions=MENUS, MODEL_REFERENCE_URL=url
        ) as bot,
    ):
        await bot.services.guild_settings.update(world.guild.id, default_model=MODEL)
        target = await discord_fake.user_message(world.channel, "Lunch at noon.", user=world.bob)
        ia = await discord_fake.send_message_command(ASK_MENU, target, user=world.alice)
        assert await ia.wait_for_response() == 9
        submitted = await discord_fake.submit_modal(
            ia, {"instruction": "When is lunch?"}, user=world.alice
        )
        await final(submitted)
    # The reference gives test-model the ChatML format.
    assert prompts[0].startswith("<|im_start|>user\nWhen is lunch?")
    assert prompts[0].endswith("<|im_start|>assistant\n")


async def test_help_lists_the_menus(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    extensions = (*MENUS, "cogs.help")
    async with generate_bot(discord_fake, fake_horde, tmp_path, extensions=extensions):
        ia = await discord_fake.send_slash("help", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    shown = ia.original()
    assert shown is not None
    assert f"Apps → **{CONTINUE_MENU}**" in shown.text()
    assert f"Apps → **{ASK_MENU}**" in shown.text()
