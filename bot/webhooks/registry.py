"""Per-job webhook paths: made with :func:`secrets.token_urlsafe`, known only by their digest.

The path is the only thing that tells a genuine call from a forged one (the Horde signs
nothing), so it is a secret: it is never logged, and only its SHA-256 digest is kept, in memory
and in the job's row. A call counts when its path is live, its ``request`` is the job's Horde
id and its generation ``id`` was not seen before; anything else is ignored and counted.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Verdict", "WebhookRegistry", "digest_of"]

# Spent paths remembered to tell a replay from an unknown path (a bounded, oldest-out set).
REMEMBER_SPENT = 4096


class Verdict(StrEnum):
    ACCEPTED = "accepted"  # a hint for a live job: confirm with one status read
    UNKNOWN = "unknown"  # no job has this path
    REPLAYED = "replayed"  # the path's job has ended, or this generation was already called
    MISMATCHED = "mismatched"  # the body names another request
    MALFORMED = "malformed"  # not a JSON object with ``request`` and ``id``
    TOO_LARGE = "too_large"  # the body was over the size limit (counted by the listener)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class _Live:
    key: int
    horde_id: str | None = None
    seen: set[str] = field(default_factory=set)  # generation ids already called


class WebhookRegistry:
    """Which webhook path belongs to which job; counts every call by :class:`Verdict`."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._live: dict[str, _Live] = {}  # digest -> job
        self._digest_of_key: dict[int, str] = {}
        self._spent: OrderedDict[str, None] = OrderedDict()
        self.counts: Counter[Verdict] = Counter()
        self._wake: Callable[[int], None] | None = None

    @classmethod
    def for_url(cls, base_url: str | None) -> WebhookRegistry | None:
        """A registry for ``HORDE_WEBHOOK_URL``; None when webhook mode is off."""
        return cls(base_url) if base_url else None

    def set_wake(self, wake: Callable[[int], None]) -> None:
        """What an accepted call does with its job's key (the engine polls it at once)."""
        self._wake = wake

    def open(self, key: int) -> str:
        """A fresh URL for the next submit of job ``key`` (replacing any earlier one)."""
        token = secrets.token_urlsafe(32)
        self.close(key)
        self._add(key, digest_of(token), None)
        return f"{self._base_url}/{token}"

    def bind(self, key: int, horde_id: str) -> str | None:
        """The Horde accepted job ``key`` as ``horde_id``; returns the digest to store."""
        digest = self._digest_of_key.get(key)
        if digest is not None:
            self._live[digest].horde_id = horde_id
        return digest

    def restore(self, key: int, horde_id: str, digest: str) -> None:
        """After a restart: the stored digest of a job still running."""
        self._add(key, digest, horde_id)

    def close(self, key: int) -> None:
        """Job ``key`` ended (or is submitted again): its path is spent."""
        digest = self._digest_of_key.pop(key, None)
        if digest is None:
            return
        self._live.pop(digest, None)
        self._spent[digest] = None
        while len(self._spent) > REMEMBER_SPENT:
            self._spent.popitem(last=False)

    def claim(self, token: str, body: Any) -> tuple[Verdict, int | None]:
        """Judge one call: its verdict (counted) and the job it is a hint for, if accepted."""
        verdict, key = self._judge(digest_of(token), body)
        self.counts[verdict] += 1
        if key is not None and self._wake is not None:
            self._wake(key)
        return verdict, key

    def _judge(self, digest: str, body: Any) -> tuple[Verdict, int | None]:
        live = self._live.get(digest)
        if live is None:
            return (Verdict.REPLAYED if digest in self._spent else Verdict.UNKNOWN), None
        if not isinstance(body, dict):
            return Verdict.MALFORMED, None
        request, generation = body.get("request"), body.get("id")
        if not isinstance(request, str) or not isinstance(generation, str):
            return Verdict.MALFORMED, None
        if live.horde_id is None or request != live.horde_id:
            return Verdict.MISMATCHED, None
        if generation in live.seen:
            return Verdict.REPLAYED, None
        live.seen.add(generation)
        return Verdict.ACCEPTED, live.key

    def _add(self, key: int, digest: str, horde_id: str | None) -> None:
        self._live[digest] = _Live(key, horde_id)
        self._digest_of_key[key] = digest
