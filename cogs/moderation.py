"""/mod: a server's moderators see the bot's health and set the rules /generate follows.

Manage Server is the default permission (Discord hides the commands from others), AND it is
checked again at run time: server admins can override default permissions per role or
channel, and a bypassed default must still not let a member change the rules.
Settings persist per guild; every change is reported to the log channel when one is set.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput
from bot.generation.processes import ProcessInfo
from bot.horde.errors import HordeError, HordeUnreachable
from bot.sharding import ShardPlan
from bot.storage.guilds import GuildSettings
from bot.ui.horde_messages import describe_horde_error
from bot.ui.mod_render import BotHealth, channels_text, health_embed, settings_text
from bot.ui.modlog import post_to_log_channel
from bot.ui.replies import reply

log = logging.getLogger(__name__)

MIN_MAX_LENGTH, MAX_MAX_LENGTH = 16, 4096
CLEAR_MODEL = "any"


class Moderation(commands.Cog):
    """Per-server moderation of the bot."""

    mod = app_commands.Group(
        name="mod",
        description="Moderate this bot in this server",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )
    channels = app_commands.Group(
        name="channels", description="Choose the channels /generate may run in", parent=mod
    )
    sponsor = app_commands.Group(
        name="sponsor",
        description="A Horde key members here pay with if they have none",
        parent=mod,
    )

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Run-time check of Manage Server, whatever the server did to default permissions."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            log.info("Member %s was refused /mod: no Manage Server", interaction.user.id)
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _done(self, interaction: discord.Interaction[Any], text: str) -> None:
        """Report a change to the log channel, then confirm it to the moderator.

        Deferring first keeps the interaction alive if posting to the log channel is slow
        (rate limits); confirming last means the moderator sees "done" only once it is.
        """
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        log.info("Moderator %s in guild %s: %s", interaction.user.id, interaction.guild_id, text)
        await post_to_log_channel(
            self.bot, interaction.guild_id, f"{interaction.user.mention} (/mod): {text}"
        )
        await reply(interaction, text)

    @staticmethod
    def _guild(interaction: discord.Interaction[Any]) -> int:
        assert interaction.guild_id is not None  # guild_only + interaction_check
        return interaction.guild_id

    # --- health ---------------------------------------------------------------------

    @mod.command(name="status", description="The bot's health and this server's settings")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        # Imported on first use here and below, not at start-up: only /mod status and /mod
        # sponsor need the sponsor key's texts and form.
        from bot.ui.sponsor_views import sponsor_line

        await interaction.response.defer(ephemeral=True, thinking=True)
        services = self.bot.services
        guild_id = self._guild(interaction)
        engine = services.generations
        health = BotHealth(
            uptime_seconds=services.clock.time() - self.bot.started_at,
            latency_seconds=self.bot.latency,
            in_flight=engine.in_flight,
            queued_in_bot=engine.queued_in_bot,
            horde=await self._horde_health(),
            database_bytes=await services.db.size_bytes(),
            registered_users=await services.accounts.count(),
            blocked_here=len(await services.blocked.list(guild_id)),
            shards=self._shards(),
            processes=await self._processes(),
            checked_at=services.clock.time(),
        )
        settings = await services.guild_settings.get(guild_id)
        embed = health_embed(health, settings)
        embed.add_field(
            name="Sponsor key", value=sponsor_line(await services.sponsors.info(guild_id))
        )
        await reply(interaction, embed=embed)

    async def _processes(self) -> list[ProcessInfo] | None:
        registry = self.bot.services.processes
        return None if registry is None else await registry.live()

    def _shards(self) -> str | None:
        count, running = self.bot.shard_count, sorted(self.bot.shards)
        return ShardPlan(count, tuple(running)).describe() if count and running else None

    async def _horde_health(self) -> str:
        try:
            beat = await self.bot.services.horde.heartbeat(retries=0)
        except HordeUnreachable:
            return "unreachable: new generations wait in the bot's queue until it is back"
        except HordeError as exc:
            return f"unreachable: {describe_horde_error(exc)}"
        return f"{beat.message or '?'}, version {beat.version or '?'}"

    # --- sponsor key ------------------------------------------------------------------

    @sponsor.command(name="set", description="Set the key members without their own pay with")
    async def sponsor_set(self, interaction: discord.Interaction[Any]) -> None:
        from bot.ui.sponsor_views import SponsorModal

        await interaction.response.send_modal(SponsorModal(self.bot, self.bot.services))

    @sponsor.command(name="status", description="Whose sponsor key is set and what it has left")
    async def sponsor_status(self, interaction: discord.Interaction[Any]) -> None:
        from bot.ui.sponsor_views import current_summary, sponsor_status_text

        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = self._guild(interaction)
        services = self.bot.services
        info = await services.sponsors.info(guild_id)
        current = await current_summary(services, guild_id) if info is not None else None
        await reply(interaction, sponsor_status_text(info, current))

    @sponsor.command(name="clear", description="Forget this server's sponsor key")
    async def sponsor_clear(self, interaction: discord.Interaction[Any]) -> None:
        if not await self.bot.services.sponsors.delete(self._guild(interaction)):
            await reply(interaction, "No sponsor key was set.")
            return
        await self._done(
            interaction,
            "Cleared the sponsor key: members without their own key use the bot's default key.",
        )

    # --- members --------------------------------------------------------------------

    @mod.command(name="block", description="Stop a member from using the bot here")
    @app_commands.describe(user="The member to block", reason="Why (shown in the log channel)")
    async def block(
        self,
        interaction: discord.Interaction[Any],
        user: discord.User,
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        if user.id == interaction.user.id:
            raise BadInput("You cannot block yourself.")
        new = await self.bot.services.blocked.block(
            self._guild(interaction), user.id, interaction.user.id, reason
        )
        why = f" Reason: {reason}" if reason else ""
        verb = "Blocked" if new else "Already blocked (reason updated):"
        await self._done(interaction, f"{verb} {user.mention} from using the bot here.{why}")

    @mod.command(name="unblock", description="Let a blocked member use the bot again")
    @app_commands.describe(user="The member to unblock")
    async def unblock(self, interaction: discord.Interaction[Any], user: discord.User) -> None:
        if not await self.bot.services.blocked.unblock(self._guild(interaction), user.id):
            await reply(interaction, f"{user.mention} was not blocked.")
            return
        await self._done(interaction, f"Unblocked {user.mention}.")

    @mod.command(name="cancel", description="Cancel a member's running generations")
    @app_commands.describe(user="The member whose generations to cancel")
    async def cancel(self, interaction: discord.Interaction[Any], user: discord.User) -> None:
        engine = self.bot.services.generations
        await interaction.response.defer(ephemeral=True, thinking=True)
        count = await engine.cancel_user(guild_id=self._guild(interaction), user_id=user.id)
        if count == 0:
            await reply(interaction, f"{user.mention} has no generation running here.")
            return
        await self._done(interaction, f"Cancelled {count} generation(s) of {user.mention}.")

    # --- channels -------------------------------------------------------------------

    @channels.command(name="add", description="Allow /generate in a channel")
    async def channels_add(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel
    ) -> None:
        repo = self.bot.services.guild_settings
        if not await repo.add_channel(self._guild(interaction), channel.id):
            await reply(interaction, f"{channel.mention} was already allowed.")
            return
        settings = await repo.get(self._guild(interaction))
        await self._done(interaction, f"/generate now runs only in: {channels_text(settings)}.")

    @channels.command(name="remove", description="Stop allowing /generate in a channel")
    async def channels_remove(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel
    ) -> None:
        repo = self.bot.services.guild_settings
        if not await repo.remove_channel(self._guild(interaction), channel.id):
            await reply(interaction, f"{channel.mention} was not in the list.")
            return
        settings = await repo.get(self._guild(interaction))
        await self._done(
            interaction, f"Removed {channel.mention}; /generate runs in: {channels_text(settings)}."
        )

    @channels.command(name="list", description="Where /generate may run")
    async def channels_list(self, interaction: discord.Interaction[Any]) -> None:
        settings = await self.bot.services.guild_settings.get(self._guild(interaction))
        await reply(interaction, f"/generate runs in: {channels_text(settings)}.")

    @channels.command(name="clear", description="Allow /generate in every channel again")
    async def channels_clear(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.services.guild_settings.clear_channels(self._guild(interaction))
        await self._done(interaction, "/generate may run in every channel again.")

    # --- rules ----------------------------------------------------------------------

    @mod.command(name="limits", description="Per-member limits (0 clears a limit)")
    @app_commands.describe(
        in_flight="Generations a member may have running at once (0: bot default)",
        max_length_cap="Largest max_length allowed (0: no cap)",
        cooldown="Seconds between a member's generations (0: none)",
    )
    async def limits(
        self,
        interaction: discord.Interaction[Any],
        in_flight: app_commands.Range[int, 0, 100] | None = None,
        max_length_cap: app_commands.Range[int, 0, MAX_MAX_LENGTH] | None = None,
        cooldown: app_commands.Range[int, 0, 86_400] | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if in_flight is not None:
            changes["max_in_flight_per_member"] = in_flight or None
        if max_length_cap is not None:
            if 0 < max_length_cap < MIN_MAX_LENGTH:
                raise BadInput(f"The cap must be at least {MIN_MAX_LENGTH} tokens (or 0: none).")
            changes["max_length_cap"] = max_length_cap or None
        if cooldown is not None:
            changes["cooldown_seconds"] = cooldown
        await self._apply(interaction, changes)

    @mod.command(name="defaults", description="Server default model and max_length")
    @app_commands.describe(
        model=f"Default text model (`{CLEAR_MODEL}`: any model)",
        max_length=f"Default max_length in tokens (0: the bot's default; {MIN_MAX_LENGTH}..4096)",
    )
    async def defaults(
        self,
        interaction: discord.Interaction[Any],
        model: app_commands.Range[str, 1, 200] | None = None,
        max_length: app_commands.Range[int, 0, MAX_MAX_LENGTH] | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if model is not None:
            model = model.strip()
            changes["default_model"] = None if model.casefold() in ("", CLEAR_MODEL) else model
        if max_length is not None:
            if 0 < max_length < MIN_MAX_LENGTH:
                raise BadInput(f"max_length must be at least {MIN_MAX_LENGTH} (or 0: bot default).")
            changes["default_max_length"] = max_length or None
        await self._apply(interaction, changes)

    @defaults.autocomplete("model")
    async def _model_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            models = await self.bot.services.horde.models(type="text")
        except HordeError:
            return []
        wanted = current.casefold()
        names = sorted({m.name for m in models if m.name and wanted in m.name.casefold()})
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names][:25]

    @mod.command(name="nsfw", description="On: /generate only in age-restricted channels")
    async def nsfw(self, interaction: discord.Interaction[Any], enabled: bool) -> None:
        await self._apply(interaction, {"nsfw_only": enabled})

    @mod.command(name="log-channel", description="Where moderator actions and bot errors go")
    @app_commands.describe(channel="The log channel (leave empty to turn logging off)")
    async def log_channel(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel | None = None
    ) -> None:
        await self._apply(interaction, {"log_channel_id": channel.id if channel else None})

    async def _apply(self, interaction: discord.Interaction[Any], changes: dict[str, Any]) -> None:
        """Store ``changes`` (none: just show the settings) and report the result."""
        repo = self.bot.services.guild_settings
        guild_id = self._guild(interaction)
        if not changes:
            await reply(interaction, _settings_reply(await repo.get(guild_id)))
            return
        settings = await repo.update(guild_id, **changes)
        await self._done(interaction, "Settings changed.\n" + settings_text(settings))


def _settings_reply(settings: GuildSettings) -> str:
    return "Current settings:\n" + settings_text(settings)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Moderation(bot))
