"""Text a member typed into a command option or a form, checked before it goes to the Horde:
names (one line) and free text (infos, messages)."""

from __future__ import annotations

import unicodedata

from bot.errors import BadInput

__all__ = ["clean_line", "clean_text"]


def clean_line(text: str, limit: int, what: str) -> str:
    """One line of text for a name: control characters refused, blank refused, length capped."""
    value = " ".join(text.split())
    if not value:
        raise BadInput(f"The {what} cannot be empty.")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise BadInput(f"The {what} cannot contain control characters.")
    if len(value) > limit:
        raise BadInput(f"The {what} can be at most {limit} characters.")
    return value


def clean_text(text: str, limit: int, what: str) -> str:
    """Free text (an info, a message): stripped, NUL and other control characters removed."""
    value = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if len(value) > limit:
        raise BadInput(f"The {what} can be at most {limit} characters.")
    return value
