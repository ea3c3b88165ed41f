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
from bot.errors import BadInput, UserFacingError
from bot.horde.errors import Forbidden, HordeError, NotFound
from bot.own_key import registered_key
from bot.reach import everywhere
from bot.ui.hordemod_render import (
    changed_fields_text,
    messages_text,
    user_embed,
    user_id_of,
)
from bot.ui.mod_render import duration
from bot.ui.replies import reply
from bot.ui.typed_text import clean_text
from bot.ui.workers_views import worker_choices
from bot.worker_list import resolve_worker

if TYPE_CHECKING:
    from bot.horde.models import HordeModes, IPTimeout

log = logging.getLogger(__name__)

MAX_HOURS = 720
MAX_CONTACT = 500
MAX_MESSAGE = 2000
MAX_CONCURRENCY = 500
MAX_WORKER_INVITES = 100
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

    hordemod = everywhere(
        app_commands.Group(name="hordemod", description="Tools for AI Horde moderators")
    )
    ip_timeouts = app_commands.Group(
        name="ip-timeouts", description="IP addresses in timeout on the Horde", parent=hordemod
    )
    modes_group = app_commands.Group(
        name="modes", description="The Horde's invite-only and raid modes", parent=hordemod
    )
    user = app_commands.Group(name="user", description="A Horde user's account", parent=hordemod)
    worker_message = app_commands.Group(
        name="worker-message", description="Messages to workers' owners", parent=hordemod
    )
    worker = app_commands.Group(name="worker", description="Pause a worker", parent=hordemod)

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    async def _key(self, user_id: int) -> str:
        return await registered_key(self.bot.services, user_id)

    @staticmethod
    async def _as_moderator(call: Awaitable[T]) -> T:
        """Await a moderator-only Horde call; its "not a moderator" 403 becomes plain words."""
        try:
            return await call
        except Forbidden as exc:
            if exc.rc in (None, "NotModerator"):
                raise NotHordeModeratorError() from exc
            raise

    @modes_group.command(name="show", description="Maintenance, invite-only and raid modes")
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

    @modes_group.command(name="set", description="Turn invite-only or raid mode on or off")
    @app_commands.describe(
        invite_only="Only invited workers may join",
        raid="Raid mode: new accounts are restricted",
    )
    async def modes_set(
        self,
        interaction: discord.Interaction[Any],
        invite_only: bool | None = None,
        raid: bool | None = None,
    ) -> None:
        # Maintenance mode is for the Horde's admins only, so it is not offered here.
        if invite_only is None and raid is None:
            raise BadInput(
                "Pick `invite_only`, `raid` or both. (Maintenance mode is for the Horde's "
                "admins only and cannot be set here.)"
            )
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        modes = await self._as_moderator(
            self.bot.services.horde.set_modes(
                invite_only_mode=invite_only, raid_mode=raid, apikey=key
            )
        )
        log.info("Member %s changed the Horde's modes", interaction.user.id)
        await reply(interaction, "The Horde answered:\n" + _modes_text(modes))

    @user.command(name="info", description="A Horde user's account as a moderator sees it")
    @app_commands.describe(user="alias#1234 or the user's number")
    async def user_info(self, interaction: discord.Interaction[Any], user: str) -> None:
        user_id = user_id_of(user)
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        details = await self._as_moderator(self.bot.services.horde.user(user_id, apikey=key))
        await reply(interaction, embed=user_embed(details))

    @user.command(name="set", description="Change a Horde user's flags and limits")
    @app_commands.describe(
        user="alias#1234 or the user's number",
        concurrency=f"Generations at once (0..{MAX_CONCURRENCY})",
        worker_invited=f"Workers this user may add (0..{MAX_WORKER_INVITES})",
        contact="How to reach the user (5..500 characters)",
    )
    async def user_set(
        self,
        interaction: discord.Interaction[Any],
        user: str,
        trusted: bool | None = None,
        flagged: bool | None = None,
        concurrency: app_commands.Range[int, 0, MAX_CONCURRENCY] | None = None,
        worker_invited: app_commands.Range[int, 0, MAX_WORKER_INVITES] | None = None,
        customizer: bool | None = None,
        vpn: bool | None = None,
        contact: str | None = None,
        public_workers: bool | None = None,
    ) -> None:
        user_id = user_id_of(user)
        fields: dict[str, Any] = {
            "trusted": trusted,
            "flagged": flagged,
            "concurrency": concurrency,
            "worker_invited": worker_invited,
            "customizer": customizer,
            "vpn": vpn,
            "public_workers": public_workers,
            "contact": _checked_contact(contact) if contact is not None else None,
        }
        _check_ranges(concurrency, worker_invited)
        fields = {name: value for name, value in fields.items() if value is not None}
        if not fields:
            raise BadInput("Pick at least one field to change.")
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        horde = self.bot.services.horde
        answer = await self._as_moderator(horde.modify_user(user_id, apikey=key, **fields))
        log.info(
            "Member %s changed Horde user %s: %s", interaction.user.id, user_id, sorted(fields)
        )
        await reply(interaction, changed_fields_text(user.strip(), answer))

    @worker_message.command(name="send", description="Send a message to a worker's owner")
    @app_commands.describe(
        worker="The worker's name or id",
        message="What the worker's software shows its owner",
        expiry_hours="Hours the message stays (1..720, default 12)",
    )
    async def message_send(
        self,
        interaction: discord.Interaction[Any],
        worker: str,
        message: str,
        expiry_hours: app_commands.Range[int, 1, MAX_HOURS] = 12,
    ) -> None:
        text = clean_text(message, MAX_MESSAGE, "message")
        if not text:
            raise BadInput("The message cannot be empty.")
        if not 1 <= expiry_hours <= MAX_HOURS:
            raise BadInput(f"expiry_hours must be between 1 and {MAX_HOURS}.")
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        horde = self.bot.services.horde
        target = await resolve_worker(horde, self.bot.services.workers, worker.strip())
        sent = await self._as_moderator(
            horde.send_worker_message(text, worker_id=target.id, expiry=expiry_hours, apikey=key)
        )
        log.info("Member %s sent a worker message", interaction.user.id)
        if sent.message != text:
            raise BadInput(
                "The Horde answered with the message you sent less than a minute ago (it "
                "caches this request for 60 s). Wait a minute, then send again."
            )
        await reply(interaction, f"Message `{sent.id}` sent; it stays until {sent.expiry}.")

    @worker_message.command(name="list", description="Active worker messages")
    @app_commands.describe(worker="Only messages to this worker (name or id)")
    async def message_list(
        self, interaction: discord.Interaction[Any], worker: str | None = None
    ) -> None:
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        horde = self.bot.services.horde
        worker_id = None
        if worker:
            worker_id = (await resolve_worker(horde, self.bot.services.workers, worker.strip())).id
        found = await self._as_moderator(horde.worker_messages(worker_id=worker_id, apikey=key))
        await reply(interaction, messages_text(found))

    @worker_message.command(name="delete", description="Delete a worker message")
    @app_commands.describe(message_id="The message's id, as listed")
    async def message_delete(self, interaction: discord.Interaction[Any], message_id: str) -> None:
        wanted = message_id.strip()
        if not wanted or len(wanted) > 64:
            raise BadInput("Give the message's id as `/hordemod worker-message list` shows it.")
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._as_moderator(self.bot.services.horde.delete_worker_message(wanted, apikey=key))
        log.info("Member %s deleted a worker message", interaction.user.id)
        await reply(interaction, f"Message `{wanted.replace('`', '')}` was deleted.")

    @worker.command(name="pause", description="Pause a worker: it gets no jobs until unpaused")
    @app_commands.describe(worker="The worker's name or id")
    async def worker_pause(self, interaction: discord.Interaction[Any], worker: str) -> None:
        await self._set_paused(interaction, worker, paused=True)

    @worker.command(name="unpause", description="Let a paused worker take jobs again")
    @app_commands.describe(worker="The worker's name or id")
    async def worker_unpause(self, interaction: discord.Interaction[Any], worker: str) -> None:
        await self._set_paused(interaction, worker, paused=False)

    @message_send.autocomplete("worker")
    @message_list.autocomplete("worker")
    @worker_pause.autocomplete("worker")
    @worker_unpause.autocomplete("worker")
    async def _worker_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        # The bot's shared worker list (at most a minute old): never a request per keystroke.
        try:
            workers = await self.bot.services.workers.get()
        except HordeError as exc:
            log.info("No worker list for autocomplete: %r", exc)
            workers = self.bot.services.workers.last
        return worker_choices(workers, current)

    async def _set_paused(
        self, interaction: discord.Interaction[Any], worker: str, *, paused: bool
    ) -> None:
        key = await self._key(interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        horde = self.bot.services.horde
        target = await resolve_worker(horde, self.bot.services.workers, worker.strip())
        answer = await self._as_moderator(
            horde.modify_worker(target.id or "", paused=paused, apikey=key)
        )
        state = "paused" if answer.paused else "not paused"
        name = discord.utils.escape_markdown(target.name or "?")
        log.info("Member %s set worker %s paused=%s", interaction.user.id, target.id, paused)
        await reply(
            interaction,
            f"The Horde answered: **{name}** is {state}. Worker lists show it within about "
            "two minutes (the Horde caches worker reads for about 30 s).",
        )


def _checked_contact(contact: str) -> str:
    text = clean_text(contact, MAX_CONTACT, "contact")
    if len(text) < 5:
        raise BadInput("The contact must be 5 to 500 characters.")
    return text


def _check_ranges(concurrency: int | None, worker_invited: int | None) -> None:
    if concurrency is not None and not 0 <= concurrency <= MAX_CONCURRENCY:
        raise BadInput(f"concurrency must be between 0 and {MAX_CONCURRENCY}.")
    if worker_invited is not None and not 0 <= worker_invited <= MAX_WORKER_INVITES:
        raise BadInput(f"worker_invited must be between 0 and {MAX_WORKER_INVITES}.")


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(HordeMod(bot))
