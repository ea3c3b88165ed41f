"""/mod sponsor: the modal a moderator types a server's sponsor key into, its check with the
Horde, and the words of ``/mod sponsor status``.

The key is typed into a modal (never a slash-command option, which Discord shows), checked
with the Horde before anything is stored, stored encrypted (``SponsorRepository``) and never
shown back: status names only whose key it is and what it has left.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import BadInput
from bot.horde.errors import HordeError, HordeValidationError, InvalidAPIKey, NotFound
from bot.logging_setup import register_secret
from bot.services import Services
from bot.storage.sponsors import SponsorInfo
from bot.tree import answer_error
from bot.ui.horde_messages import describe_horde_error
from bot.ui.modlog import post_to_log_channel
from bot.ui.replies import reply

if TYPE_CHECKING:
    from bot.horde import HordeClient
    from bot.horde.models import SharedKeyDetails

__all__ = [
    "CheckedSponsor",
    "SponsorModal",
    "check_sponsor_key",
    "current_summary",
    "sponsor_line",
    "sponsor_status_text",
]

log = logging.getLogger(__name__)

ANONYMOUS_KEY = "0000000000"
# Shared keys are UUIDs; members' API keys are not. A UUID-shaped key is looked up as a shared
# key (its id is its capability); anything else goes to find_user in the apikey header.
_SHARED_KEY_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class CheckedSponsor:
    """A key the Horde accepted: whose it is and a one-line summary of what it has left."""

    is_shared_key: bool
    owner_username: str
    summary: str


def looks_like_shared_key(key: str) -> bool:
    return bool(_SHARED_KEY_SHAPE.match(key.lower()))


async def check_sponsor_key(horde: HordeClient, key: str, now: float) -> CheckedSponsor:
    """Ask the Horde about ``key``; :class:`BadInput` (nothing stored) when it would not pay."""
    if key == ANONYMOUS_KEY:
        raise BadInput("That is the anonymous key: it pays nothing. Nothing was stored.")
    if looks_like_shared_key(key):
        try:
            details = await horde.shared_key(key, retries=1)
        except (InvalidAPIKey, NotFound):
            raise BadInput("The Horde does not know that shared key. Nothing was stored.") from None
        problem = shared_key_problem(details, now)
        if problem is not None:
            raise BadInput(f"That shared key {problem}. Nothing was stored.")
        owner = details.username or "an unknown account"
        return CheckedSponsor(True, owner, shared_key_summary(details))
    try:
        user = await horde.find_user(apikey=key, retries=1)
    except (InvalidAPIKey, NotFound):
        raise BadInput("The Horde does not recognise that API key. Nothing was stored.") from None
    except HordeValidationError:
        raise BadInput("That does not look like an AI Horde API key. Nothing was stored.") from None
    owner = user.username or "an unknown account"
    return CheckedSponsor(False, owner, f"{user.kudos:,.0f} kudos on the account")


def shared_key_problem(details: SharedKeyDetails, now: float) -> str | None:
    """Why a shared key can no longer pay ("has expired", "has no kudos left"), or None."""
    expiry = expiry_time(details)
    if expiry is not None and expiry <= now:
        return "has expired"
    if details.kudos != -1 and details.utilized >= details.kudos:
        return "has no kudos left"
    return None


def expiry_time(details: SharedKeyDetails) -> float | None:
    """The shared key's expiry as a Unix time, or None (never expires, or unreadable)."""
    if not details.expiry:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(details.expiry)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.timestamp()


def shared_key_summary(details: SharedKeyDetails) -> str:
    """Kudos left and expiry of a shared key, in one line."""
    if details.kudos == -1:
        kudos = f"no kudos cap ({details.utilized:,} used)"
    else:
        kudos = f"{max(details.kudos - details.utilized, 0):,} of {details.kudos:,} kudos left"
    expiry = expiry_time(details)
    ends = f", expires <t:{int(expiry)}:R>" if expiry is not None else ", never expires"
    return kudos + ends


def sponsor_status_text(info: SponsorInfo | None, current: str | None) -> str:
    """``/mod sponsor status``: whose key, what it has left (``current``), when it was set."""
    if info is None:
        return (
            "No sponsor key is set. Members without their own key use the bot's default key. "
            "Set one with `/mod sponsor set`."
        )
    kind = "A shared key" if info.is_shared_key else "An API key"
    owner = discord.utils.escape_markdown(info.owner_username)
    lines = [f"{kind} of **{owner}**, set by <@{info.set_by}> <t:{int(info.set_at)}:R>."]
    if info.revoked_at is not None:
        lines.append(
            f"⚠️ The Horde stopped accepting it <t:{int(info.revoked_at)}:R>, so it is not used; "
            "members without their own key use the bot's default key. Set a new one with "
            "`/mod sponsor set`."
        )
    elif current is not None:
        lines.append(f"Now: {current}.")
    return "\n".join(lines)


class SponsorModal(discord.ui.Modal, title="Sponsor this server"):
    """One text field for the key; its value is never echoed or logged."""

    apikey: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id="sponsor-apikey",
        label="AI Horde API key or shared key",
        placeholder="Members without their own key will pay with it here",
        min_length=10,
        max_length=100,
        required=True,
    )

    def __init__(self, client: discord.Client, services: Services) -> None:
        super().__init__(custom_id="sponsor-set")
        self._client = client
        self._services = services

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        key = self.apikey.value.strip()
        register_secret(key)
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await reply(interaction, await self._store(interaction, key))
        except Exception as error:
            await answer_error(interaction, error)

    async def _store(self, interaction: discord.Interaction[Any], key: str) -> str:
        services = self._services
        guild_id = interaction.guild_id
        assert guild_id is not None  # /mod is guild-only
        checked = await check_sponsor_key(services.horde, key, services.clock.time())
        await services.sponsors.save(
            guild_id,
            key,
            is_shared_key=checked.is_shared_key,
            owner_username=checked.owner_username,
            set_by=interaction.user.id,
        )
        kind = "shared key" if checked.is_shared_key else "API key"
        owner = discord.utils.escape_markdown(checked.owner_username)
        log.info("Moderator %s set a sponsor key in guild %s", interaction.user.id, guild_id)
        await post_to_log_channel(
            self._client,
            guild_id,
            f"{interaction.user.mention} (/mod): set a sponsor key ({kind} of {owner}).",
        )
        return (
            f"Sponsor key stored ({kind} of **{owner}**: {checked.summary}). Members here who "
            "have not logged in now pay with it; their own key always comes first. "
            "The key is stored encrypted and will not be shown again."
        )


async def current_summary(services: Services, guild_id: int) -> str | None:
    """What the usable sponsor key has left now, asked of the Horde (None if none usable)."""
    sponsor = await services.sponsors.usable(guild_id)
    if sponsor is None:
        return None
    horde = services.horde
    try:
        if sponsor.info.is_shared_key:
            return shared_key_summary(await horde.shared_key(sponsor.apikey, retries=1))
        user = await horde.find_user(apikey=sponsor.apikey, retries=1)
    except HordeError as exc:
        return f"the Horde could not tell ({describe_horde_error(exc)})"
    return f"{user.kudos:,.0f} kudos on the account"


def sponsor_line(info: SponsorInfo | None) -> str:
    """One line for ``/mod status``: whether a sponsor key is set (never the key)."""
    if info is None:
        return "none"
    kind = "shared key" if info.is_shared_key else "API key"
    owner = discord.utils.escape_markdown(info.owner_username)
    if info.revoked_at is not None:
        return f"{kind} of {owner} — refused by the Horde, not used"
    return f"{kind} of {owner}"
