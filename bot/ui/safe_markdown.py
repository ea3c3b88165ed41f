"""Markdown from elsewhere (the Horde's news) made safe to show: it renders, but never pings.

Links and emphasis stay as written. Mentions (``@everyone``, ``@here``, ``<@id>``, ``<@&id>``)
are broken with a zero-width space so they show as text and can never notify anyone, whatever
``allowed_mentions`` a message is later sent with.
"""

from __future__ import annotations

import re

import discord

__all__ = ["neutralise_mentions", "plain", "safe_markdown"]

_ZWSP = "\u200b"
_MENTION = re.compile(r"<(@[!&]?|#|/)")
_AT_WORD = re.compile(r"@(?=(everyone|here)\b)", re.IGNORECASE)
_OPEN_LINK = re.compile(r"\[[^\]]*(\]\([^)]*)?$")


def neutralise_mentions(text: str) -> str:
    """``text`` with every mention broken so it cannot ping."""
    text = _MENTION.sub(lambda m: "<" + _ZWSP + m.group(1), text)
    return _AT_WORD.sub("@" + _ZWSP, text)


def safe_markdown(text: str, limit: int) -> str:
    """Mentions neutralised and at most ``limit`` characters, never cutting a link in half."""
    text = neutralise_mentions(text.strip())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # A link cut before its ``)`` would show raw brackets: end before it instead.
    cut = _OPEN_LINK.sub("", cut)
    if " " in cut[-40:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def plain(text: str | None) -> str:
    """Text from a member or the Horde shown as typed: no markdown, no mention."""
    return neutralise_mentions(discord.utils.escape_markdown(text or ""))
