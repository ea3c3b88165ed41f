"""Personas: the character a conversation talks to (name, system text, greeting, model).

Every guild has the built-in :data:`DEFAULT_PERSONA`; members with Manage Server add their
own. Lengths are bounded so that a persona never fills a small model's context by itself.
"""

from __future__ import annotations

import re

from bot.errors import BadInput
from bot.storage.chat import Persona

__all__ = [
    "DEFAULT_PERSONA",
    "MAX_GREETING",
    "MAX_NAME",
    "MAX_SYSTEM_TEXT",
    "checked_persona",
    "is_default",
]

MAX_NAME = 32
MAX_SYSTEM_TEXT = 2000  # ~700 tokens: a third of the Horde's default 2048-token context
MAX_GREETING = 1000
DEFAULT_NAME = "Assistant"
DEFAULT_PERSONA = Persona(
    guild_id=0,
    name=DEFAULT_NAME,
    system_text=(
        "You are Assistant, a friendly and helpful AI chatting with people in a Discord "
        "thread. Answer clearly and concisely, and remember what was said earlier."
    ),
)
_NAME = re.compile(r"^[\w][\w .'-]*$")


def is_default(name: str) -> bool:
    return name.strip().lower() == DEFAULT_NAME.lower()


def checked_persona(
    guild_id: int,
    name: str,
    system_text: str,
    greeting: str | None = None,
    default_model: str | None = None,
) -> Persona:
    """A valid persona from user input, or :class:`BadInput` saying what is wrong."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        raise BadInput(f"A persona name is 1-{MAX_NAME} letters, digits, spaces, `.`, `'` or `-`.")
    if is_default(name):
        raise BadInput(f"`{DEFAULT_NAME}` is the built-in persona; pick another name.")
    system_text = system_text.strip()
    if not system_text:
        raise BadInput("The persona's description is empty.")
    if len(system_text) > MAX_SYSTEM_TEXT:
        raise BadInput(f"The description is too long (at most {MAX_SYSTEM_TEXT} characters).")
    greeting = (greeting or "").strip() or None
    if greeting is not None and len(greeting) > MAX_GREETING:
        raise BadInput(f"The greeting is too long (at most {MAX_GREETING} characters).")
    model = (default_model or "").strip() or None
    if model is not None and len(model) > 200:
        raise BadInput("The model name is too long.")
    return Persona(guild_id, name, system_text, greeting, model)
