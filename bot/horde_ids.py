"""Telling a Horde id from a name in what a member typed. Discord-free."""

from __future__ import annotations

import re

__all__ = ["looks_like_id"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def looks_like_id(text: str) -> bool:
    """Whether ``text`` is a Horde id (workers, teams, messages: UUIDs) rather than a name."""
    return bool(_UUID.match(text))
