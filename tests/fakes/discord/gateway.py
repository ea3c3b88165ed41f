"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME and dispatches.

Frames are sent as text (discord.py only inflates binary frames), so no zlib is needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

log = logging.getLogger(__name__)

HELLO, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 10, 1, 2, 6, 7, 8
INVALID_SESSION, HEARTBEAT_ACK, DISPATCH = 9, 11, 0
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
BUFFER_SIZE = 1000  # dispatched frames kept for replay on RESUME


class Gateway:
    """One bot session; events dispatched while disconnected are replayed on RESUME."""

    def __init__(self, state: FakeState, heartbeat_interval_ms: int = 41_250) -> None:
        self.state = state
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.url = ""  # set once the server listens
        self.ws: web.WebSocketResponse | None = None
        self.session_id: str | None = None
        self.seq = 0
        self.buffer: list[dict[str, Any]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        self.intents: int | None = None
        self.received: list[dict[str, Any]] = []  # every client frame (tokens redacted)
        self._send_lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        """True once a session is identified on an open socket."""
        return self.ws is not None and not self.ws.closed and self.session_id is not None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.ws = ws
        await self._send(ws, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(ws, json.loads(msg.data))
        finally:
            if self.ws is ws:
                self.ws = None
            self.state.notify()
        return ws

    async def _send(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            if ws.closed:
                return
            try:
                await ws.send_str(json.dumps(frame))
            except (ConnectionResetError, RuntimeError):
                # The client is going away; a dispatched frame stays buffered for RESUME.
                log.debug("fake gateway: send on a closing socket dropped")

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d") or {}
        redacted = dict(frame)
        if isinstance(data, dict) and "token" in data:
            redacted["d"] = {**data, "token": "<redacted>"}
        self.received.append(redacted)
        if op == HEARTBEAT:
            self.heartbeats += 1
            await self._send(ws, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(ws, data)
        elif op == RESUME:
            await self._resume(ws, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(data)

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.state.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self.intents = data.get("intents")
        self.session_id = secrets.token_hex(16)
        self.seq = 0
        self.buffer.clear()
        ready = self._ready_payload()
        if "shard" in data:  # AutoShardedClient expects its shard echoed back
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        for guild in self.state.guilds.values():
            await self.dispatch("GUILD_CREATE", self.state.guild_create_payload(guild))
        self.identify_count += 1
        self.state.notify()

    def _ready_payload(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.state.bot_user.payload(),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds],
            "session_id": self.session_id,
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

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.state.token or data.get("session_id") != self.session_id:
            await self._send(ws, {"op": INVALID_SESSION, "d": False})
            return
        since = data.get("seq") or 0
        for frame in self.buffer:
            if frame["s"] > since:
                await self._send(ws, frame)
        self.resume_count += 1
        await self.dispatch("RESUMED", {"_trace": ["fake-discord"]})
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

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event (buffered for RESUME; dropped before the first IDENTIFY and when the
        client's intents exclude it)."""
        if self.session_id is None:
            return
        if event.startswith("MESSAGE_"):
            needed = GUILD_MESSAGES if "guild_id" in data else DIRECT_MESSAGES
            if not self.has_intent(needed):
                return
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        del self.buffer[:-BUFFER_SIZE]
        if self.ws is not None:
            await self._send(self.ws, frame)

    async def disconnect(self, *, resume: bool = True, timeout: float = 5.0) -> None:
        """Drop the session and wait for the client to come back.

        ``resume=True`` sends op 7 RECONNECT (the client resumes at once); ``resume=False`` sends
        op 9 INVALID_SESSION (the client identifies again from scratch).
        """
        ws = self.ws
        if ws is None:
            raise RuntimeError("the bot is not connected to the fake gateway")
        before = (self.resume_count, self.identify_count)
        if resume:
            await self._send(ws, {"op": RECONNECT, "d": None})
        else:
            await self._send(ws, {"op": INVALID_SESSION, "d": False})
        counter = 0 if resume else 1
        await self.state.wait_for(
            lambda: (self.resume_count, self.identify_count)[counter] > before[counter], timeout
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close(code=1001)
