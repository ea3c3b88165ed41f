"""REST routes the bot calls outside interactions: login, channels, messages, threads, DMs.

Channels the bot cannot see (group DMs, DMs between other users, servers without the bot) answer
403 code 50001 Missing Access, as on Discord: there only the interaction webhook works."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.discord.errors import ApiError, missing_access, unknown
from tests.fakes.discord.http_app import BODY_KEY, json_response, no_content
from tests.fakes.discord.models import FakeAttachment, FakeChannel, FakeMessage

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState


def _body(request: web.Request) -> tuple[Any, list[FakeAttachment]]:
    payload, files = request[BODY_KEY]
    return payload or {}, files


def _int(request: web.Request, key: str) -> int:
    try:
        return int(request.match_info[key])
    except ValueError:
        raise ApiError(404, 0, "404: Not Found") from None


class RestRoutes:
    """Handlers bound to one ``FakeState``."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add_to(self, router: web.UrlDispatcher, prefix: str) -> None:
        s = self
        routes = [
            ("GET", "/users/@me", s.get_me),
            ("GET", "/oauth2/applications/@me", s.get_application),
            ("GET", "/gateway", s.get_gateway),
            ("GET", "/gateway/bot", s.get_gateway),
            ("GET", "/users/{user_id}", s.get_user),
            ("POST", "/users/@me/channels", s.create_dm),
            ("GET", "/guilds/{guild_id}/members/{user_id}", s.get_member),
            ("GET", "/channels/{channel_id}", s.get_channel),
            ("PATCH", "/channels/{channel_id}", s.edit_channel),
            ("DELETE", "/channels/{channel_id}", s.delete_channel),
            ("POST", "/channels/{channel_id}/typing", s.typing),
            ("GET", "/channels/{channel_id}/messages", s.history),
            ("POST", "/channels/{channel_id}/messages", s.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", s.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", s.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", s.delete_message),
            ("POST", "/channels/{channel_id}/threads", s.create_thread),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", s.create_thread),
            ("PUT", "/channels/{channel_id}/thread-members/{user_id}", s.thread_member),
            ("DELETE", "/channels/{channel_id}/thread-members/{user_id}", s.thread_member),
        ]
        for method, path, handler in routes:
            router.add_route(method, prefix + path, handler)

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response({**self.state.bot_user.payload(), "verified": True, "flags": 0})

    async def get_application(self, request: web.Request) -> web.Response:
        st = self.state
        return json_response(
            {
                "id": str(st.application_id),
                "name": st.bot_user.name,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": st.app_owner.payload(),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        gateway = self.state.gateway
        return json_response(
            {
                "url": gateway.url,
                "shards": gateway.shard_count,
                "session_start_limit": gateway.session_start_limit(),
            }
        )

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(_int(request, "user_id"))
        if user is None:
            raise unknown("User")
        return json_response(user.payload())

    async def create_dm(self, request: web.Request) -> web.Response:
        payload, _ = _body(request)
        user = self.state.users.get(int(payload.get("recipient_id", 0)))
        if user is None:
            raise unknown("User")
        return json_response(self.state.dm_channel(user).payload())

    async def get_member(self, request: web.Request) -> web.Response:
        guild_id = _int(request, "guild_id")
        if guild_id in self.state.foreign_guilds:
            raise missing_access()
        guild = self.state.guilds.get(guild_id)
        uid = _int(request, "user_id")
        if guild is None or uid not in guild.permissions:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(self.state.member_payload(guild, self.state.users[uid]))

    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self.state.channel_or_404(_int(request, "channel_id"))
        if not self.state.bot_can_see(channel):
            raise missing_access()
        return channel

    def _message(self, request: web.Request) -> FakeMessage:
        channel = self._channel(request)
        return self.state.message_or_404(channel.id, _int(request, "message_id"))

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def edit_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        payload, _ = _body(request)
        for key in ("name", "archived", "locked", "nsfw"):
            if key in payload:
                setattr(channel, key, payload[key])
        event = "THREAD_UPDATE" if channel.type in (11, 12) else "CHANNEL_UPDATE"
        await self.state.gateway.dispatch(event, channel.payload())
        self.state.notify()
        return json_response(channel.payload())

    async def delete_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        del self.state.channels[channel.id]
        event = "THREAD_DELETE" if channel.type in (11, 12) else "CHANNEL_DELETE"
        await self.state.gateway.dispatch(event, channel.payload())
        self.state.notify()
        return json_response(channel.payload())

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        limit = int(request.query.get("limit", 50))
        msgs = list(reversed(self.state.messages_in(channel)))
        if "before" in request.query:
            msgs = [m for m in msgs if m.id < int(request.query["before"])]
        return json_response([self.state.message_payload(m) for m in msgs[:limit]])

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        payload, files = _body(request)
        self._check_can_send(channel)
        self._check_reference(channel, payload)
        if channel.archived and channel.type in (11, 12):
            channel.archived = False  # sending into an unlocked archived thread reopens it
        msg = await self.state.create_message(channel, payload, files, author=self.state.bot_user)
        return json_response(self.state.message_payload(msg))

    def _check_can_send(self, channel: FakeChannel) -> None:
        if channel.type == 1 and channel.recipient is not None and not channel.recipient.dms_open:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        if not channel.writable or channel.locked:
            raise ApiError(403, 50013, "Missing Permissions")

    def _check_reference(self, channel: FakeChannel, payload: dict[str, Any]) -> None:
        ref = payload.get("message_reference")
        if not ref or "message_id" not in ref:
            return
        target = self.state.messages.get(int(ref["message_id"]))
        ref_channel = int(ref.get("channel_id") or channel.id)
        if target is None or target.deleted or target.channel_id != ref_channel:
            if ref.get("fail_if_not_exists", True):
                error = {"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {"message_reference": {"_errors": [error]}},
                )
            payload["message_reference"] = None
            return
        ref["message_id"] = str(target.id)
        ref["channel_id"] = str(target.channel_id)
        if channel.guild_id is not None:
            ref["guild_id"] = str(channel.guild_id)

    async def get_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        return json_response(self.state.message_payload(msg))

    async def edit_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        if msg.author_id != self.state.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload, files = _body(request)
        await self.state.edit_message(msg, payload, files)
        return json_response(self.state.message_payload(msg))

    async def delete_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        await self.state.delete_message(msg)
        return no_content()

    async def create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        payload, _ = _body(request)
        name = payload.get("name") or ""
        if not 1 <= len(name) <= 100:
            error = {
                "code": "BASE_TYPE_BAD_LENGTH",
                "message": "Must be between 1 and 100 in length.",
            }
            raise ApiError(400, 50035, "Invalid Form Body", {"name": {"_errors": [error]}})
        if parent.type != 0:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        thread_id = None
        if "message_id" in request.match_info:
            # A thread started from a message shares the message's id, as on Discord.
            thread_id = self._message(request).id
        private = payload.get("type") == 12
        thread = self.state.add_thread(parent, name, thread_id=thread_id, private=private)
        await self.state.gateway.dispatch(
            "THREAD_CREATE", {**thread.payload(), "newly_created": True}
        )
        self.state.notify()
        return json_response(thread.payload(), 201)

    async def thread_member(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()
