"""Run a real discord.py client against a ``FakeDiscord`` inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

import discord

if TYPE_CHECKING:
    from tests.fakes.discord.server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


def fast_bot_options() -> dict[str, object]:
    """Keyword arguments that make a ``commands.Bot`` start in milliseconds against the fake."""
    return {
        "intents": discord.Intents.default(),
        "chunk_guilds_at_startup": False,
        "guild_ready_timeout": 0.05,
    }


async def _first_of(
    start_task: asyncio.Future[Any], awaitable: asyncio.Future[Any], timeout: float
) -> None:
    """Wait for ``awaitable``; if ``bot.start`` ends first, raise its exception."""
    done, _ = await asyncio.wait(
        {start_task, awaitable}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if start_task in done:
        awaitable.cancel()
        start_task.result()  # raises what killed the bot
        raise RuntimeError("bot.start() returned before the bot was ready")
    if not done:
        awaitable.cancel()
        raise TimeoutError("the bot did not get ready against the fake Discord")


async def _no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    return None


@contextlib.asynccontextmanager
async def running_bot(
    bot: ClientT,
    fake: FakeDiscord,
    *,
    token: str | None = None,
    timeout: float = 10.0,
    patch: bool = True,
    fast_reidentify: bool = True,
) -> AsyncIterator[ClientT]:
    """Start ``bot`` against ``fake`` and yield it once ready; close it on exit.

    Login errors (e.g. ``discord.LoginFailure`` for a wrong token) and crashes of ``bot.start``
    are raised here. The bot's command tree is registered with the fake so ``send_slash`` knows
    option types even when the bot does not sync. ``fast_reidentify`` replaces discord.py's
    5-second sleep before a non-initial IDENTIFY (``Client.before_identify_hook``) on this
    instance, so invalid-session tests stay fast.
    """
    if fast_reidentify:
        bot.before_identify_hook = _no_identify_delay  # type: ignore[method-assign]
    patcher = fake.patch_discord() if patch else contextlib.nullcontext()
    with patcher:
        start_task = asyncio.create_task(bot.start(token or fake.token), name="fake-discord-bot")
        try:
            await _first_of(
                start_task, asyncio.ensure_future(fake.wait_for_identify(timeout)), timeout
            )
            await _first_of(start_task, asyncio.ensure_future(bot.wait_until_ready()), timeout)
            tree = getattr(bot, "tree", None)
            if isinstance(tree, discord.app_commands.CommandTree):
                fake.register_tree(tree)
            yield bot
            if start_task.done():
                start_task.result()
        finally:
            await bot.close()
            if not start_task.done():
                with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                    await asyncio.wait_for(start_task, 5)
            elif not start_task.cancelled():
                start_task.exception()  # mark retrieved; already raised above if it mattered
