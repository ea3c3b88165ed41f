"""What users do in their Discord client: run slash commands, type in autocomplete fields, click
components, submit modals, post messages. Each becomes a gateway event for the bot."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.discord.gateway import MESSAGE_CONTENT
from tests.fakes.discord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    FakeInteraction,
    base_payload,
    find_component,
    modal_submit_components,
)
from tests.fakes.discord.models import FakeChannel, FakeMessage, FakeUser
from tests.fakes.discord.reach import Install, Reach, check_offered, reach_of
from tests.fakes.discord.slash_routes import OptionBuilder, find_schema
from tests.fakes.discord.state import FakeState

MENTION_RE = re.compile(r"<@!?(\d+)>")


class UserActions(FakeState):
    """Simulated user input (mixed into ``FakeDiscord``)."""

    def _channel_for(self, user: FakeUser, channel: FakeChannel | None) -> FakeChannel:
        return channel if channel is not None else self.dm_channel(user)

    async def _dispatch_interaction(self, ia: FakeInteraction) -> FakeInteraction:
        payload = base_payload(self, ia)
        if not any(s.connected for s in self.gateway.receivers("INTERACTION_CREATE", payload)):
            raise RuntimeError("the bot is not connected to the fake gateway (on that shard)")
        self.interactions[ia.id] = ia
        ia.payload = payload
        sessions = await self.gateway.dispatch("INTERACTION_CREATE", ia.payload)
        ia.shard_id = sessions[0].shard_id
        return ia

    def _new(
        self,
        kind: int,
        user: FakeUser,
        channel: FakeChannel,
        data: dict[str, Any],
        source: FakeMessage | None = None,
        install: Install | None = None,
    ) -> FakeInteraction:
        if install is None and source is not None and source.interaction_id is not None:
            # A click on a reply is authorised by the install that ran the command.
            origin = self.interactions.get(source.interaction_id)
            install = None if origin is None or origin.reach is None else origin.reach.install
        return FakeInteraction(
            self,
            self.new_id(),
            kind,
            user,
            channel,
            data,
            self.clock.time(),
            source_message_id=None if source is None else source.id,
            install=install,
        )

    def _command_data(
        self,
        command: str,
        options: dict[str, Any] | None,
        channel: FakeChannel,
        focused: str | None,
        check: Reach | None = None,
    ) -> dict[str, Any]:
        builder = OptionBuilder(self, channel.guild_id)
        name, opts = builder.build_command(command, options or {}, focused)
        if check is not None:
            schema, scope = find_schema(self, name, channel.guild_id)
            check_offered(schema, scope, check, channel.guild_id)
        # Unsynced commands get any stable id; discord.py routes on the name.
        command_id = builder.command_id or str(self.application_id + 1)
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1, "options": opts}
        if builder.scope != "global":
            data["guild_id"] = str(builder.scope)
        if builder.resolved:
            data["resolved"] = builder.resolved
        return data

    async def send_slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser,
        channel: FakeChannel | None = None,
        install: Install | None = None,
        check_context: bool = False,
    ) -> FakeInteraction:
        """Run ``/command`` (``"kudos transfer"`` for subcommands) as ``user`` in ``channel``
        (their DM with the bot when None; a group DM or a channel of a server without the bot
        works too, see reach_actions.py). Option types come from the synced or registered
        command, else from the Python values; FakeUser/FakeChannel values get ``resolved`` data.

        ``install`` ("guild", "user", "both"; None: what a member has there) sets the
        authorizing owners. ``check_context=True`` raises ValueError when Discord would not
        offer the command there (its ``contexts``/``integration_types``).
        """
        where = self._channel_for(user, channel)
        reach = reach_of(self, user, where, install)
        data = self._command_data(command, options, where, None, reach if check_context else None)
        ia = self._new(APPLICATION_COMMAND, user, where, data, install=install)
        return await self._dispatch_interaction(ia)

    async def autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: FakeUser,
        channel: FakeChannel | None = None,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused`` and return the bot's choices (``[{name, value}]``)."""
        where = self._channel_for(user, channel)
        data = self._command_data(command, options, where, focused)
        ia = await self._dispatch_interaction(self._new(AUTOCOMPLETE, user, where, data))
        await ia.wait_for_response(timeout)
        return ia.choices or []

    async def click(
        self,
        message: FakeMessage,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        user: FakeUser,
        values: list[str] | None = None,
    ) -> FakeInteraction:
        """Press a button (by label or custom_id) or pick ``values`` in a select menu."""
        msg = self.messages[message.id]
        if msg.deleted:
            raise ValueError("the message was deleted")
        comp = find_component(msg, label, custom_id)
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": comp["type"]}
        if comp["type"] != 2:
            data["values"] = values or []
        channel = self.channels[msg.channel_id]
        return await self._dispatch_interaction(self._new(COMPONENT, user, channel, data, msg))

    async def submit_modal(
        self, opened_by: FakeInteraction | str, values: dict[str, Any], *, user: FakeUser
    ) -> FakeInteraction:
        """Submit a modal the bot opened (from that interaction, or by the modal's custom_id)."""
        if isinstance(opened_by, str):
            source = next(
                (
                    i
                    for i in reversed(self.interactions.values())
                    if i.modal is not None and i.modal.get("custom_id") == opened_by
                ),
                None,
            )
            if source is None:
                raise ValueError(f"no modal with custom_id {opened_by!r} was opened")
        else:
            source = opened_by
        if source.modal is None:
            raise ValueError("that interaction did not open a modal")
        data = {
            "custom_id": source.modal["custom_id"],
            "components": modal_submit_components(source.modal, values),
        }
        msg = None if source.source_message_id is None else self.messages[source.source_message_id]
        install = None if source.reach is None else source.reach.install
        ia = self._new(MODAL_SUBMIT, user, source.channel, data, msg, install)
        return await self._dispatch_interaction(ia)

    async def user_message(
        self,
        channel: FakeChannel,
        content: str,
        *,
        user: FakeUser,
        reply_to: FakeMessage | None = None,
        mention_on_reply: bool = True,
        attachments: dict[str, bytes | str] | None = None,
    ) -> FakeMessage:
        """``user`` posts in ``channel`` (MESSAGE_CREATE, unless the bot cannot see it there).

        ``<@id>`` mentions are resolved; a reply pings its author unless ``mention_on_reply`` is
        False. Without the message_content intent the bot gets an empty ``content`` for guild
        messages that do not mention it, as on Discord. ``attachments`` maps file names to
        their bytes (str is UTF-8 encoded), served on 127.0.0.1 at each attachment's ``url``.
        """
        msg = FakeMessage(self.new_id(), channel.id, user.id, content, guild_id=channel.guild_id)
        msg.created = self.clock.time()
        msg.attachments = [self.new_attachment(n, d) for n, d in (attachments or {}).items()]
        if reply_to is not None:
            msg.message_reference = {
                "message_id": str(reply_to.id),
                "channel_id": str(channel.id),
                "type": 0,
            }
        msg.snapshot()
        self.messages[msg.id] = msg
        payload = self.message_payload(msg)
        mentioned = {int(uid) for uid in MENTION_RE.findall(content)}
        if reply_to is not None:
            payload["referenced_message"] = self.message_payload(reply_to)
            if mention_on_reply:
                mentioned.add(reply_to.author_id)
        payload["mentions"] = [self.users[u].payload() for u in mentioned if u in self.users]
        content_allowed = (
            self.gateway.has_intent(MESSAGE_CONTENT)
            or channel.guild_id is None
            or self.bot_user.id in mentioned
        )
        if not content_allowed:  # what Discord hides without the privileged intent
            payload.update(content="", embeds=[], attachments=[], components=[])
        guild = self.guild_of(channel)
        if guild is not None and user.id in guild.permissions:
            payload["member"] = self.member_payload(guild, user, with_user=False)
        if self.bot_can_see(channel):
            await self.gateway.dispatch("MESSAGE_CREATE", payload)
        self.notify()
        return msg
