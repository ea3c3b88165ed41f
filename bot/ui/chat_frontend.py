"""The front end of chat turns: answering them in Discord, and what their buttons do.

:class:`ChatFrontEnd` is the :class:`~bot.ui.frontends.FrontEnd` of ``JobKind.CHAT`` and
the :class:`~bot.chat.service.ReplyDriver` of the chat service: it applies the server rules
to the member who pays, posts the placeholder in the thread (replying to the turn) and
submits the job with a :class:`ChatReplyUpdater`. Regenerate and Continue are paid by
whoever presses (stored with the turn, so a restart or another process submitting it bills
the same member), and only the latest reply of an idle conversation can be redone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import discord

from bot.chat.service import ChatContext, ChatService, TurnLimits
from bot.errors import BadInput, NotAllowedHere, NotPermitted, UserFacingError
from bot.generation import (
    GenerationRequest,
    GenerationService,
    JobRecord,
    Payer,
    ReplyAddress,
)
from bot.policy import GenerationPolicy, check_generate, choose_key
from bot.sharding import runs_guild
from bot.storage.chat import ChatRepository, Conversation, StoredTurn
from bot.ui.chat_updater import ChatReplyUpdater
from bot.ui.frontends import ButtonPress, FrontEndBase, may_manage

__all__ = ["CHAT_OFF", "ChatFrontEnd"]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
CHAT_OFF = "A moderator switched `/chat` off on this server."


class ChatFrontEnd(FrontEndBase):
    """Answers turns for :class:`ChatService`, shows the replies and handles their buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # FrontEndBase's (client, services, edit_interval=)
        self._starter: asyncio.Task[None] | None = None

    @property
    def service(self) -> ChatService:
        return self.services.chat

    @property
    def repo(self) -> ChatRepository:
        return self.services.chat.repo

    def engine(self) -> GenerationService:
        return self.services.generations

    # --- FrontEnd -----------------------------------------------------------------------------

    def listener(self, record: JobRecord) -> ChatReplyUpdater:
        """Completes the same chat reply after a restart (and stores it in the conversation)."""
        return self._updater(
            _address_of(record),
            ChatContext.from_json(record.context),
            record.models,
            record.payer,
        )

    def _updater(
        self,
        address: ReplyAddress,
        context: ChatContext,
        models: tuple[str, ...],
        payer: Payer | None,
    ) -> ChatReplyUpdater:
        return ChatReplyUpdater(
            self._client,
            address,
            context,
            models,
            finish=self.service.finish,
            payer=payer,
            clock=self.services.clock,
            min_interval=self._edit_interval,
        )

    async def start(self) -> None:
        """Restart the conversations' queues once the bot is connected."""
        self._starter = asyncio.create_task(self._start_when_ready(), name="chat-start")

    async def _start_when_ready(self) -> None:
        await self._client.wait_until_ready()
        shards = self.services.settings.shards
        await self.service.start(
            self, self.services.generations, owns=lambda guild_id: runs_guild(shards, guild_id)
        )

    async def close(self) -> None:
        if self._starter is not None:
            self._starter.cancel()

    async def check_member(self, conv: Conversation, user_id: int, thread: Any) -> GenerationPolicy:
        """The server rules for ``user_id`` in this chat's thread (raises when refused)."""
        if conv.guild_id is not None and not await self.repo.enabled(conv.guild_id):
            raise NotAllowedHere(CHAT_OFF)
        nsfw = bool(thread.is_nsfw()) if hasattr(thread, "is_nsfw") else False
        return await check_generate(
            self.services,
            guild_id=conv.guild_id,
            channel_id=conv.thread_id,
            channel_nsfw=nsfw,
            user_id=user_id,
            parent_channel_id=conv.parent_id,
            record_use=False,
        )

    # --- ReplyDriver --------------------------------------------------------------------------

    async def limits(self, conversation: Conversation, turn: StoredTurn) -> TurnLimits | None:
        # Read again: a Regenerate / Continue pressed since (in any process) stored its payer.
        stored = await self.repo.turn(turn.id) or turn
        payer = stored.payer_id or turn.author_id or conversation.owner_id
        thread = await self._thread(conversation)
        if thread is None:
            return None
        try:
            policy = await self.check_member(conversation, payer, thread)
        except UserFacingError as error:
            await thread.send(error.user_message, allowed_mentions=NO_MENTIONS)
            return None
        return TurnLimits(
            payer_id=payer, max_length=policy.max_length, bot_name=conversation.persona_name
        )

    async def launch(
        self, conversation: Conversation, turn: StoredTurn, request: GenerationRequest
    ) -> int | None:
        engine = self.engine()
        thread = await self._thread(conversation)
        if thread is None:
            return None
        try:
            paid = await choose_key(self.services, request.user_id, request.guild_id)
        except UserFacingError as error:
            await thread.send(error.user_message, allowed_mentions=NO_MENTIONS)
            return None
        extra: dict[str, Any] = {}
        if turn.message_id is not None and turn.role == "user":
            extra["reference"] = discord.MessageReference(
                message_id=turn.message_id, channel_id=thread.id, fail_if_not_exists=False
            )
        placeholder = await thread.send("⏳ Thinking…", allowed_mentions=NO_MENTIONS, **extra)
        address = dataclasses.replace(request.reply, message_id=placeholder.id)
        submitted = dataclasses.replace(request, reply=address, payer=paid.payer)
        context = ChatContext.from_json(request.context)
        listener = self.watch_sponsor(
            self._updater(address, context, request.models, paid.payer),
            paid.payer,
            request.guild_id,
        )
        try:
            return await engine.submit(submitted, apikey=paid.apikey, listener=listener)
        except UserFacingError as error:  # too many in flight, or the engine is closing
            await placeholder.edit(content=f"❌ {error.user_message}")
            return None

    async def _thread(self, conversation: Conversation) -> discord.Thread | None:
        channel = self._client.get_channel(conversation.thread_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(conversation.thread_id)
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.Thread) else None

    # --- buttons ------------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction[Any], press: ButtonPress) -> None:
        engine, record, job_id = self.engine(), press.record, press.job_id
        if record is None:
            raise BadInput("That reply is no longer known.")
        context = ChatContext.from_json(record.context)
        conversation = await self.repo.conversation(context.conversation_id)
        if conversation is None or not conversation.active:
            raise BadInput("That conversation has ended.")
        if press.action == "cancel":
            if not may_manage(interaction, record.user_id, conversation.owner_id):
                raise NotPermitted("Only the member paying for this reply can cancel it.")
            await interaction.response.defer()
            await engine.cancel(job_id)
            return
        await self._again(interaction, conversation, context, job_id, extend=press.action == "more")

    async def _again(
        self,
        interaction: discord.Interaction[Any],
        conversation: Conversation,
        context: ChatContext,
        job_id: int,
        *,
        extend: bool,
    ) -> None:
        if await self.service.busy(conversation.id):
            raise BadInput("Wait until the current reply is finished.")
        turns = [t for t in await self.repo.turns(conversation.id) if t.content]
        assistant = await self.repo.assistant_turn_for_job(job_id)
        latest = turns[-1] if turns else None
        if assistant is not None and (latest is None or latest.id != assistant.id):
            raise BadInput("Only the latest reply can be regenerated or continued.")
        await interaction.response.defer()
        if extend:
            if assistant is None:
                raise BadInput("There is no text to continue.")
            await self.repo.set_payer(assistant.id, interaction.user.id)
            await self.service.continue_reply(conversation, assistant)
            return
        turn_id = assistant.reply_to if assistant is not None else context.turn_id
        if turn_id is None:
            raise BadInput("That reply cannot be regenerated.")
        await self.repo.set_payer(turn_id, interaction.user.id)
        if assistant is not None:
            await self.service.regenerate(assistant)
        else:
            await self.repo.requeue(turn_id)
            self.service.kick(conversation.id)


def _address_of(record: JobRecord) -> ReplyAddress:
    """The reply address of a stored chat job; rows whose address lacks the thread or the
    placeholder take them from the ``thread_id`` / ``placeholder_id`` their context held."""
    reply, context = record.reply, record.context
    thread, placeholder = context.get("thread_id"), context.get("placeholder_id")
    if reply.channel_id is None and isinstance(thread, int):
        reply = dataclasses.replace(reply, channel_id=thread)
    if reply.message_id is None and isinstance(placeholder, int):
        reply = dataclasses.replace(reply, message_id=placeholder)
    return reply
