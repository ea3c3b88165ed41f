"""/hordemod: tools for AI Horde moderators, using the member's own registered key.

Open to everyone in Discord (being a Horde moderator has nothing to do with this server's
roles); the Horde itself decides, and its 403 is explained in plain words. Replies are
ephemeral: IP addresses are personal data.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput, KeyNeedsRelogin, NotLoggedIn, UserFacingError
from bot.horde.errors import Forbidden, NotFound
from bot.secrets import UndecryptableSecret
from bot.ui.mod_render import duration
from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.horde.models import HordeModes, IPTimeout

log = logging.getLogger(__name__)

MAX_HOURS = 720
T = TypeVar("T")
_MAX_LISTED = 40


class NotHordeModeratorError(UserFacingError):
    """The Horde refused: the member's account is not a Horde moderator."""

    def __init__(self) -> None:
        super().__init__(
            "The AI Horde refused: your registered Horde account is not a Horde moderator. "
            "These commands only work for Horde moderators' keys."
        )


def _modes_text(modes: HordeModes) -> str:
    def flag(on: bool) -> str:
        return "**on**" if on else "off"

    return (
        f"Maintenance mode: {flag(modes.maintenance_mode)}\n"
        f"Invite-only mode: {flag(modes.invite_only_mode)}\n"
        f"Raid mode: {flag(modes.raid_mode)}"
    )


def _timeouts_text(timeouts: list[IPTimeout]) -> str:
    if not timeouts:
        return "No IP address is in timeout."
    lines = [
        f"`{t.ipaddr}` — {duration(t.seconds)} left" for t in timeouts[:_MAX_LISTED] if t.ipaddr
    ]
    if len(timeouts) > _MAX_LISTED:
        lines.append(f"… and {len(timeouts) - _MAX_LISTED} more")
    return "IP timeouts:\n" + "\n".join(lines)


def _checked_ip(raw: str) -> str:
    """An IP address or CIDR block, normalised; refuses anything else before calling the Horde."""
    text = raw.strip()
    try:
        return (
            str(ipaddress.ip_network(text, strict=False))
            if "/" in text
            else str(ipaddress.ip_address(text))
        )
    except ValueError:
        raise BadInput("That is not an IP address or CIDR block (e.g. `203.0.113.7`).") from None


class HordeMod(commands.Cog):
    """Horde moderator tools."""

    hordemod = app_commands.Group(name="hordemod", description="Tools for AI Horde moderators")
    ip_timeouts = app_commands.Group(
        name="ip-timeouts", description="IP addresses in timeout on the Horde", parent=hordemod
    )

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    async def _key(self, user_id: int) -> str:
        try:
            account = await self.bot.services.accounts.get(user_id)
        except UndecryptableSecret as exc:
            raise KeyNeedsRelogin() from exc
        if account is None:
            raise NotLoggedIn()
        return account.apikey

    @staticmethod
    async def _as_moderator(call: Awaitable[T]) -> T:
        """Await a moderator-only Horde call; its "not a moderator" 403 becomes plain words."""
        try:
            return await call
        except Forbidden as exc:
            if exc.rc in (None, "NotModerator"):
                raise NotHordeModeratorError() from exc
            raise

    @hordemod.command(name="modes", description="Maintenance, invite-only and raid modes")
    async def modes(self, interaction: discord.Interaction[Any]) -> None:
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        modes = await self._as_moderator(self.bot.services.horde.modes(apikey=key))
        await reply(interaction, _modes_text(modes))

    @ip_timeouts.command(name="list", description="IP addresses in timeout")
    async def timeouts_list(self, interaction: discord.Interaction[Any]) -> None:
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        timeouts = await self._as_moderator(self.bot.services.horde.ip_timeouts(apikey=key))
        await reply(interaction, _timeouts_text(timeouts))

    @ip_timeouts.command(name="add", description="Put an IP address in timeout")
    @app_commands.describe(ipaddr="IP address or CIDR block", hours=f"1..{MAX_HOURS} hours")
    async def timeouts_add(
        self,
        interaction: discord.Interaction[Any],
        ipaddr: str,
        hours: app_commands.Range[int, 1, MAX_HOURS],
    ) -> None:
        address = _checked_ip(ipaddr)
        if not 1 <= hours <= MAX_HOURS:
            raise BadInput(f"hours must be between 1 and {MAX_HOURS}.")
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._as_moderator(self.bot.services.horde.add_ip_timeout(address, hours, apikey=key))
        log.info("Member %s put an IP in timeout for %s h", interaction.user.id, hours)
        await reply(interaction, f"`{address}` is in timeout for {hours} h.")

    @ip_timeouts.command(name="remove", description="Lift an IP address's timeout")
    @app_commands.describe(ipaddr="IP address or CIDR block, as listed")
    async def timeouts_remove(self, interaction: discord.Interaction[Any], ipaddr: str) -> None:
        address = _checked_ip(ipaddr)
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self._as_moderator(self.bot.services.horde.remove_ip_timeout(address, apikey=key))
        except NotFound:
            await reply(interaction, f"`{address}` was not in timeout.")
            return
        log.info("Member %s lifted an IP timeout", interaction.user.id)
        await reply(interaction, f"The timeout of `{address}` was lifted.")


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(HordeMod(bot))
