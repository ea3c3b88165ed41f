"""HordeBot: the discord.py bot that owns the shared services and loads the cogs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.errors import new_error_id
from bot.generation.state import JobRecord
from bot.policy import choose_key
from bot.services import Services
from bot.sharding import runs_guild
from bot.tree import HordeCommandTree
from bot.ui.frontends import FrontEnds
from bot.ui.invoker_view import retire_live_views
from bot.ui.job_buttons import JOB_BUTTONS
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL
from bot.ui.stale_components import StaleComponentAnswerer

log = logging.getLogger(__name__)

# Loaded in this order; a cog that fails to load is logged and the others still load.
EXTENSIONS: tuple[str, ...] = (
    "cogs.account",
    "cogs.generate",
    "cogs.message_menus",
    "cogs.history",
    "cogs.kudos",
    "cogs.workers",
    "cogs.status",
    "cogs.moderation",
    "cogs.hordemod",
    "cogs.team",
    "cogs.chat",
    "cogs.sharedkey",
    "cogs.styles",
    "cogs.help",
)

HEARTBEAT_SECONDS = 30.0
# On a graceful close, how long greying out the menus still open may take (a slice of the
# third of SHUTDOWN_TIMEOUT_SECONDS left for the gateway and the database).
MENU_RETIRE_SECONDS = 2.0

# The bot has no voice features: silence discord.py's start-up warnings about voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class HordeBot(commands.AutoShardedBot):
    """The bot. Services are injected so tests can point them at fakes.

    It runs the shards of ``SHARD_COUNT`` / ``SHARD_IDS`` (:mod:`bot.sharding`), or as many as
    Discord recommends when they are unset.
    """

    def __init__(
        self,
        services: Services,
        *,
        extensions: tuple[str, ...] = EXTENSIONS,
        edit_interval: float = DEFAULT_EDIT_INTERVAL,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = services.settings.message_content_intent
        plan = services.settings.shards
        # No plan: shard_count None lets discord.py ask Discord how many shards to run.
        shards: dict[str, Any] = {} if plan is None else {"shard_ids": list(plan.ids)}
        super().__init__(
            shard_count=plan.count if plan is not None else None,
            **shards,
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=HordeCommandTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
        )
        self.services = services
        self.initial_extensions = extensions
        # Minimum seconds between two edits of one progress reply (Discord rate limits).
        self.edit_interval = edit_interval
        self.started_at = services.clock.time()
        # One front end per job kind, registered by bot.app (the job-kind seam).
        self.front_ends = FrontEnds(services.generations)
        self._heartbeat_task: asyncio.Task[None] | None = None
        # Presses on menus whose in-memory view is gone get a plain answer, not a failure.
        self.stale_components = StaleComponentAnswerer()
        self.stale_components.install(self)
        self.menu_retire_grace = MENU_RETIRE_SECONDS

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*JOB_BUTTONS)
        for extension in self.initial_extensions:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                log.exception("Failed to load extension %s", extension)
        await self.sync_commands()
        if self.services.settings.heartbeat_file is not None:
            self._heartbeat_task = asyncio.create_task(self._beat(), name="heartbeat")
        # Logged in by now, so replies of generations from before a restart can be edited.
        resumed = await self.services.generations.resume(
            self.front_ends.listener_for,
            functools.partial(choose_key, self.services),
            owns=self._owns_job,
        )
        if resumed:
            log.info("Resumed %d generations from before the restart", resumed)
        await self.front_ends.start()

    async def on_message(self, message: discord.Message) -> None:
        """The bot has slash commands only: messages are never parsed as text commands.

        (Chat turns mention the bot, which would otherwise look like an unknown command.)
        """

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Logged in as %s (id %s) in %d guilds", self.user, self.user.id, len(self.guilds))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """An event handler raised: log it once, with its traceback, under an error id.

        Replaces discord.py's "Ignoring exception in ..." record, which has no id. The event's
        arguments are left out: a message or an interaction may carry member text or a token.
        """
        error_id = new_error_id()
        # discord.py calls this from inside its ``except`` block: the exception is current.
        log.error(
            "Unexpected error %s in the %s event handler",
            error_id,
            event_method,
            exc_info=sys.exc_info(),
            extra={"error_id": error_id},
        )

    def _owns_job(self, record: JobRecord) -> bool:
        """Jobs of other processes' shards are theirs to resume (see :mod:`bot.sharding`)."""
        return runs_guild(self.services.settings.shards, record.guild_id)

    async def sync_commands(self) -> None:
        """Sync to DEV_GUILD_ID when set; globally only when the command set changed.

        Discord honours install types and contexts (user installs, DMs, group DMs: see
        :mod:`bot.reach`) only on global commands: a DEV_GUILD_ID sync offers the commands in
        that one server, through the server install only.

        Global syncs are rate limited and slow to propagate, so a hash of the last synced
        command set is kept in the data folder and an unchanged set is not sent again. With
        the shards split between processes, only the one running shard 0 syncs.
        """
        plan = self.services.settings.shards
        if plan is not None and not plan.syncs_commands:
            log.info("Not syncing commands: the process running shard 0 does")
            return
        dev_guild = self.services.settings.dev_guild_id
        if dev_guild is not None:
            guild = discord.Object(id=dev_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), dev_guild)
            return
        digest = self.command_set_hash()
        marker = self.services.settings.data_dir / "commands.sha256"
        if _read_text(marker) == digest:
            log.info("Command set unchanged since the last sync; not syncing")
            return
        synced = await self.tree.sync()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(digest)
        log.info("Synced %d global commands", len(synced))

    def command_set_hash(self) -> str:
        """A stable digest of every command's payload as Discord would receive it."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    async def _beat(self) -> None:
        """Refresh the heartbeat file while the gateway is connected (Docker HEALTHCHECK)."""
        path = self.services.settings.heartbeat_file
        assert path is not None
        await self.wait_until_ready()
        while not self.is_closed():
            if self.is_ready() and not self.is_ws_ratelimited():
                with contextlib.suppress(OSError):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.touch()
            await asyncio.sleep(HEARTBEAT_SECONDS)

    def clear(self) -> None:
        super().clear()  # a new view store: watch it too
        self.stale_components.install(self)

    async def close(self) -> None:
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
        if not self.is_closed():
            retired = await retire_live_views(self, self.menu_retire_grace)
            if retired:
                log.info("Greyed out %d open menus before closing", retired)
        await super().close()


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
