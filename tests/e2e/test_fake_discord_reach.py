"""The fake Discord's reach, driven by a real ``commands.Bot``: synced ``contexts`` and
``integration_types``, interactions from the bot's DM, group DMs and servers without the bot
(REST refused there as on Discord), message context menus with resolved messages, and DMs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

# The product's log redaction (installed on import, as the bot does): discord.py logs every
# gateway event at DEBUG, interaction tokens included, and the e2e secret guard checks the logs.
from bot import logging_setup as _log_redaction  # noqa: F401
from tests.fakes.discord import FakeDiscord, FakeUser, fast_bot_options, running_bot
from tests.fakes.discord.models import FakeChannel

EVERYWHERE = {"guilds": True, "dms": True, "private_channels": True}


def errors_of(exc: discord.HTTPException) -> tuple[int, int]:
    return exc.status, exc.code


class AskModal(discord.ui.Modal, title="Ask about this message"):
    instruction: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Instruction", custom_id="instruction"
    )

    def __init__(self, target: discord.Message) -> None:
        super().__init__()
        self.target = target

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{self.instruction.value}: {self.target.content}", ephemeral=True
        )


class ReachBot(commands.Bot):
    """Commands installable both ways, one guild-only command, and a message menu."""

    def __init__(self) -> None:
        super().__init__(command_prefix=commands.when_mentioned, **fast_bot_options())  # type: ignore[arg-type]
        self.errors: list[tuple[int, int]] = []
        self.release = asyncio.Event()
        self.seen: list[discord.Message] = []
        both = app_commands.allowed_installs(guilds=True, users=True)
        anywhere = app_commands.allowed_contexts(**EVERYWHERE)
        for name in ("where", "poke", "later", "many", "panel"):
            cmd = app_commands.Command(
                name=name, description=name, callback=getattr(self, f"cmd_{name}")
            )
            self.tree.add_command(both(anywhere(cmd)))
        mod = app_commands.Command(name="mod", description="mod", callback=self.cmd_where)
        guild_install = app_commands.allowed_installs(guilds=True, users=False)
        self.tree.add_command(guild_install(app_commands.allowed_contexts(guilds=True)(mod)))
        legacy = app_commands.Command(name="legacy", description="l", callback=self.cmd_where)
        self.tree.add_command(app_commands.guild_only(legacy))
        quote = app_commands.ContextMenu(name="Quote this", callback=self.quote)
        self.tree.add_command(both(anywhere(quote)))
        ask = app_commands.ContextMenu(name="Ask about…", callback=self.ask)
        self.tree.add_command(both(anywhere(ask)))

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            self.seen.append(message)

    async def cmd_where(self, interaction: discord.Interaction) -> None:
        kind = "member" if isinstance(interaction.user, discord.Member) else "user"
        installs = [
            name
            for name, on in (
                ("guild", interaction.is_guild_integration()),
                ("user", interaction.is_user_integration()),
            )
            if on
        ]
        cached = self.get_guild(interaction.guild_id or 0) is not None
        await interaction.response.send_message(
            f"{kind} {interaction.user.name}; installs {installs}; guild cached {cached}"
        )

    async def cmd_poke(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        channel = self.get_partial_messageable(interaction.channel_id or 0)
        for attempt in (channel.send("into the channel"), channel.fetch_message(1)):
            try:
                await attempt
            except discord.HTTPException as exc:
                self.errors.append(errors_of(exc))
        await interaction.edit_original_response(content="poked")
        await interaction.followup.send("followup")

    async def cmd_later(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await self.release.wait()
        try:
            await interaction.edit_original_response(content="late result")
        except discord.HTTPException as exc:
            self.errors.append(errors_of(exc))
            try:
                await interaction.user.send("your late result")
            except discord.HTTPException as dm_exc:
                self.errors.append(errors_of(dm_exc))

    async def cmd_many(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        for i in range(6):
            try:
                await interaction.followup.send(f"followup {i}")
            except discord.HTTPException as exc:
                self.errors.append(errors_of(exc))

    async def cmd_panel(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="Go", custom_id="reach:go"))
        await interaction.response.send_message("panel", view=view)

    async def ask(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_modal(AskModal(message))

    async def quote(self, interaction: discord.Interaction, message: discord.Message) -> None:
        texts = [(await a.read()).decode() for a in message.attachments]
        await interaction.response.send_message(
            f"{message.author.name} said {message.content!r} files {texts}"
        )


@pytest.fixture
async def world(discord_fake: FakeDiscord) -> tuple[FakeChannel, FakeUser, FakeUser]:
    guild = discord_fake.add_guild("Home")
    channel = discord_fake.add_channel(guild, "general")
    return (
        channel,
        discord_fake.add_member(guild, "alice"),
        discord_fake.add_member(guild, "bob"),
    )


@pytest.fixture
async def bot(discord_fake: FakeDiscord, world: object) -> AsyncIterator[ReachBot]:
    async with running_bot(ReachBot(), discord_fake) as running:
        yield running


# --- synced contexts and install types -----------------------------------------------------------


async def test_global_sync_stores_contexts_and_integration_types(discord_fake, bot):
    await bot.tree.sync()
    where, mod = discord_fake.synced_command("where"), discord_fake.synced_command("mod")
    assert (where["contexts"], where["integration_types"]) == ([0, 1, 2], [0, 1])
    assert (mod["contexts"], mod["integration_types"]) == ([0], [0])
    menu = discord_fake.synced_command("Quote this", kind=3)
    assert (menu["type"], menu["contexts"]) == (3, [0, 1, 2])


async def test_offered_commands_follow_contexts_and_installs(discord_fake, bot):
    await bot.tree.sync()
    assert discord_fake.commands_offered(1) == ["later", "many", "panel", "poke", "where"]
    assert "mod" in discord_fake.commands_offered(0, install="guild")
    assert "mod" not in discord_fake.commands_offered(0, install="user")
    assert "legacy" not in discord_fake.commands_offered(1)  # guild_only: dm_permission false
    assert discord_fake.commands_offered(2, kind=3) == ["Ask about…", "Quote this"]


async def test_guild_sync_keeps_commands_in_their_guild(discord_fake, world, bot):
    guild = discord_fake.guilds[world[0].guild_id]
    bot.tree.copy_global_to(guild=discord.Object(guild.id))
    await bot.tree.sync(guild=discord.Object(guild.id))
    stored = discord_fake.synced_command("where", guild=guild)
    assert (stored["contexts"], stored["guild_id"]) == ([0, 1, 2], str(guild.id))
    assert "where" in discord_fake.commands_offered(0, guild=guild, install="guild")
    assert discord_fake.commands_offered(1) == []  # guild commands are never offered in DMs


async def test_sync_refuses_a_sixth_message_menu(discord_fake, bot):
    # discord.py refuses this before sending; Discord's own check is what the fake carries.
    menus = [{"name": f"Menu {i}", "type": 3} for i in range(6)]
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_global_commands(discord_fake.application_id, menus)
    assert (refused.value.status, refused.value.code) == (400, 30032)


async def test_command_not_offered_there_is_a_test_error_when_checked(discord_fake, world, bot):
    _, alice, _ = world
    with pytest.raises(ValueError, match="does not offer 'mod'"):
        await discord_fake.send_slash("mod", user=alice, check_context=True)
    legacy = await discord_fake.send_slash("legacy", user=alice)  # unchecked: old behaviour
    await legacy.wait_for_response()
    assert legacy.payload["context"] == 1


# --- interactions from everywhere ---------------------------------------------------------------


async def test_slash_from_the_bots_dm_has_user_and_user_install(discord_fake, world, bot):
    _, alice, _ = world
    ia = await discord_fake.send_slash("where", user=alice, check_context=True)
    msg = await ia.wait_for_original()
    assert msg.content == "user alice; installs ['user']; guild cached False"
    assert (ia.payload["context"], ia.payload["authorizing_integration_owners"]) == (
        1,
        {"1": str(alice.id)},
    )
    assert ("member" in ia.payload, msg.channel_id) == (False, discord_fake.dm_channel(alice).id)


async def test_guild_install_in_the_bots_dm_is_owned_by_guild_zero(discord_fake, world, bot):
    _, alice, _ = world
    ia = await discord_fake.send_slash("where", user=alice, install="guild")
    await ia.wait_for_original()
    assert ia.payload["authorizing_integration_owners"] == {"0": "0"}


async def test_both_installs_in_a_server_with_the_bot(discord_fake, world, bot):
    channel, alice, _ = world
    ia = await discord_fake.send_slash("where", user=alice, channel=channel, install="both")
    msg = await ia.wait_for_original()
    assert msg.content == "member alice; installs ['guild', 'user']; guild cached True"


async def test_slash_from_a_group_dm_is_context_2_and_rest_is_refused(discord_fake, world, bot):
    _, alice, bob = world
    group = discord_fake.add_group_dm(alice, bob, name="pals")
    ia = await discord_fake.send_slash("poke", user=alice, channel=group, check_context=True)
    await ia.wait_for_followup(lambda m: m.content == "followup")
    assert (ia.payload["context"], ia.payload["channel"]["type"]) == (2, 3)
    assert (ia.original().content, bot.errors) == ("poked", [(403, 50001), (403, 50001)])
    assert [m.content for m in discord_fake.messages_in(group)] == ["poked", "followup"]


async def test_slash_from_a_dm_between_users_is_context_2(discord_fake, world, bot):
    _, alice, bob = world
    pair = discord_fake.add_private_dm(alice, bob)
    ia = await discord_fake.send_slash("where", user=alice, channel=pair)
    assert (await ia.wait_for_original()).content.startswith("user alice")
    assert (ia.payload["context"], ia.payload["authorizing_integration_owners"]) == (
        2,
        {"1": str(alice.id)},
    )


async def test_slash_from_a_server_without_the_bot(discord_fake, world, bot):
    other = discord_fake.add_foreign_guild("Elsewhere")
    lounge = discord_fake.add_channel(other, "lounge")
    carol = discord_fake.add_member(other, "carol")
    ia = await discord_fake.send_slash("where", user=carol, channel=lounge)
    assert (await ia.wait_for_original()).content == (
        "member carol; installs ['user']; guild cached False"
    )
    assert (ia.payload["guild_id"], ia.payload["context"]) == (str(other.id), 0)
    assert ia.payload["authorizing_integration_owners"] == {"1": str(carol.id)}
    poke = await discord_fake.send_slash("poke", user=carol, channel=lounge)
    await poke.wait_for_followup(lambda m: m.content == "followup")
    assert (bot.errors, ia.shard_id) == ([(403, 50001), (403, 50001)], 0)


async def test_bot_never_hears_of_messages_where_it_is_not(discord_fake, world, bot):
    _, alice, bob = world
    other = discord_fake.add_foreign_guild()
    lounge = discord_fake.add_channel(other, "lounge")
    carol = discord_fake.add_member(other, "carol")
    await discord_fake.user_message(lounge, "not for the bot", user=carol)
    await discord_fake.user_message(discord_fake.add_group_dm(alice, bob), "nor this", user=bob)
    ia = await discord_fake.send_slash("where", user=carol, channel=lounge)
    await ia.wait_for_original()
    session = discord_fake.gateway.sessions[0]
    assert ("MESSAGE_CREATE" in session.events, bot.seen) == (False, [])


async def test_a_guild_install_cannot_reach_a_group_dm(discord_fake, world, bot):
    _, alice, bob = world
    with pytest.raises(ValueError, match="only a user install"):
        await discord_fake.send_slash(
            "where", user=alice, channel=discord_fake.add_group_dm(bob), install="guild"
        )


async def test_sixth_followup_out_of_reach_fails_40094(discord_fake, world, bot):
    _, alice, bob = world
    ia = await discord_fake.send_slash("many", user=alice, channel=discord_fake.add_group_dm(bob))
    await discord_fake.wait_for(lambda: bot.errors)
    assert (len(ia.followups()), bot.errors) == (5, [(400, 40094)])


async def test_server_without_external_apps_makes_responses_ephemeral(discord_fake, world, bot):
    strict = discord_fake.add_foreign_guild("Strict", external_apps=False)
    carol = discord_fake.add_member(strict, "carol")
    ia = await discord_fake.send_slash(
        "poke", user=carol, channel=discord_fake.add_channel(strict, "c")
    )
    followup = await ia.wait_for_followup()
    assert (ia.original().ephemeral, followup.ephemeral) == (True, True)


async def test_click_on_a_reply_in_a_group_dm_keeps_the_user_install(discord_fake, world, bot):
    _, alice, bob = world
    ia = await discord_fake.send_slash("panel", user=alice, channel=discord_fake.add_group_dm(bob))
    click = await discord_fake.click(await ia.wait_for_original(), label="Go", user=bob)
    assert (click.payload["context"], click.payload["authorizing_integration_owners"]) == (
        2,
        {"1": str(bob.id)},
    )


# --- message context menus ---------------------------------------------------------------------


async def test_message_menu_resolves_the_target_and_its_text_file(discord_fake, world, bot):
    channel, alice, bob = world
    target = await discord_fake.user_message(
        channel, "look at this", user=bob, attachments={"notes.txt": "text from the file"}
    )
    ia = await discord_fake.send_message_command("Quote this", target, user=alice)
    msg = await ia.wait_for_original()
    assert msg.content == "bob said 'look at this' files ['text from the file']"
    assert ia.data["target_id"] == str(target.id)
    resolved = ia.data["resolved"]["messages"][str(target.id)]
    assert resolved["attachments"][0]["content_type"] == "text/plain; charset=utf-8"


async def test_message_menu_in_a_server_without_the_bot(discord_fake, world, bot):
    other = discord_fake.add_foreign_guild()
    lounge = discord_fake.add_channel(other, "lounge")
    carol, dave = (discord_fake.add_member(other, n) for n in ("carol", "dave"))
    target = await discord_fake.user_message(lounge, "continue me", user=dave)
    ia = await discord_fake.send_message_command("Quote this", target, user=carol)
    assert (await ia.wait_for_original()).content == "dave said 'continue me' files []"
    assert (ia.payload["context"], ia.data["type"]) == (0, 3)


async def test_message_menu_modal_submit_keeps_context_and_install(discord_fake, world, bot):
    _, alice, bob = world
    group = discord_fake.add_group_dm(alice, bob)
    target = await discord_fake.user_message(group, "the plot so far", user=bob)
    opened = await discord_fake.send_message_command("Ask about…", target, user=alice)
    assert await opened.wait_for_response() == 9
    submitted = await discord_fake.submit_modal(opened, {"instruction": "Summarise"}, user=alice)
    msg = await submitted.wait_for_original()
    assert (msg.content, msg.ephemeral) == ("Summarise: the plot so far", True)
    assert (submitted.payload["context"], submitted.payload["authorizing_integration_owners"]) == (
        2,
        {"1": str(alice.id)},
    )


async def test_message_menu_not_offered_there_is_a_test_error(discord_fake, world, bot):
    _, alice, bob = world
    bot.tree.remove_command("Quote this", type=discord.AppCommandType.message)
    guild_only = app_commands.ContextMenu(name="Quote this", callback=bot.quote)
    bot.tree.add_command(app_commands.allowed_contexts(guilds=True)(guild_only))
    await bot.tree.sync()
    group = discord_fake.add_group_dm(alice, bob)
    target = await discord_fake.user_message(group, "hi", user=bob)
    with pytest.raises(ValueError, match="does not offer 'Quote this'"):
        await discord_fake.send_message_command("Quote this", target, user=alice)


# --- DMs and expired tokens ---------------------------------------------------------------------


async def test_expired_token_out_of_reach_falls_back_to_a_dm(discord_fake, world, bot):
    other = discord_fake.add_foreign_guild()
    carol = discord_fake.add_member(other, "carol")
    ia = await discord_fake.send_slash(
        "later", user=carol, channel=discord_fake.add_channel(other, "c")
    )
    await ia.wait_for_response()
    discord_fake.clock.advance(15 * 60 + 1)
    bot.release.set()
    await discord_fake.wait_for(lambda: discord_fake.bot_dms(carol))
    assert (bot.errors, [m.content for m in discord_fake.bot_dms(carol)]) == (
        [(401, 50027)],
        ["your late result"],
    )


async def test_closed_dms_refuse_the_bot_with_50007(discord_fake, world, bot):
    _, alice, _ = world
    alice.dms_open = False
    ia = await discord_fake.send_slash("later", user=alice)  # answered in her DM: allowed
    await ia.wait_for_response()
    discord_fake.clock.advance(15 * 60 + 1)
    bot.release.set()
    await discord_fake.wait_for(lambda: len(bot.errors) == 2)
    assert bot.errors == [(401, 50027), (403, 50007)]
    assert ([c.status for c in discord_fake.dm_attempts(alice)], discord_fake.bot_dms(alice)) == (
        [403],
        [],
    )
    assert [m.content for m in discord_fake.dms_with(alice)] == [""]  # the deferral only
