"""Interaction callbacks and the interaction webhook (``@original``, followups), with Discord's
3-second acknowledgement deadline and 15-minute token lifetime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.discord import limits
from tests.fakes.discord.http_app import BODY_KEY, json_response, no_content
from tests.fakes.discord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    FakeInteraction,
    is_ephemeral,
)
from tests.fakes.discord.models import EPHEMERAL, LOADING, FakeAttachment, FakeMessage
from tests.fakes.discord.state import ApiError, unknown

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
# Follow-ups Discord allows an interaction from a place the bot is not (group DMs, servers
# without the bot).
OUT_OF_REACH_FOLLOWUPS = 5
ALLOWED = {
    APPLICATION_COMMAND: {MESSAGE, DEFERRED, MODAL},
    COMPONENT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE},
}


class WebhookRoutes:
    """Handlers bound to one ``FakeState``; ``ack_deadline``/``token_lifetime`` are seconds on
    the fake's clock (None disables the deadline)."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.ack_deadline: float | None = 3.0
        self.token_lifetime = 15 * 60.0

    def add_to(self, router: web.UrlDispatcher, prefix: str) -> None:
        router.add_route(
            "POST", prefix + "/interactions/{interaction_id}/{token}/callback", self.callback
        )
        hook = prefix + "/webhooks/{app_id}/{token}"
        router.add_route("POST", hook, self.execute)
        for method, handler in (("GET", self.get), ("PATCH", self.edit), ("DELETE", self.delete)):
            router.add_route(method, hook + "/messages/{message_id}", handler)

    # --- the initial response -----------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        ia = self.state.interactions.get(int(request.match_info["interaction_id"]))
        if ia is None or ia.token != request.match_info["token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if ia.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if (
            self.ack_deadline is not None
            and self.state.clock.time() > ia.created + self.ack_deadline
        ):
            raise ApiError(404, 10062, "Unknown interaction")
        payload, files = request[BODY_KEY]
        kind = payload["type"]
        data = payload.get("data") or {}
        if kind not in ALLOWED[ia.type]:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": "Invalid response type",
                            }
                        ]
                    }
                },
            )
        message = await self._respond(ia, kind, data, files)
        ia.response_type, ia.response = kind, payload
        ia.ephemeral = message.ephemeral if message is not None else is_ephemeral(data)
        self.state.notify()
        return json_response(self._callback_body(ia, kind, message))

    async def _respond(
        self, ia: FakeInteraction, kind: int, data: dict[str, Any], files: list[FakeAttachment]
    ) -> FakeMessage | None:
        st = self.state
        if kind in (MESSAGE, DEFERRED):
            flags = LOADING if kind == DEFERRED else 0
            msg = await st.create_message(
                ia.channel,
                data,
                files,
                author=st.bot_user,
                flags=flags | (data.get("flags") or 0) & EPHEMERAL | _forced_flags(ia),
                interaction_id=ia.id,
            )
            ia.original_id = msg.id
            return msg
        if kind in (DEFERRED_UPDATE, UPDATE):
            if ia.source_message_id is None:
                raise ApiError(400, 40061, "Interaction has no message to update")
            msg = st.messages[ia.source_message_id]
            if kind == UPDATE:
                await st.edit_message(msg, data, files)
            ia.original_id = msg.id
            return msg
        if kind == AUTOCOMPLETE_RESULT:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise ApiError(400, 50035, "Invalid Form Body", {"choices": limits._too_long(25)})
            ia.choices = choices
            return None
        errors = limits.modal_errors(data)
        if errors:
            raise ApiError(400, 50035, "Invalid Form Body", {"data": errors})
        ia.modal = data
        return None

    def _callback_body(
        self, ia: FakeInteraction, kind: int, message: FakeMessage | None
    ) -> dict[str, Any]:
        info: dict[str, Any] = {"id": str(ia.id), "type": ia.type}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            info.update(
                response_message_id=str(message.id),
                response_message_loading=kind == DEFERRED,
                response_message_ephemeral=message.ephemeral,
            )
            resource["message"] = self.state.message_payload(message)
        return {"interaction": info, "resource": resource}

    # --- the webhook ---------------------------------------------------------------------------

    def _interaction(self, request: web.Request) -> FakeInteraction:
        if request.match_info["app_id"] != str(self.state.application_id):
            raise unknown("Webhook")
        token = request.match_info["token"]
        ia = next((i for i in self.state.interactions.values() if i.token == token), None)
        if ia is None or ia.response_type is None:
            raise unknown("Webhook")
        if self.state.clock.time() > ia.created + self.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return ia

    def _message(self, ia: FakeInteraction, request: web.Request) -> FakeMessage:
        raw = request.match_info["message_id"]
        mid = ia.original_id if raw == "@original" else int(raw) if raw.isdigit() else None
        if mid is None or (mid != ia.original_id and mid not in ia.followup_ids):
            raise unknown("Message")
        msg = self.state.messages[mid]
        if msg.deleted:
            raise unknown("Message")
        return msg

    async def get(self, request: web.Request) -> web.Response:
        ia = self._interaction(request)
        return json_response(self.state.message_payload(self._message(ia, request)))

    async def edit(self, request: web.Request) -> web.Response:
        ia = self._interaction(request)
        msg = self._message(ia, request)
        payload, files = request[BODY_KEY]
        await self.state.edit_message(msg, payload or {}, files)
        return json_response(self.state.message_payload(msg))

    async def delete(self, request: web.Request) -> web.Response:
        ia = self._interaction(request)
        await self.state.delete_message(self._message(ia, request))
        return no_content()

    async def execute(self, request: web.Request) -> web.Response:
        """A followup; the first one after a deferral replaces the "thinking…" message."""
        ia = self._interaction(request)
        payload, files = request[BODY_KEY]
        payload = payload or {}
        original = ia.original()
        if original is not None and original.loading and not original.deleted:
            if limits.is_empty(payload, bool(files)):
                raise ApiError(400, 50006, "Cannot send an empty message")
            msg = await self.state.edit_message(original, payload, files)
        else:
            self._check_followup_limit(ia)
            msg = await self.state.create_message(
                ia.channel,
                payload,
                files,
                author=self.state.bot_user,
                flags=_forced_flags(ia),
                interaction_id=ia.id,
            )
            ia.followup_ids.append(msg.id)
            self.state.notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(self.state.message_payload(msg))
        return no_content()

    def _check_followup_limit(self, ia: FakeInteraction) -> None:
        if self.state.bot_can_see(ia.channel) or len(ia.followup_ids) < OUT_OF_REACH_FOLLOWUPS:
            return
        message = "This interaction has hit the maximum number of follow up messages"
        raise ApiError(400, 40094, message)


def _forced_flags(ia: FakeInteraction) -> int:
    """EPHEMERAL when the server disables "Use External Apps" for this user-installed app."""
    return EPHEMERAL if ia.reach is not None and ia.reach.force_ephemeral else 0
