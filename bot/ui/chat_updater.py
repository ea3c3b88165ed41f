"""The JobListener of a chat turn: edits the bot's placeholder message in the thread.

Same rendering as /generate (:func:`bot.ui.generation_render.render`), with the model's
text trimmed at the conversation's stop sequences and the chat's own buttons. It edits a
normal bot message (no interaction token), so it works the same after a restart. On the
terminal snapshot it first stores the reply in the conversation (through the ``Chat``
cog's service), then shows it; if the placeholder is gone it posts the reply as a new
message in the same thread — never anywhere else, so a private chat stays private.
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
from bot.generation.state import JobRecord, JobSnapshot
from bot.ui.chat_views import CHAT_COG, build_chat_view
from bot.ui.generation_render import Rendered, RequestFacts, render
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL, EditPacer

__all__ = ["ChatReplyUpdater", "FinishHook", "make_chat_updater"]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
FinishHook = Callable[[int, ChatContext, str | None], Awaitable[None]]


class DeliveryError(Exception):
    """The reply could not be shown; the engine delivers it again at the next resume."""


def _cog_finish(client: discord.Client) -> FinishHook | None:
    get_cog = getattr(client, "get_cog", None)
    cog = get_cog(CHAT_COG) if get_cog is not None else None
    service = getattr(cog, "service", None)
    finish = getattr(service, "finish", None)
    return finish if callable(finish) else None


class ChatReplyUpdater:
    """Shows one chat job in its placeholder message (see the module docstring)."""

    def __init__(
        self,
        client: discord.Client,
        context: ChatContext,
        models: tuple[str, ...] = (),
        *,
        clock: Clock = SYSTEM_CLOCK,
        min_interval: float = DEFAULT_EDIT_INTERVAL,
        finish: FinishHook | None = None,
    ) -> None:
        self._client = client
        self.context = context
        self._facts = RequestFacts(prompt=context.quote or "…", models=models)
        self._clock = clock
        self._pacer = EditPacer(clock, min_interval)
        self._finish = finish
        self._shown: Rendered | None = None
        self._finished = False

    async def on_update(self, snapshot: JobSnapshot) -> None:
        if snapshot.terminal:
            snapshot = self._trimmed(snapshot)
            await self._store(snapshot)
        rendered = render(snapshot, self._facts)
        if rendered == self._shown:
            return
        if not snapshot.terminal:
            await self._pacer.wait_turn()
        try:
            if self._client.is_closed():
                raise RuntimeError("the bot is closed")
            await self._show(rendered, snapshot)
        except RuntimeError:
            # Shutting down (discord.py's session is closed): the next resume shows it.
            if not self._client.is_closed():
                raise
            if snapshot.terminal:
                raise DeliveryError("the bot closed before the reply was shown") from None
            return
        except discord.HTTPException as exc:
            if snapshot.terminal:
                raise DeliveryError(f"showing the chat reply failed: {exc.status}") from exc
            log.warning("Editing chat reply of job %s failed (%s)", snapshot.job_id, exc.status)
            return
        self._shown = rendered

    def _trimmed(self, snapshot: JobSnapshot) -> JobSnapshot:
        stops, name = self.context.stops, self.context.bot_name
        gens = tuple(
            dataclasses.replace(g, text=trim_reply(g.text, stops, bot_name=name))
            for g in snapshot.generations
        )
        return dataclasses.replace(snapshot, generations=gens)

    async def _store(self, snapshot: JobSnapshot) -> None:
        if self._finished:
            return
        finish = self._finish or _cog_finish(self._client)
        if finish is None:
            raise DeliveryError("the chat service is not running")
        text = next((g.text for g in snapshot.generations if g.text), None)
        await finish(snapshot.job_id, self.context, text)
        self._finished = True

    async def _show(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        channel = await self._thread()
        if channel is None:
            log.info("Thread of chat job %s is gone; reply not shown", snapshot.job_id)
            return
        kwargs: dict[str, Any] = {
            "content": rendered.content,
            "embeds": rendered.discord_embeds(),
            "view": build_chat_view(
                rendered.buttons, snapshot.job_id, continued=self.context.continued
            ),
            "allowed_mentions": NO_MENTIONS,
        }
        self._pacer.edited()
        placeholder = self.context.placeholder_id
        if placeholder is not None:
            try:
                files = [rendered.attachment.to_file()] if rendered.attachment else []
                await channel.get_partial_message(placeholder).edit(attachments=files, **kwargs)
                return
            except discord.NotFound:
                if not snapshot.terminal:
                    return
        if rendered.attachment is not None:
            kwargs["file"] = rendered.attachment.to_file()
        message = await channel.send(**kwargs)
        self.context = dataclasses.replace(self.context, placeholder_id=message.id)

    async def _thread(self) -> discord.Thread | None:
        thread_id = self.context.thread_id
        channel = self._client.get_channel(thread_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(thread_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        return channel if isinstance(channel, discord.Thread) else None


def make_chat_updater(
    client: discord.Client,
    clock: Clock = SYSTEM_CLOCK,
    *,
    min_interval: float = DEFAULT_EDIT_INTERVAL,
) -> Callable[[JobRecord], ChatReplyUpdater]:
    """The resume ``listener_factory`` for ``JobKind.CHAT`` records: completes the same reply."""

    def factory(record: JobRecord) -> ChatReplyUpdater:
        return ChatReplyUpdater(
            client,
            ChatContext.from_json(record.context),
            record.models,
            clock=clock,
            min_interval=min_interval,
        )

    return factory
