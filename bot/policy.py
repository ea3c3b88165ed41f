"""The server rules a generation must pass, the defaults it runs with, and whose key pays.

Moderators set per-guild rules with ``/mod`` (blocked members, allowed channels, nsfw-only,
cooldown, limits, defaults); ``/generate`` and ``/chat`` call :func:`check_generate` before
anything is queued. The function takes plain ids rather than a Discord interaction so it can be
tested without Discord; :func:`check_interaction` is the thin adapter the cogs use.

:func:`choose_key` is the ONE place a paying key is chosen (every path that submits a
generation calls it): the member's own key, then the server's sponsor key (only in its own
server, and only while the Horde accepts it), then ``HORDE_DEFAULT_API_KEY``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.config import Settings
from bot.cooldowns import CooldownTracker
from bot.errors import (
    BadInput,
    BlockedMember,
    CooldownActive,
    KeyNeedsRelogin,
    NotAllowedHere,
    NotLoggedIn,
)
from bot.generation import PaidKey, Payer
from bot.reach import rules_guild_id
from bot.secrets import UndecryptableSecret
from bot.services import Services
from bot.storage.guilds import GuildSettings

log = logging.getLogger(__name__)

__all__ = [
    "CooldownTracker",
    "GenerationPolicy",
    "check_generate",
    "check_interaction",
    "choose_key",
    "ensure_not_blocked",
    "own_key",
]


@dataclass(frozen=True)
class GenerationPolicy:
    """What a generation in this place may use.

    ``default_model`` is None for "any text model"; ``max_length`` is the default already
    capped; ``max_length_cap`` is the guild's cap (None: only the Horde's own limit);
    ``max_in_flight`` is the member's limit of generations queued or running.
    """

    default_model: str | None
    max_length: int
    max_length_cap: int | None
    max_in_flight: int

    def max_length_for(self, requested: int | None) -> int:
        """The max_length to send: the default when none was asked, else the request.

        Raises :class:`BadInput` when the request exceeds this server's cap, so the member
        learns the rule instead of silently getting less.
        """
        if requested is None:
            return self.max_length
        if self.max_length_cap is not None and requested > self.max_length_cap:
            raise BadInput(
                f"This server caps `max_length` at {self.max_length_cap} tokens; "
                f"you asked for {requested}."
            )
        return requested

    def model_for(self, requested: str | None) -> str | None:
        """The model to ask for: the member's choice, else the server default (or any)."""
        return requested or self.default_model


async def ensure_not_blocked(services: Services, guild_id: int | None, user_id: int) -> None:
    """Raise :class:`BlockedMember` when the guild's moderators blocked this member.

    Meant for every command (e.g. the command tree's ``interaction_check``), not only
    /generate; outside a guild nobody is blocked.
    """
    if guild_id is not None and await services.blocked.is_blocked(guild_id, user_id):
        raise BlockedMember()


async def check_generate(
    services: Services,
    *,
    guild_id: int | None,
    channel_id: int,
    channel_nsfw: bool,
    user_id: int,
    parent_channel_id: int | None = None,
    record_use: bool = True,
) -> GenerationPolicy:
    """Apply the guild's rules to a generation request and return its effective defaults.

    Raises :class:`BlockedMember`, :class:`NotAllowedHere` (channel not in the allowed list,
    or nsfw-only on and the channel is not age-restricted) or :class:`CooldownActive`.
    A thread counts as its parent channel for the allowed list (``parent_channel_id``).
    With ``record_use`` the cooldown starts now; pass False to only look.
    Outside a guild (DMs) only the bot-wide defaults apply.
    """
    settings = services.settings
    if guild_id is None:
        return GenerationPolicy(
            default_model=None,
            max_length=settings.generate_default_max_length,
            max_length_cap=None,
            max_in_flight=settings.max_generations_per_user,
        )
    await ensure_not_blocked(services, guild_id, user_id)
    guild = await services.guild_settings.get(guild_id)
    allowed = guild.allowed_channel_ids
    if allowed and channel_id not in allowed and parent_channel_id not in allowed:
        listed = ", ".join(f"<#{c}>" for c in sorted(allowed))
        raise NotAllowedHere(f"On this server the bot only generates in {listed}.")
    if guild.nsfw_only and not channel_nsfw:
        raise NotAllowedHere(
            "On this server the bot only generates in age-restricted (NSFW) channels, "
            "because the Horde's text workers are not filtered."
        )
    cooldowns = services.cooldowns
    if guild.cooldown_seconds > 0:
        if record_use:
            cooldowns.check_and_record(guild_id, user_id, guild.cooldown_seconds)
        else:
            retry_at = cooldowns.retry_at(guild_id, user_id, guild.cooldown_seconds)
            if retry_at is not None:
                raise CooldownActive(retry_at)
    return _policy_for(settings, guild)


def _policy_for(settings: Settings, guild: GuildSettings) -> GenerationPolicy:
    cap = guild.max_length_cap
    max_length = guild.default_max_length or settings.generate_default_max_length
    if cap is not None:
        max_length = min(max_length, cap)
    in_flight = settings.max_generations_per_user
    if guild.max_in_flight_per_member is not None:
        # A server may only tighten the bot-wide limit, never loosen it.
        in_flight = min(in_flight, guild.max_in_flight_per_member)
    return GenerationPolicy(
        default_model=guild.default_model,
        max_length=max_length,
        max_length_cap=cap,
        max_in_flight=in_flight,
    )


async def check_interaction(
    services: Services, interaction: discord.Interaction[Any], *, record_use: bool = True
) -> GenerationPolicy:
    """:func:`check_generate` for the channel and member of ``interaction``.

    Only a server the bot is a member of has rules: in DMs, group DMs and servers without
    the bot (user installs) the bot-wide defaults apply.
    """
    channel = interaction.channel
    parent_id: int | None = None
    nsfw = False
    if isinstance(channel, discord.Thread):
        parent_id = channel.parent_id
        nsfw = channel.is_nsfw()
    elif channel is not None and hasattr(channel, "is_nsfw"):
        nsfw = bool(channel.is_nsfw())
    return await check_generate(
        services,
        guild_id=rules_guild_id(interaction),
        channel_id=interaction.channel_id or 0,
        channel_nsfw=nsfw,
        user_id=interaction.user.id,
        parent_channel_id=parent_id,
        record_use=record_use,
    )


async def choose_key(services: Services, user_id: int, guild_id: int | None) -> PaidKey:
    """The key a member's generation in ``guild_id`` (None: a DM) is paid with, and whose.

    Own key first, then this server's usable sponsor key, then the bot's default key.
    Raises :class:`KeyNeedsRelogin` when the member's stored key no longer decrypts, so they
    are told to ``/login`` again instead of silently paying with someone else's key.
    """
    try:
        account = await services.accounts.get(user_id)
    except UndecryptableSecret as exc:
        raise KeyNeedsRelogin() from exc
    if account is not None:
        return PaidKey(account.apikey, Payer.OWN)
    if guild_id is not None:
        sponsor = await services.sponsors.usable(guild_id)
        if sponsor is not None:
            return PaidKey(sponsor.apikey, Payer.SPONSOR)
    return PaidKey(services.settings.horde_default_api_key, Payer.DEFAULT)


async def own_key(services: Services, user_id: int) -> str:
    """The member's own registered key, for commands that change something on the Horde or
    read an account's data (never a sponsor's or the default key).

    Raises :class:`NotLoggedIn` (nothing is sent) or :class:`KeyNeedsRelogin`.
    """
    try:
        account = await services.accounts.get(user_id)
    except UndecryptableSecret as exc:
        raise KeyNeedsRelogin() from exc
    if account is None:
        raise NotLoggedIn()
    return account.apikey
