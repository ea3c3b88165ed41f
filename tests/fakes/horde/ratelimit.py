"""Per-IP / per-id / per-key rate limits of horde-api.md, on the fake's clock (sliding log)."""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakes.horde.state import HordeState

_UNITS = {1.0: "second", 60.0: "minute", 3600.0: "hour"}
_STATUS = re.compile(r"^/v2/generate/text/status/([^/]+)$")
_SLOW_LOOKUPS = re.compile(r"^/v2/(workers/[^/]+|workers/name/.+|teams.*|status/modes)$")


@dataclass(frozen=True)
class Rule:
    """``limit`` hits per ``window`` seconds for one bucket key."""

    limit: int
    window: float
    key: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.limit} per 1 {_UNITS.get(self.window, f'{self.window:g} seconds')}"


@dataclass(frozen=True)
class Verdict:
    """Outcome of a check: ``blocked`` is the rule that refused, if any."""

    blocked: Rule | None
    retry_after: int
    headers: dict[str, str]


def rules_for(state: HordeState, method: str, path: str, ip: str, apikey: str | None) -> list[Rule]:
    """The limits that apply to one request (path relative to ``/api``)."""
    endpoint = (method, path)
    if path == "/v2/status/heartbeat":
        return []
    if method == "POST" and path == "/v2/generate/text/async":
        return [
            Rule(state.submit_limit_per_second, 1.0, ("submit-s", ip)),
            Rule(state.submit_limit_per_minute, 60.0, ("submit-m", ip)),
        ]
    if (match := _STATUS.match(path)) and method in {"GET", "DELETE"}:
        return [Rule(state.status_limit_per_minute, 60.0, ("status", ip, method, match[1]))]
    if method == "POST" and path in {"/v2/generate/text/pop", "/v2/generate/text/submit"}:
        return [Rule(60, 1.0, ("worker", ip, *endpoint))]
    if method == "POST" and path == "/v2/kudos/transfer":
        who = apikey or ip
        return [Rule(1, 1.0, ("transfer-s", who)), Rule(90, 3600.0, ("transfer-h", who))]
    if method == "GET" and re.match(r"^/v2/users/[^/]+$", path):
        return [Rule(60, 60.0, ("user", ip))]
    if method == "GET" and _SLOW_LOOKUPS.match(path):
        return [Rule(30, 60.0, ("lookup", ip, path.split("/")[2]))]
    return [Rule(state.default_limit_per_minute, 60.0, ("default", ip, *endpoint))]


class RateLimiter:
    """Sliding-log limiter; only accepted requests count against a window."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, ...], deque[float]] = {}

    def reset(self) -> None:
        self._hits.clear()

    def _window(self, rule: Rule, now: float) -> deque[float]:
        hits = self._hits.setdefault((*rule.key, str(rule.window)), deque())
        while hits and hits[0] <= now - rule.window:
            hits.popleft()
        return hits

    def check(self, rules: list[Rule], now: float) -> Verdict:
        """Refuse if any rule is exhausted; otherwise record the hit in every rule."""
        for rule in rules:
            hits = self._window(rule, now)
            if len(hits) >= rule.limit:
                retry = math.ceil(hits[0] + rule.window - now)
                return Verdict(rule, max(1, retry), self._headers(rule, hits, now))
        for rule in rules:
            self._window(rule, now).append(now)
        if not rules:
            return Verdict(None, 0, {})
        first = rules[0]
        return Verdict(None, 0, self._headers(first, self._window(first, now), now))

    @staticmethod
    def _headers(rule: Rule, hits: deque[float], now: float) -> dict[str, str]:
        reset = (hits[0] + rule.window) if hits else now + rule.window
        return {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Remaining": str(max(0, rule.limit - len(hits))),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
