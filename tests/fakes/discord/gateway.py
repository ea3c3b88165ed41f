"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME and dispatches,
with one session per shard (gateway_session.py).

A plain ``Client`` identifies without ``shard`` and gets shard 0 of 1. An ``AutoShardedClient``
identifies once per shard with ``shard: [id, count]``; each session's READY lists only its
shard's guilds and every event goes to the session(s) whose shard holds its guild. Several
clients (processes) may each run some of the shards against one fake.

Frames are sent as text (discord.py only inflates binary frames), so no zlib is needed.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakes.discord.gateway_session import (
    Connection,
    IdentifyRecord,
    Session,
    event_guild_id,
    shard_of,
    too_soon,
)

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

HELLO, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 10, 1, 2, 6, 7, 8
INVALID_SESSION, HEARTBEAT_ACK = 9, 11
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15


class Gateway:
    """Every session of the bot, keyed by shard id.

    ``shard_count`` is what ``GET /gateway/bot`` recommends; the sessions route by the count each
    one identified with (as Discord does). ``max_guilds_per_shard``: an IDENTIFY whose shard would
    hold more guilds is closed with 4011 "Sharding required". ``enforce_identify_rate``: an
    IDENTIFY of a rate-limit bucket (``shard_id % max_concurrency``) within five seconds (fake
    clock) of the previous one gets op 9 INVALID_SESSION, as on Discord; off by default because
    discord.py spaces IDENTIFYs only by sleeping 5 s in ``before_identify_hook``, which
    ``running_bot`` skips.
    """

    def __init__(self, state: FakeState, heartbeat_interval_ms: int = 41_250) -> None:
        self.state = state
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.url = ""  # set once the server listens
        self.shard_count = 1
        self.max_concurrency = 1
        self.max_guilds_per_shard = 2500
        self.sessions: dict[int, Session] = {}
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        self.intents: int | None = None  # of the latest IDENTIFY
        self.identifies: list[IdentifyRecord] = []  # every accepted IDENTIFY, in order
        self.enforce_identify_rate = False
        self.rejected_identifies = 0
        self.received: list[dict[str, Any]] = []  # every client frame (tokens redacted)
        # Outages of the gateway alone (REST keeps answering): see ``refuse`` and ``drop``.
        self.refusals = 0
        self.refuse_status: int | None = None
        self.refused = 0
        self._connections: list[Connection] = []

    @property
    def identified_shards(self) -> list[tuple[int, int]]:
        """``(shard_id, shard_count)`` of every accepted IDENTIFY, in order."""
        return [(r.shard_id, r.shard_count) for r in self.identifies]

    @property
    def connected(self) -> bool:
        """True once some session is identified on an open socket."""
        return any(s.connected for s in self.sessions.values())

    def session_start_limit(self) -> dict[str, int]:
        total = 1000
        return {
            "total": total,
            "remaining": max(0, total - self.identify_count),
            "reset_after": 86_400_000,
            "max_concurrency": self.max_concurrency,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusals > 0:
            return self._refuse(request)
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request.transport)
        self._connections.append(conn)
        await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
        finally:
            self._connections.remove(conn)
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.state.notify()
        return ws

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d") or {}
        redacted = dict(frame)
        if isinstance(data, dict) and "token" in data:
            redacted["d"] = {**data, "token": "<redacted>"}
        self.received.append(redacted)
        if op == HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(data)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.state.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        now = self.state.clock.monotonic()
        if self.enforce_identify_rate and too_soon(
            self.identifies, shard_id, self.max_concurrency, now
        ):
            self.rejected_identifies += 1
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        guilds = [g for g in self.state.guilds.values() if shard_of(g.id, shard_count) == shard_id]
        if len(guilds) > self.max_guilds_per_shard:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        self.intents = data.get("intents")
        session = Session(shard_id, shard_count, self.intents, connection=conn)
        conn.session = self.sessions[shard_id] = session
        ready = self._ready_payload(session, guilds)
        if "shard" in data:  # AutoShardedClient expects its shard echoed back
            ready["shard"] = data["shard"]
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", self.state.guild_create_payload(guild))
        self.identify_count += 1
        self.identifies.append(IdentifyRecord(shard_id, shard_count, now))
        self.state.notify()

    def _ready_payload(self, session: Session, guilds: list[Any]) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.state.bot_user.payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(self.state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fake-discord"],
        }

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = next(
            (s for s in self.sessions.values() if s.session_id == data.get("session_id")), None
        )
        if data.get("token") != self.state.token or session is None:
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        conn.session, session.connection = session, conn
        await session.replay(data.get("seq") or 0)
        self.resume_count += 1
        await session.dispatch("RESUMED", {"_trace": ["fake-discord"]})
        self.state.notify()

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        members = [self.state.member_payload(guild, self.state.users[u]) for u in guild.permissions]
        chunk = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "nonce": data.get("nonce"),
        }
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def has_intent(self, bit: int) -> bool:
        return self.intents is None or bool(self.intents & bit)

    def receivers(self, event: str, data: dict[str, Any]) -> list[Session]:
        """The identified sessions Discord would send this event to."""
        guild_id = event_guild_id(event, data)
        if guild_id is not None and guild_id not in self.state.guilds:
            guild_id = None  # a server without the bot: not tied to any shard's guilds
        return [s for s in self.sessions.values() if s.receives(guild_id)]

    async def dispatch(self, event: str, data: dict[str, Any]) -> list[Session]:
        """Send an event to the session(s) of its shard and return them (buffered for RESUME;
        dropped before that shard's first IDENTIFY and when its intents exclude the event)."""
        sent = []
        for session in self.receivers(event, data):
            if event.startswith("MESSAGE_"):
                needed = GUILD_MESSAGES if "guild_id" in data else DIRECT_MESSAGES
                if not session.has_intent(needed):
                    continue
            await session.dispatch(event, data)
            sent.append(session)
        return sent

    async def disconnect(
        self, *, resume: bool = True, timeout: float = 5.0, shard: int = 0
    ) -> None:
        """Drop shard ``shard``'s session and wait for the client to come back.

        ``resume=True`` sends op 7 RECONNECT (the client resumes at once); ``resume=False`` sends
        op 9 INVALID_SESSION (the client identifies again from scratch).
        """
        session = self.sessions.get(shard)
        if session is None or session.connection is None:
            raise RuntimeError(f"shard {shard} is not connected to the fake gateway")
        before = (self.resume_count, self.identify_count)
        op = {"op": RECONNECT, "d": None} if resume else {"op": INVALID_SESSION, "d": False}
        await session.connection.send(op)
        counter = 0 if resume else 1
        await self.state.wait_for(
            lambda: (self.resume_count, self.identify_count)[counter] > before[counter], timeout
        )

    def refuse(self, count: int, *, status: int | None = None) -> None:
        """Refuse the next ``count`` gateway connections while REST keeps answering: with
        ``status`` an HTTP error instead of the websocket upgrade, else the TCP connection is
        cut before any answer."""
        self.refusals, self.refuse_status = count, status

    def _refuse(self, request: web.Request) -> web.StreamResponse:
        self.refusals -= 1
        self.refused += 1
        self.state.notify()
        if self.refuse_status is not None:
            return web.Response(status=self.refuse_status, text="gateway unavailable")
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # the connection is gone: aiohttp answers nothing

    def drop(self, shard: int | None = None) -> None:
        """Cut the gateway connections (all, or ``shard``'s) without a close frame, as a network
        failure does: the client sees close code 1006 and tries to RESUME."""
        for conn in list(self._connections):
            if shard is not None and (conn.session is None or conn.session.shard_id != shard):
                continue
            if conn.transport is not None:
                conn.transport.abort()

    async def close(self) -> None:
        for conn in list(self._connections):
            await conn.ws.close(code=1001)
