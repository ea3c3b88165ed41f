"""The fake Discord's own tests: a small real ``commands.Bot`` round-trips through it."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

# The product's log redaction (installed on import, as the bot does): discord.py logs every
# gateway event at DEBUG, interaction tokens included, and the e2e secret guard checks the logs.
from bot import logging_setup as _log_redaction  # noqa: F401
from tests.fakes.discord import FakeDiscord, FakeUser, fast_bot_options, running_bot
from tests.fakes.discord.limits import message_errors
from tests.fakes.discord.models import FakeChannel

SITE_DIR = Path(__file__).resolve().parents[1] / "fakes" / "subprocess_site"


class LoginModal(discord.ui.Modal, title="Horde login"):
    apikey: discord.ui.TextInput[LoginModal] = discord.ui.TextInput(
        label="API key", custom_id="apikey"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"key of {len(self.apikey.value)} chars", ephemeral=True
        )


class PanelView(discord.ui.View):
    @discord.ui.button(label="Cancel", custom_id="panel:cancel")
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.edit_message(content="cancelled", view=None)


async def pick_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    models = ["koboldcpp/a", "koboldcpp/b", "aphrodite/c"]
    return [app_commands.Choice(name=m, value=m) for m in models if current in m]


class TinyBot(commands.Bot):
    """A bot with one command per behaviour the fake must carry."""

    def __init__(self) -> None:
        super().__init__(command_prefix=commands.when_mentioned, **fast_bot_options())  # type: ignore[arg-type]
        self.errors: list[discord.HTTPException] = []
        self.release = asyncio.Event()
        kudos = app_commands.Group(name="kudos", description="Kudos")
        kudos.command(name="transfer", description="Send kudos")(self.transfer)
        self.tree.add_command(kudos)
        self.seen: list[discord.Message] = []
        names = ("echo", "login", "panel", "slow", "wait", "long", "pick", "thinking", "late")
        for name in names:
            self.tree.command(name=name, description=name)(getattr(self, f"cmd_{name}"))

    async def cmd_echo(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"echo: {text}")

    async def transfer(
        self, interaction: discord.Interaction, amount: int, member: discord.Member
    ) -> None:
        await interaction.response.send_message(f"{amount} to {member.name}", ephemeral=True)

    async def cmd_login(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(LoginModal())

    async def cmd_panel(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=PanelView())

    async def cmd_slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="step 1")
        result = discord.File(io.BytesIO(b"the result"), filename="out.txt")
        await interaction.edit_original_response(content="done", attachments=[result])

    async def cmd_wait(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await self.release.wait()
        try:
            await interaction.edit_original_response(content="late")
        except discord.HTTPException as exc:
            self.errors.append(exc)

    async def cmd_late(self, interaction: discord.Interaction) -> None:
        await self.release.wait()
        try:
            await interaction.response.send_message("too late")
        except discord.HTTPException as exc:
            self.errors.append(exc)

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            self.seen.append(message)

    async def cmd_long(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as exc:
            self.errors.append(exc)

    async def cmd_pick(self, interaction: discord.Interaction, model: str) -> None:
        await interaction.response.send_message(model)

    async def cmd_thinking(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("result")

    async def setup_hook(self) -> None:
        pick = self.tree.get_command("pick")
        assert isinstance(pick, app_commands.Command)
        pick.autocomplete("model")(pick_choices)


@pytest.fixture
async def world(discord_fake: FakeDiscord) -> tuple[FakeChannel, FakeUser]:
    guild = discord_fake.add_guild("Test Guild")
    channel = discord_fake.add_channel(guild, "general")
    alice = discord_fake.add_member(guild, "alice", permissions=0)
    return channel, alice


@pytest.fixture
async def bot(
    discord_fake: FakeDiscord, world: tuple[FakeChannel, FakeUser]
) -> AsyncIterator[TinyBot]:
    async with running_bot(TinyBot(), discord_fake) as running:
        yield running


async def test_slash_command_reply_is_stored_in_channel(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("echo", {"text": "hi"}, user=alice, channel=channel)
    assert await ia.wait_for_response() == 4
    assert [m.content for m in discord_fake.messages_in(channel)] == ["echo: hi"]


async def test_subcommand_member_option_resolves_to_member(discord_fake, world, bot):
    channel, alice = world
    bob = discord_fake.add_member(discord_fake.guilds[channel.guild_id], "bob")
    ia = await discord_fake.send_slash(
        "kudos transfer", {"amount": 5, "member": bob}, user=alice, channel=channel
    )
    msg = await ia.wait_for_original()
    assert (msg.content, ia.ephemeral) == ("5 to bob", True)


async def test_modal_submit_reaches_on_submit(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("login", {}, user=alice, channel=channel)
    assert await ia.wait_for_response() == 9
    assert (ia.modal or {}).get("title") == "Horde login"
    submitted = await discord_fake.submit_modal(ia, {"apikey": "secret-key"}, user=alice)
    assert (await submitted.wait_for_original()).content == "key of 10 chars"


async def test_button_click_runs_view_callback(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("panel", {}, user=alice, channel=channel)
    msg = await ia.wait_for_original()
    assert msg.buttons() == ["Cancel"]
    click = await discord_fake.click(msg, label="Cancel", user=alice)
    assert await click.wait_for_response() == 7
    assert (msg.content, msg.buttons()) == ("cancelled", [])


async def test_deferred_command_edits_original_and_attaches_file(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("slow", {}, user=alice, channel=channel)
    msg = await ia.wait_for_original(lambda m: m.content == "done")
    assert [h["content"] for h in msg.history] == ["", "step 1", "done"]
    assert [(a.filename, a.data) for a in msg.attachments] == [("out.txt", b"the result")]


async def test_expired_token_makes_editing_original_fail(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("wait", {}, user=alice, channel=channel)
    await ia.wait_for_response()
    discord_fake.clock.advance(15 * 60 + 1)
    bot.release.set()
    await discord_fake.wait_for(lambda: bot.errors)
    assert (bot.errors[0].status, bot.errors[0].code) == (401, 50027)


async def test_content_over_2000_chars_raises_http_exception(discord_fake, world, bot):
    channel, alice = world
    await discord_fake.send_slash("long", {}, user=alice, channel=channel)
    await discord_fake.wait_for(lambda: bot.errors)
    assert (bot.errors[0].status, bot.errors[0].code) == (400, 50035)


async def test_autocomplete_returns_bot_choices(discord_fake, world, bot):
    channel, alice = world
    choices = await discord_fake.autocomplete(
        "pick", {"model": "kobold"}, focused="model", user=alice, channel=channel
    )
    assert [c["value"] for c in choices] == ["koboldcpp/a", "koboldcpp/b"]


async def test_first_followup_after_defer_replaces_thinking_message(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("thinking", {}, user=alice, channel=channel)
    msg = await ia.wait_for_original(lambda m: not m.loading)
    assert (msg.content, msg.ephemeral, ia.followups()) == ("result", True, [])


async def test_unknown_option_is_a_test_error(discord_fake, world, bot):
    channel, alice = world
    with pytest.raises(ValueError, match="unknown options"):
        await discord_fake.send_slash("echo", {"txt": "typo"}, user=alice, channel=channel)


async def test_tree_sync_is_recorded(discord_fake, world, bot):
    await bot.tree.sync()
    names = sorted(c["name"] for c in discord_fake.synced_commands["global"])
    assert (names, discord_fake.sync_count) == (
        ["echo", "kudos", "late", "login", "long", "panel", "pick", "slow", "thinking", "wait"],
        1,
    )


async def test_channel_reply_and_dm_are_stored(discord_fake, world, bot):
    channel, alice = world
    first = await bot.get_partial_messageable(channel.id).send("first")
    await first.reply("second")
    await (await bot.fetch_user(alice.id)).send("psst")
    replies = [
        m.message_reference["message_id"]
        for m in discord_fake.messages_in(channel)
        if m.message_reference
    ]
    assert (replies, [m.content for m in discord_fake.dms_with(alice)]) == (
        [str(first.id)],
        ["psst"],
    )


async def test_typical_flow_leaves_no_unhandled_routes(discord_fake, world, bot):
    channel, alice = world
    ia = await discord_fake.send_slash("slow", {}, user=alice, channel=channel)
    await ia.wait_for_original(lambda m: m.content == "done")
    await bot.tree.sync()
    assert discord_fake.unhandled == []


async def test_unknown_route_is_recorded_as_unhandled(discord_fake, world, bot):
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/no/such/route"))
    assert discord_fake.unhandled == ["GET /api/v10/no/such/route"]


async def test_wrong_token_fails_login(discord_fake, world):
    with pytest.raises(discord.LoginFailure):
        async with running_bot(TinyBot(), discord_fake, token="wrong-token"):
            pass


async def test_gateway_resume_keeps_the_bot_working(discord_fake, world, bot):
    channel, alice = world
    await discord_fake.disconnect_gateway(resume=True)
    ia = await discord_fake.send_slash("echo", {"text": "again"}, user=alice, channel=channel)
    assert (await ia.wait_for_original()).content == "echo: again"
    assert (discord_fake.gateway.resume_count, discord_fake.gateway.identify_count) == (1, 1)


async def test_invalid_session_makes_the_bot_identify_again(discord_fake, world, bot):
    await discord_fake.disconnect_gateway(resume=False)
    assert discord_fake.gateway.identify_count == 2


async def test_rate_limit_answers_429_with_discord_headers(discord_fake, world):
    channel, _ = world
    discord_fake.rate_limits.enable(limit=1, per=10.0)
    headers = {"Authorization": f"Bot {discord_fake.token}"}
    async with aiohttp.ClientSession() as session:
        url = f"{discord_fake.rest_url}/channels/{channel.id}"
        statuses = [(await session.get(url, headers=headers)) for _ in range(2)]
    limited = statuses[1]
    assert (limited.status, limited.headers["Via"], limited.headers["X-RateLimit-Remaining"]) == (
        429,
        "1.1 google",
        "0",
    )


async def test_sitecustomize_points_a_child_process_at_the_fake(discord_fake):
    env = {
        **os.environ,
        "PYTHONPATH": f"{SITE_DIR}{os.pathsep}.",
        "FAKE_DISCORD_URL": discord_fake.base_url,
    }
    code = (
        "import discord.http, discord.gateway as g;"
        "print(discord.http.Route.BASE, g.DiscordWebSocket.DEFAULT_GATEWAY)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [discord_fake.rest_url, discord_fake.gateway_url]


async def test_late_acknowledgement_fails_with_unknown_interaction(discord_fake, world, bot):
    channel, alice = world
    await discord_fake.send_slash("late", {}, user=alice, channel=channel)
    discord_fake.clock.advance(3.5)
    bot.release.set()
    await discord_fake.wait_for(lambda: bot.errors)
    assert (bot.errors[0].status, bot.errors[0].code) == (404, 10062)


async def test_embed_description_over_4096_chars_raises_http_exception(discord_fake, world, bot):
    channel, _ = world
    embed = discord.Embed(description="x" * 4097)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.get_partial_messageable(channel.id).send(embed=embed)
    assert caught.value.code == 50035


@pytest.mark.parametrize(
    "payload",
    [
        {"content": "x" * 2001},
        {"embeds": [{"title": "t" * 257}]},
        {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
        {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
        {"embeds": [{"description": "d"}] * 11},
        {"components": [{"type": 1, "components": []}] * 6},
    ],
    ids=["content", "title", "fields", "total", "embeds", "rows"],
)
def test_discord_limits_are_enforced(payload):
    assert message_errors(payload) is not None


def test_limits_accept_a_message_at_the_limits():
    payload = {"content": "x" * 2000, "embeds": [{"title": "t" * 256, "description": "d" * 4096}]}
    assert message_errors(payload) is None


async def test_429_with_via_header_is_retried_by_discord_py(discord_fake, world, bot):
    channel, _ = world
    body = {"message": "You are being rate limited.", "retry_after": 0.01, "global": False}
    discord_fake.fail_next(
        "POST", "/messages", status=429, body=body, headers={"Via": "1.1 google"}
    )
    await bot.get_partial_messageable(channel.id).send("hello")
    statuses = [c.status for c in discord_fake.calls_to("POST", "/messages")]
    assert (statuses, len(discord_fake.messages_in(channel))) == ([429, 200], 1)


async def test_thread_is_created_and_archived(discord_fake, world, bot):
    channel, _ = world
    text_channel = bot.get_channel(channel.id)
    assert isinstance(text_channel, discord.TextChannel)
    thread = await text_channel.create_thread(name="chat", type=discord.ChannelType.public_thread)
    await thread.send("in thread")
    await thread.edit(archived=True)
    fake_thread = discord_fake.channels[thread.id]
    assert (fake_thread.parent_id, fake_thread.archived) == (channel.id, True)
    assert [m.content for m in discord_fake.messages_in(fake_thread)] == ["in thread"]


async def test_guild_message_without_mention_has_no_content(discord_fake, world, bot):
    channel, alice = world
    await discord_fake.user_message(channel, "hello all", user=alice)
    await discord_fake.wait_for(lambda: bot.seen)
    assert bot.seen[0].content == ""


async def test_guild_message_mentioning_the_bot_has_content(discord_fake, world, bot):
    channel, alice = world
    text = f"<@{discord_fake.bot_user.id}> hello"
    await discord_fake.user_message(channel, text, user=alice)
    await discord_fake.wait_for(lambda: bot.seen)
    assert (bot.seen[0].content, bot.user in bot.seen[0].mentions) == (text, True)


async def test_slash_command_in_dm_is_answered_in_dm(discord_fake, world, bot):
    _, alice = world
    ia = await discord_fake.send_slash("echo", {"text": "private"}, user=alice)
    await ia.wait_for_original()
    assert [m.content for m in discord_fake.dms_with(alice)] == ["echo: private"]


async def test_guild_only_command_is_routed_with_guild_id(discord_fake, world):
    channel, alice = world
    tiny = TinyBot()

    @tiny.tree.command(name="local", description="local", guild=discord.Object(channel.guild_id))
    async def local(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("guild command")

    async with running_bot(tiny, discord_fake):
        ia = await discord_fake.send_slash("local", {}, user=alice, channel=channel)
        assert (await ia.wait_for_original()).content == "guild command"
