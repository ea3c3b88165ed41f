"""The delivery of a chat turn: edits the bot's placeholder message in the thread.

A :class:`~bot.ui.delivery.ReplyDelivery` like /generate's, with the model's text trimmed
at the conversation's stop sequences and the chat's own buttons. It edits a normal bot
message (no interaction token), so it works the same after a restart. On the terminal
snapshot it first stores the reply in the conversation (the chat service's ``finish``),
then shows it; if the placeholder is gone it posts the reply as a new message in the same
thread — never anywhere else, so a private chat stays private.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.chat.prompt import trim_reply
from bot.chat.service import ChatContext
from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.state import JobSnapshot, Payer, ReplyAddress
from bot.ui.delivery import NO_MENTIONS, ReplyDelivery
from bot.ui.generation_render import Rendered, RequestFacts
from bot.ui.job_buttons import build_chat_view
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL

__all__ = ["ChatReplyUpdater", "FinishHook"]

log = logging.getLogger(__name__)

# Stores a finished reply: (job id, context, its text already trimmed or None, the id of the
# message showing it).
FinishHook = Callable[[int, ChatContext, str | None, int | None], Awaitable[None]]


class ChatReplyUpdater(ReplyDelivery):
    """Shows one chat job in its placeholder message (see the module docstring)."""

    def __init__(
        self,
        client: discord.Client,
        address: ReplyAddress,
        context: ChatContext,
        models: tuple[str, ...] = (),
        *,
        finish: FinishHook,
        payer: Payer | None = None,
        clock: Clock = SYSTEM_CLOCK,
        min_interval: float = DEFAULT_EDIT_INTERVAL,
    ) -> None:
        facts = RequestFacts(prompt=context.quote or "…", models=models, payer=payer)
        super().__init__(client, facts, clock=clock, min_interval=min_interval)
        self.address = address  # the thread (channel_id) and the placeholder (message_id)
        self.context = context
        self._finish = finish
        self._finished = False

    async def prepare(self, snapshot: JobSnapshot) -> JobSnapshot:
        if not snapshot.terminal:
            return snapshot
        stops, name = self.context.stops, self.context.bot_name
        gens = tuple(
            dataclasses.replace(g, text=trim_reply(g.text, stops, bot_name=name))
            for g in snapshot.generations
        )
        snapshot = dataclasses.replace(snapshot, generations=gens)
        if not self._finished:
            text = next((g.text for g in snapshot.generations if g.text), None)
            await self._finish(snapshot.job_id, self.context, text, self.address.message_id)
            self._finished = True
        return snapshot

    def editable(self) -> bool:
        return not self._gone and self.address.message_id is not None

    async def edit(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        channel = await self._thread()
        if channel is None:
            log.info("Thread of chat job %s is gone; reply not shown", snapshot.job_id)
            return
        placeholder = self.address.message_id
        assert placeholder is not None
        files = [rendered.attachment.to_file()] if rendered.attachment else []
        await channel.get_partial_message(placeholder).edit(
            attachments=files, **self._message_kwargs(rendered, snapshot)
        )

    async def fallback(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        channel = await self._thread()
        if channel is None:
            log.info("Thread of chat job %s is gone; reply not shown", snapshot.job_id)
            return
        kwargs = self._message_kwargs(rendered, snapshot)
        if rendered.attachment is not None:
            kwargs["file"] = rendered.attachment.to_file()
        message = await channel.send(**kwargs)
        self.address = dataclasses.replace(self.address, message_id=message.id)

    def _message_kwargs(self, rendered: Rendered, snapshot: JobSnapshot) -> dict[str, Any]:
        return {
            "content": rendered.content,
            "embeds": rendered.discord_embeds(),
            "view": build_chat_view(
                rendered.buttons, snapshot.job_id, continued=self.context.continued
            ),
            "allowed_mentions": NO_MENTIONS,
        }

    async def _thread(self) -> discord.Thread | None:
        thread_id = self.address.channel_id
        if thread_id is None:
            return None
        channel = self._client.get_channel(thread_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(thread_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        return channel if isinstance(channel, discord.Thread) else None
