"""Shared constants and small request helpers for the fake Horde's tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALICE_KEY = "alice-key-0123456789"
BOB_KEY = "bob-key-0123456789"
MOD_KEY = "mod-key-0123456789"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]
    text: str


async def submit(call, key: str = ALICE_KEY, prompt: str = "Once upon a time", **extra: Any):
    """POST generate/text/async and return the Answer."""
    return await call("POST", "/v2/generate/text/async", key=key, json={"prompt": prompt, **extra})


async def status(call, horde_id: str):
    return await call("GET", f"/v2/generate/text/status/{horde_id}")
