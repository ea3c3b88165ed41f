"""A running bot wired to both fakes, for the /kudos, /workers, /status, /mod, /hordemod tests.

The bot is built exactly as in production (``bot.app.open_bot``) with its Horde URL, data
directory and a fresh encryption key pointing at the test's own fakes and ``tmp_path``; the
bot runs on the fake Horde's clock so tests can jump time forward.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from cryptography.fernet import Fernet

from bot.app import open_bot
from bot.bot import HordeBot
from bot.config import Settings
from tests.fakes.discord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMessage,
    FakeUser,
    running_bot,
)
from tests.fakes.horde import FakeHorde, User

MANAGE_GUILD = discord.Permissions(manage_guild=True).value


def settings_for(tmp_path: Path, horde: FakeHorde) -> Settings:
    return Settings.from_env(
        {
            "DISCORD_TOKEN": "fake-discord-token",
            "HORDE_API_URL": horde.base_url,
            "DATA_DIR": str(tmp_path),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
    )


@contextlib.asynccontextmanager
async def bot_running(
    discord_fake: FakeDiscord, horde: FakeHorde, tmp_path: Path, *extensions: str
) -> AsyncIterator[HordeBot]:
    """Yield a ready bot with only ``extensions`` loaded."""
    async with open_bot(
        settings_for(tmp_path, horde), clock=horde.clock, extensions=extensions
    ) as bot:
        # Start in milliseconds: discord.py otherwise waits 2 s for more GUILD_CREATEs.
        bot._connection.guild_ready_timeout = 0.05
        async with running_bot(bot, discord_fake) as ready:
            yield ready


@dataclass
class World:
    """One guild with a general channel and three members."""

    guild: FakeGuild
    channel: FakeChannel
    alice: FakeUser
    bob: FakeUser
    mod: FakeUser
    bot: HordeBot | None = None  # set by the test's bot fixture once it runs


def make_world(discord_fake: FakeDiscord) -> World:
    guild = discord_fake.add_guild("Test Guild")
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    return World(
        guild=guild,
        channel=channel,
        alice=discord_fake.add_member(guild, "alice", permissions=0),
        bob=discord_fake.add_member(guild, "bob", permissions=0),
        mod=discord_fake.add_member(guild, "mod", permissions=MANAGE_GUILD),
    )


async def log_in(bot: HordeBot, member: FakeUser, horde_user: User) -> None:
    """Register ``horde_user``'s key for ``member``, as /login would after find_user."""
    await bot.services.accounts.save(
        member.id, horde_user.apikey, horde_user.id, horde_user.username
    )


async def view_ready(world: World, fake: FakeDiscord, msg: FakeMessage) -> FakeMessage:
    """Wait until discord.py listens for ``msg``'s buttons.

    discord.py registers a view only after Discord answered the request that sent it; a
    test can see the message (and click) before that answer reached the bot, which a human
    never could.
    """
    assert world.bot is not None
    store = world.bot._connection._view_store
    await fake.wait_for(lambda: store.is_message_tracked(msg.id) or None, 5)
    return msg


def modal_inputs(modal: Any) -> dict[str, str]:
    """``label -> custom_id`` of every text input of a modal the bot opened, in order."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == 4:
                found[node["label"]] = node["custom_id"]
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(modal)
    return found


async def private_answer(
    discord_fake: FakeDiscord,
    command: str,
    options: dict[str, Any],
    *,
    user: FakeUser,
    channel: FakeChannel,
) -> FakeMessage:
    """Run ``/command`` and return its answer once it is written; it must be private."""
    ia = await discord_fake.send_slash(command, options, user=user, channel=channel)
    msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.content or m.embeds))
    assert msg.ephemeral
    return msg
