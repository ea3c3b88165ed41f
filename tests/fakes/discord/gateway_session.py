"""One gateway session per shard, and which shard Discord sends each event to.

A guild lives on shard ``(guild_id >> 22) % shard_count``: its GUILD_CREATE, events and
interactions go only to that shard's session. Everything not tied to a guild the bot is in (DMs,
interactions from group DMs or from servers without the bot) goes to shard 0.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

DISPATCH = 0
BUFFER_SIZE = 1000  # dispatched frames kept for replay on RESUME
# Events whose payload names their guild in ``id`` rather than ``guild_id``.
GUILD_ITSELF = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


IDENTIFY_WINDOW = 5.0  # seconds between two IDENTIFYs of one rate-limit bucket


@dataclass(frozen=True)
class IdentifyRecord:
    """One accepted IDENTIFY; ``at`` is the fake clock's monotonic time."""

    shard_id: int
    shard_count: int
    at: float


def too_soon(
    records: list[IdentifyRecord], shard_id: int, max_concurrency: int, now: float
) -> bool:
    """True when this shard's rate-limit bucket (``shard_id % max_concurrency``; one IDENTIFY
    per bucket per five seconds) already identified in the last five seconds."""
    bucket = shard_id % max_concurrency
    return any(
        r.shard_id % max_concurrency == bucket and now - r.at < IDENTIFY_WINDOW for r in records
    )


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord routes this guild's events to."""
    return (guild_id >> 22) % shard_count


def event_guild_id(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event belongs to, if any."""
    raw = data.get("id") if event in GUILD_ITSELF else data.get("guild_id")
    return None if raw is None else int(raw)


class Connection:
    """One websocket; frames are sent one at a time."""

    def __init__(
        self, ws: web.WebSocketResponse, transport: asyncio.BaseTransport | None = None
    ) -> None:
        self.ws = ws
        self.transport = transport  # cut by ``Gateway.drop`` (a network failure, no close frame)
        self.session: Session | None = None
        self._lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            try:
                await self.ws.send_str(json.dumps(frame))
            except (ConnectionResetError, RuntimeError):
                # The client is going away; a dispatched frame stays buffered for RESUME.
                log.debug("fake gateway: send on a closing socket dropped")


@dataclass(eq=False)
class Session:
    """An identified session of shard ``shard_id`` out of ``shard_count``.

    Events dispatched while its socket is gone are buffered and replayed on RESUME.
    """

    shard_id: int
    shard_count: int
    intents: int | None
    session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    events: list[str] = field(default_factory=list)  # every event name dispatched, in order

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.open

    def receives(self, guild_id: int | None) -> bool:
        """True when Discord would send this guild's events here (None: not a bot guild)."""
        if guild_id is None:
            return self.shard_id == 0
        return shard_of(guild_id, self.shard_count) == self.shard_id

    def has_intent(self, bit: int) -> bool:
        return self.intents is None or bool(self.intents & bit)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        del self.buffer[:-BUFFER_SIZE]
        self.events.append(event)
        if self.connection is not None:
            await self.connection.send(frame)

    async def replay(self, since: int) -> None:
        """Send the buffered frames after sequence ``since`` (a RESUME)."""
        assert self.connection is not None
        for frame in self.buffer:
            if frame["s"] > since:
                await self.connection.send(frame)
