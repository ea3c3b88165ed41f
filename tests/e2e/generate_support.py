"""A running bot with the generation engine, wired to the fake Horde and the fake Discord.

The context manager :func:`generate_bot` runs the production assembly (``bot.app.open_bot``)
with the test's fakes, a short poll interval and a short edit interval, and resumes stored
jobs the way ``python -m bot`` must.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import discord
from cryptography.fernet import Fernet

from bot.app import open_bot
from bot.bot import HordeBot
from bot.config import Settings
from tests.fakes.discord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeUser,
    running_bot,
)
from tests.fakes.horde import FakeHorde, User

MODEL = "koboldcpp/test-model"
MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
EDIT_INTERVAL = 0.05


def generate_settings(data_dir: Path, horde: FakeHorde, key: str, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DISCORD_TOKEN": "fake-discord-token",
            "HORDE_API_URL": horde.base_url,
            "DATA_DIR": str(data_dir),
            "ENCRYPTION_KEY": key,
            "POLL_MIN_SECONDS": "0.05",
            "POLL_MAX_SECONDS": "0.5",
            **env,
        }
    )


@contextlib.asynccontextmanager
async def generate_bot(
    discord_fake: FakeDiscord,
    horde: FakeHorde,
    data_dir: Path,
    *,
    key: str | None = None,
    edit_interval: float = EDIT_INTERVAL,
    extensions: tuple[str, ...] = ("cogs.generate",),
    **env: str,
) -> AsyncIterator[HordeBot]:
    """Yield a ready bot with /generate (and ``extensions``), its engine started and resumed."""
    key = key or FERNET_KEY
    settings = generate_settings(data_dir, horde, key, **env)
    async with open_bot(
        settings, clock=horde.clock, extensions=extensions, edit_interval=edit_interval
    ) as bot:
        bot._connection.guild_ready_timeout = 0.05
        async with running_bot(bot, discord_fake) as ready:
            yield ready


FERNET_KEY = Fernet.generate_key().decode()


@dataclass
class World:
    """One guild, a channel, three plain members and one with Manage Messages."""

    guild: FakeGuild
    channel: FakeChannel
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser
    mod: FakeUser


def make_world(discord_fake: FakeDiscord) -> World:
    guild = discord_fake.add_guild("Test Guild")
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    return World(
        guild=guild,
        channel=channel,
        alice=discord_fake.add_member(guild, "alice", permissions=0),
        bob=discord_fake.add_member(guild, "bob", permissions=0),
        carol=discord_fake.add_member(guild, "carol", permissions=0),
        mod=discord_fake.add_member(guild, "mod", permissions=MANAGE_MESSAGES),
    )


async def log_in(bot: HordeBot, member: FakeUser, horde_user: User) -> None:
    """Register ``horde_user``'s key for ``member``, as /login would after find_user."""
    await bot.services.accounts.save(
        member.id, horde_user.apikey, horde_user.id, horde_user.username
    )


def submits(horde: FakeHorde) -> list[str]:
    """The API keys of every text submit the fake Horde received, in order."""
    return [
        r.headers.get("apikey", "")
        for r in horde.requests
        if r.method == "POST" and r.path.endswith("/v2/generate/text/async")
    ]


async def generate(
    discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, prompt: str, **options: object
) -> FakeInteraction:
    ia = await discord_fake.send_slash(
        "generate", {"prompt": prompt, **options}, user=user, channel=channel
    )
    await ia.wait_for_response()
    return ia


async def final(ia: FakeInteraction, word: str = "Done", timeout: float = 8.0) -> FakeMessage:
    """The reply once it shows ``word`` (e.g. "Done", "Cancelled") in its content."""
    return await ia.wait_for_original(lambda m: word in m.content, timeout=timeout)


def contents(message: FakeMessage) -> list[str]:
    """Every content the message showed, oldest first (one per version)."""
    return [str(version["content"]) for version in message.history]


async def engine_idle(bot: HordeBot, timeout: float = 5.0) -> None:
    """Wait until the engine has no job in flight."""
    service = bot.services.generations
    async with asyncio.timeout(timeout):
        while service.in_flight:
            await asyncio.sleep(0.02)


Predicate = Callable[[FakeMessage], bool]


def bot_edits(discord_fake: FakeDiscord) -> list[object]:
    """The JSON body of every message the bot edited or posted (webhook or channel)."""
    return [
        call.json
        for call in discord_fake.calls
        if call.method in ("PATCH", "POST")
        and ("/webhooks/" in call.path or call.path.endswith("/messages"))
    ]
