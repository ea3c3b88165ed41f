"""Which Discord shards this process runs (``SHARD_COUNT`` / ``SHARD_IDS``).

Several processes may share one PostgreSQL database and split the shards between them. Until
jobs are leased to processes, a job belongs to the shard its interaction arrived on: the shard
of its server, or shard 0 for a DM (Discord sends DMs to shard 0). Each process resumes and
delivers only the jobs of its own shards, so no job is picked up by two processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ShardPlan", "parse_shard_ids", "runs_guild", "shard_of"]

# Discord's limit would be far above this; the cap only catches typos such as 10000.
MAX_SHARD_COUNT = 4096


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord sends a server's events to; DMs (no server) arrive on shard 0."""
    if guild_id is None:
        return 0
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardPlan:
    """``count`` shards in all; this process runs ``ids`` (sorted, each below ``count``)."""

    count: int
    ids: tuple[int, ...]

    @property
    def syncs_commands(self) -> bool:
        """Only the process running shard 0 syncs the command set: once, not per process."""
        return 0 in self.ids

    def owns(self, guild_id: int | None) -> bool:
        """Whether a job of this server (None: a DM) belongs to this process."""
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        """``0, 2 of 4`` — for logs and /mod status."""
        return f"{_ranges(self.ids)} of {self.count}"


def runs_guild(plan: ShardPlan | None, guild_id: int | None) -> bool:
    """Whether this process serves the jobs of a server (None: a DM); without a plan, all."""
    return plan is None or plan.owns(guild_id)


def parse_shard_ids(raw: str, count: int) -> tuple[int, ...]:
    """``0-3`` or ``0,2`` or ``0-1,4`` → sorted unique ids; ValueError with a one-line reason."""
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            raise ValueError("must be shard ids such as 0-3 or 0,2 (an empty item)")
        first, dash, last = part.partition("-")
        low, high = _shard_id(first), _shard_id(last) if dash else _shard_id(first)
        if high < low:
            raise ValueError(f"the range {low}-{high} runs backwards")
        if high >= count:
            raise ValueError(f"shard {high} is not below SHARD_COUNT ({count})")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def _shard_id(text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError("must be shard ids such as 0-3 or 0,2")
    return int(text)


def _ranges(ids: Iterable[int]) -> str:
    """``(0, 1, 2, 5)`` → ``0-2, 5``."""
    spans: list[list[int]] = []
    for shard in ids:
        if spans and spans[-1][1] == shard - 1:
            spans[-1][1] = shard
        else:
            spans.append([shard, shard])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
