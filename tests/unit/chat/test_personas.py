"""Persona input is validated before anything is stored."""

from __future__ import annotations

import pytest

from bot.chat.personas import MAX_GREETING, MAX_NAME, MAX_SYSTEM_TEXT, checked_persona
from bot.errors import BadInput


def test_valid_persona_is_normalised() -> None:
    persona = checked_persona(1, "  Captain   Hook ", " Arr. ", " ", "")
    assert (persona.name, persona.system_text, persona.greeting, persona.default_model) == (
        "Captain Hook", "Arr.", None, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "greeting", "problem"),
    [
        ("", "x", None, "name"),
        ("a" * (MAX_NAME + 1), "x", None, "name"),
        ("<@123>", "x", None, "name"),
        ("assistant", "x", None, "built-in"),
        ("Ok", "   ", None, "empty"),
        ("Ok", "x" * (MAX_SYSTEM_TEXT + 1), None, "too long"),
        ("Ok", "x", "g" * (MAX_GREETING + 1), "greeting"),
    ],
)
def test_bad_persona_is_refused(name: str, text: str, greeting: str | None, problem: str) -> None:
    with pytest.raises(BadInput) as caught:
        checked_persona(1, name, text, greeting)
    assert problem in caught.value.user_message
