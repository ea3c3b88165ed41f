"""A running bot with /chat on both fakes, the generation engine and a model reference.

:func:`chat_bot` runs the production assembly (``bot.app.open_bot``, which starts the
engine and resumes stored jobs) with ``cogs.chat`` and short poll and edit intervals;
:func:`reference_server` serves ``tests/data/model_reference.json`` over HTTP on
127.0.0.1 as ``MODEL_REFERENCE_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
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
from tests.fakes.horde import FakeHorde

DATA = Path(__file__).parent.parent / "data" / "model_reference.json"
MODEL = "koboldcpp/test-model"
EDIT_INTERVAL = 0.05
FERNET_KEY = Fernet.generate_key().decode()


@contextlib.asynccontextmanager
async def reference_server(path: Path = DATA) -> AsyncIterator[tuple[str, list[str]]]:
    """Serve ``path`` at ``http://127.0.0.1:PORT/db.json``; yield the URL and a hit log."""
    hits: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text=path.read_text(), content_type="text/plain")

    app = web.Application()
    app.router.add_get("/db.json", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/db.json", hits
    finally:
        await runner.cleanup()


def chat_settings(data_dir: Path, horde: FakeHorde, reference_url: str, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DISCORD_TOKEN": "fake-discord-token",
            "HORDE_API_URL": horde.base_url,
            "DATA_DIR": str(data_dir),
            "ENCRYPTION_KEY": FERNET_KEY,
            "POLL_MIN_SECONDS": "0.05",
            "POLL_MAX_SECONDS": "0.5",
            "MODEL_REFERENCE_URL": reference_url,
            **env,
        }
    )


@contextlib.asynccontextmanager
async def chat_bot(
    discord_fake: FakeDiscord,
    horde: FakeHorde,
    data_dir: Path,
    reference_url: str,
    extensions: tuple[str, ...] = ("cogs.chat",),
    **env: str,
) -> AsyncIterator[HordeBot]:
    """Yield a ready bot with /chat; the app starts and resumes the generation engine."""
    settings = chat_settings(data_dir, horde, reference_url, **env)
    async with open_bot(
        settings, clock=horde.clock, extensions=extensions, edit_interval=EDIT_INTERVAL
    ) as bot:
        bot._connection.guild_ready_timeout = 0.05
        async with running_bot(bot, discord_fake) as ready:
            await chat_ready(ready)
            yield ready


async def chat_ready(bot: HordeBot, timeout: float = 5.0) -> None:
    """Wait until the chat service restarted its queues (once the bot is connected)."""
    async with asyncio.timeout(timeout):
        while bot.services.chat.driver is None:
            await asyncio.sleep(0.01)


@dataclass
class World:
    guild: FakeGuild
    channel: FakeChannel
    alice: FakeUser
    bob: FakeUser
    mod: FakeUser


def make_world(discord_fake: FakeDiscord, *, nsfw: bool = False, shard: int | None = None) -> World:
    """A guild (on ``shard`` when given) with alice, bob and a moderator."""
    guild = (
        discord_fake.add_guild("Test Guild")
        if shard is None
        else discord_fake.add_guild(f"guild on shard {shard}", shard=shard)
    )
    channel = discord_fake.add_channel(guild, "general", nsfw=nsfw)
    manage = 0x20 | 0x2000  # Manage Server, Manage Messages
    return World(
        guild=guild,
        channel=channel,
        alice=discord_fake.add_member(guild, "alice", permissions=0),
        bob=discord_fake.add_member(guild, "bob", permissions=0),
        mod=discord_fake.add_member(guild, "mod", permissions=manage),
    )


async def start_chat(
    discord_fake: FakeDiscord, world: World, user: FakeUser | None = None, **options: object
) -> FakeChannel:
    """Run ``/chat start`` and return the thread it opened."""
    user = user or world.alice
    before = set(discord_fake.channels)
    ia = await discord_fake.send_slash(
        "chat start", dict(options), user=user, channel=world.channel
    )
    await ia.wait_for_response()
    await ia.wait_for_original(lambda m: "conversation is in" in m.content, timeout=5)
    new = [c for cid, c in discord_fake.channels.items() if cid not in before]
    assert len(new) == 1, new
    return new[0]


def bot_mention(discord_fake: FakeDiscord) -> str:
    return f"<@{discord_fake.bot_user.id}>"


async def say(
    discord_fake: FakeDiscord, thread: FakeChannel, user: FakeUser, text: str
) -> FakeMessage:
    """``user`` mentions the bot in ``thread`` with ``text``."""
    return await discord_fake.user_message(thread, f"{bot_mention(discord_fake)} {text}", user=user)


def replies_in(discord_fake: FakeDiscord, thread: FakeChannel) -> list[FakeMessage]:
    """The bot's chat replies in the thread (messages that replied to a user's turn)."""
    bot_id = discord_fake.bot_user.id
    return [
        m
        for m in discord_fake.messages_in(thread)
        if m.author_id == bot_id and m.message_reference is not None
    ]


async def reply_done(
    discord_fake: FakeDiscord, thread: FakeChannel, count: int, timeout: float = 8.0
) -> FakeMessage:
    """The ``count``-th chat reply once it shows Done."""

    def ready() -> FakeMessage | None:
        found = replies_in(discord_fake, thread)
        if len(found) >= count and "Done" in found[count - 1].content:
            return found[count - 1]
        return None

    result = await discord_fake.wait_for(ready, timeout)
    assert isinstance(result, FakeMessage)
    return result


def chat_prompts(horde: FakeHorde) -> list[str]:
    """The prompt of every text submit the fake Horde received, in order."""
    return [
        str(r.json.get("prompt", ""))
        for r in horde.requests
        if r.method == "POST"
        and r.path.endswith("/v2/generate/text/async")
        and isinstance(r.json, dict)
    ]


async def turn_stored(bot: HordeBot, text: str, timeout: float = 5.0) -> None:
    """Wait until the bot stored a turn containing ``text`` (it reads messages in the
    background, so a test must not shut it down before)."""
    cog: Any = bot.get_cog("Chat")

    async def stored() -> bool:
        for conversation_id in range(1, 20):
            turns = await cog.repo.turns(conversation_id)
            if any(text in t.content for t in turns):
                return True
        return False

    async with asyncio.timeout(timeout):
        while not await stored():
            await asyncio.sleep(0.02)
