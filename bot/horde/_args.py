"""Client-side argument checks shared by the endpoint mixins, and body building.

A check here saves a round trip and names the field precisely; the server's own limits
are the reference (each method's docstring states them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.horde.errors import HordeValidationError


def check_int(errors: dict[str, str], name: str, value: object, low: int, high: int) -> None:
    """Record a problem unless ``value`` is an int (not a bool) in ``low..high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = f"must be an integer in {low}..{high}, got {value!r}"


def check_len(errors: dict[str, str], name: str, value: str | None, low: int, high: int) -> None:
    """Record a problem unless ``value`` is None or a string of ``low..high`` characters."""
    if value is not None and not low <= len(value) <= high:
        errors[name] = f"must be {low}..{high} characters long"


def check_strings(errors: dict[str, str], name: str, value: Sequence[str] | None) -> None:
    """A sequence of strings, not one string (a classic slip: ``models="x"``)."""
    if value is not None and (isinstance(value, str) or not all(isinstance(v, str) for v in value)):
        errors[name] = "must be a sequence of strings, not a string"


def raise_if(errors: dict[str, str]) -> None:
    """Raise one HordeValidationError naming every recorded problem."""
    if errors:
        details = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise HordeValidationError(f"invalid arguments: {details}", errors=errors)


def only_set(**fields: Any) -> dict[str, Any]:
    """The body of a modify call: the fields the caller gave (None means "leave it")."""
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, tuple | list):
            value = list(value)
        body[name] = value
    return body
