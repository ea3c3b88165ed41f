"""Creating, editing and deleting messages with Discord's validation, and echoing the changes to
the bot's gateway only where the bot can see them (never into DMs of other users, group DMs or
servers without the bot)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes.discord import limits
from tests.fakes.discord.errors import ApiError
from tests.fakes.discord.models import LOADING, FakeAttachment, FakeChannel, FakeMessage, FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord.gateway import Gateway
    from tests.fakes.discord.models import OffsetClock, Snowflakes


class MessageChanges:
    """Mixed into ``FakeState``."""

    if TYPE_CHECKING:
        gateway: Gateway
        clock: OffsetClock
        new_id: Snowflakes
        messages: dict[int, FakeMessage]
        channels: dict[int, FakeChannel]

        def notify(self) -> None: ...
        def message_payload(self, msg: FakeMessage) -> dict[str, Any]: ...
        def bot_can_see(self, channel: FakeChannel) -> bool: ...

    async def _echo(self, event: str, msg: FakeMessage, data: dict[str, Any]) -> None:
        """Tell the bot about a change, unless Discord would not (ephemeral, or out of reach)."""
        channel = self.channels.get(msg.channel_id)
        if msg.ephemeral or channel is None or not self.bot_can_see(channel):
            return
        await self.gateway.dispatch(event, data)

    async def create_message(
        self,
        channel: FakeChannel,
        payload: dict[str, Any],
        files: list[FakeAttachment],
        *,
        author: FakeUser,
        flags: int = 0,
        interaction_id: int | None = None,
    ) -> FakeMessage:
        """Validate and store a new message; guild messages are echoed as MESSAGE_CREATE."""
        errors = limits.message_errors(payload)
        if errors:
            raise ApiError(400, 50035, "Invalid Form Body", errors)
        if not flags & LOADING and limits.is_empty(payload, bool(files)):
            raise ApiError(400, 50006, "Cannot send an empty message")
        msg = FakeMessage(self.new_id(), channel.id, author.id, guild_id=channel.guild_id)
        msg.created = self.clock.time()
        # Creatable flags: SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS.
        msg.flags = flags | (payload.get("flags") or 0) & (4 | 64 | 4096)
        if interaction_id is not None:
            msg.webhook_id, msg.interaction_id = self.application_id, interaction_id
        msg.message_reference = payload.get("message_reference")
        self._apply(msg, payload, files, creating=True)
        self.messages[msg.id] = msg
        msg.snapshot()
        await self._echo("MESSAGE_CREATE", msg, self.message_payload(msg))
        self.notify()
        return msg

    async def edit_message(
        self, msg: FakeMessage, payload: dict[str, Any], files: list[FakeAttachment]
    ) -> FakeMessage:
        """Validate and apply a PATCH; editing a deferred placeholder ends its loading state."""
        errors = limits.message_errors(payload)
        if errors:
            raise ApiError(400, 50035, "Invalid Form Body", errors)
        self._apply(msg, payload, files, creating=False)
        msg.flags &= ~LOADING
        msg.edits += 1
        msg.edited = self.clock.time()
        msg.snapshot()
        await self._echo("MESSAGE_UPDATE", msg, self.message_payload(msg))
        self.notify()
        return msg

    async def delete_message(self, msg: FakeMessage) -> None:
        msg.deleted = True
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        await self._echo("MESSAGE_DELETE", msg, data)
        self.notify()

    def _apply(
        self,
        msg: FakeMessage,
        payload: dict[str, Any],
        files: list[FakeAttachment],
        *,
        creating: bool,
    ) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in payload:
                value = payload[key]
                default: Any = "" if key == "content" else []
                setattr(msg, key, default if value is None and key != "allowed_mentions" else value)
        if "flags" in payload and payload["flags"] is not None and not creating:
            # Only SUPPRESS_EMBEDS may change after creation.
            msg.flags = (msg.flags & ~4) | (payload["flags"] & 4)
        msg.attachments = self._attachments(msg, payload, files)

    def _attachments(
        self, msg: FakeMessage, payload: dict[str, Any], files: list[FakeAttachment]
    ) -> list[FakeAttachment]:
        """Keep the attachments listed in ``attachments`` and add the uploaded files."""
        uploads = {f.id: f for f in files}
        if "attachments" not in payload or payload["attachments"] is None:
            kept = list(msg.attachments)
            new = list(files)
        else:
            existing = {a.id: a for a in msg.attachments}
            kept, new = [], []
            for entry in payload["attachments"]:
                aid = int(entry["id"])
                if aid in uploads:
                    upload = uploads[aid]
                    upload.filename = entry.get("filename", upload.filename)
                    upload.description = entry.get("description")
                    new.append(upload)
                elif aid in existing:
                    kept.append(existing[aid])
        stored = [
            FakeAttachment(self.new_id(), u.filename, u.data, u.content_type, u.description)
            for u in new
        ]
        return kept + stored
