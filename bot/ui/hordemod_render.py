"""What the /hordemod additions show: a user's account, changed fields, worker messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.errors import BadInput
from bot.ui.safe_markdown import plain

if TYPE_CHECKING:
    from bot.horde.models import ModifyUser, ResponseModelMessage, UserDetails

_USER_REF = re.compile(r"^(?:.*#)?(\d{1,12})$")
_MAX_LISTED = 20
#: The fields ``/hordemod user set`` offers, in the order they are shown.
USER_SET_FIELDS = (
    "trusted",
    "flagged",
    "concurrency",
    "worker_invited",
    "customizer",
    "vpn",
    "contact",
    "public_workers",
)


def user_id_of(raw: str) -> int:
    """The Horde user id in ``alias#123`` or ``123``; anything else is refused before sending."""
    match = _USER_REF.match(raw.strip())
    if match is None:
        raise BadInput("Give a Horde user as `alias#1234` or as their number (`1234`).")
    return int(match.group(1))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def user_embed(user: UserDetails) -> discord.Embed:
    embed = discord.Embed(
        title=plain(user.username or "?")[:256], colour=discord.Colour.dark_teal()
    )
    embed.add_field(name="ID", value=str(user.id))
    embed.add_field(name="Kudos", value=f"{user.kudos:,.0f}")
    embed.add_field(name="Concurrency", value=str(user.concurrency))
    embed.add_field(name="Worker invites", value=str(user.worker_invited))
    embed.add_field(name="Workers", value=str(user.worker_count))
    embed.add_field(name="Suspicion", value=str(user.suspicious))
    flags = (
        f"trusted {_yes(user.trusted)} · flagged {_yes(user.flagged)} · "
        f"customizer {_yes(user.customizer)} · vpn {_yes(user.vpn)} · "
        f"moderator {_yes(user.moderator)} · deleted {_yes(user.deleted)}"
    )
    embed.add_field(name="Flags", value=flags, inline=False)
    if user.contact:
        embed.add_field(name="Contact", value=plain(user.contact)[:1024], inline=False)
    if user.account_age is not None:
        embed.add_field(name="Account age", value=f"{user.account_age // 86400} days")
    return embed


def changed_fields_text(username: str, answer: ModifyUser) -> str:
    """The fields the Horde reports as changed, one a line."""
    lines = []
    for name in USER_SET_FIELDS:
        value = getattr(answer, name)
        if value is None:
            continue
        shown = plain(value) if isinstance(value, str) else ("yes" if value is True else value)
        shown = "no" if value is False else shown
        lines.append(f"{name}: **{shown}**")
    body = "\n".join(lines) or "The Horde accepted the change."
    return f"The Horde changed **{plain(username)}**:\n{body}"


def messages_text(messages: Sequence[ResponseModelMessage]) -> str:
    if not messages:
        return "No active worker messages."
    lines = []
    for item in messages[:_MAX_LISTED]:
        text = plain(item.message)[:150]
        lines.append(
            f"`{item.id}` → worker `{item.worker_id or 'all'}`: {text} (until {item.expiry})"
        )
    if len(messages) > _MAX_LISTED:
        lines.append(f"… and {len(messages) - _MAX_LISTED} more")
    return "\n".join(lines)[:1900]
