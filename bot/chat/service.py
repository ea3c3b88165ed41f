"""Conversations: queue each turn, answer one at a time, remember the replies.

A conversation's queue is its stored ``pending`` user turns, so a restart loses nothing:
:meth:`ChatService.start` restarts every queue, and a reply that was being generated is
completed by the engine's resume, whose listener calls :meth:`ChatService.finish`.
The Discord side is a :class:`ReplyDriver`: it decides the limits of a turn (server
rules, the payer's key) and launches the generation with a listener on a placeholder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.chat.capacity import WorkerCapacity
from bot.chat.formats import PLAIN
from bot.chat.prompt import ChatTurn, build_prompt
from bot.chat.reference import ModelReference
from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.retention import DAY, purge_daily
from bot.generation.state import GenerationRequest, JobKind, JobRecord, ReplyAddress
from bot.metrics import record as metrics
from bot.storage.chat import (
    ANSWERED,
    PENDING,
    RUNNING,
    ChatRepository,
    Conversation,
    StoredTurn,
    anchor,
)

__all__ = ["ChatContext", "ChatService", "ReplyDriver", "TurnLimits"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TurnLimits:
    """What one reply may use: the payer, the reply length and the bot's display name."""

    payer_id: int
    max_length: int
    bot_name: str


@dataclass(frozen=True, slots=True)
class ChatContext:
    """The ``context`` of a chat job: what it answers. Where the reply goes (thread,
    placeholder message) is the job's :class:`~bot.generation.ReplyAddress`."""

    conversation_id: int
    turn_id: int  # the user turn answered, or the assistant turn continued
    bot_name: str
    stops: tuple[str, ...]
    continued: bool = False
    quote: str = ""  # the start of the message answered, shown above the reply

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "turn_id": self.turn_id,
            "bot_name": self.bot_name,
            "stops": list(self.stops),
            "continued": self.continued,
            "quote": self.quote,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChatContext:
        """(Rows of earlier releases also hold ``thread_id`` and ``placeholder_id``: the
        same values as their reply address, so they are not read.)"""
        return cls(
            conversation_id=int(data["conversation_id"]),
            turn_id=int(data["turn_id"]),
            bot_name=str(data.get("bot_name") or "Assistant"),
            stops=tuple(str(s) for s in data.get("stops") or ()),
            continued=bool(data.get("continued")),
            quote=str(data.get("quote") or ""),
        )


class JobLookup(Protocol):
    """How the chat service reads the engine's jobs (``GenerationService.get``)."""

    async def get(self, job_id: int) -> JobRecord | None: ...


class ReplyDriver(Protocol):
    """The Discord side of answering a turn."""

    async def limits(self, conversation: Conversation, turn: StoredTurn) -> TurnLimits | None:
        """The turn's limits, or None when it may not be answered (the driver told the user)."""
        ...

    async def launch(
        self, conversation: Conversation, turn: StoredTurn, request: GenerationRequest
    ) -> int | None:
        """Post the placeholder and submit; the job id, or None when it could not start."""
        ...


class ChatService:
    """Owns the per-conversation queues. One instance per bot."""

    def __init__(
        self,
        repo: ChatRepository,
        reference: ModelReference,
        capacity: WorkerCapacity,
        *,
        clock: Clock = SYSTEM_CLOCK,
        retention_days: int = 7,
    ) -> None:
        self.repo = repo
        self.reference = reference
        self.capacity = capacity
        self.driver: ReplyDriver | None = None
        self._clock = clock
        self._retention = retention_days * DAY
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._purger: asyncio.Task[None] | None = None

    async def start(
        self,
        driver: ReplyDriver,
        jobs: JobLookup | None = None,
        *,
        owns: Callable[[int | None], bool] = lambda guild_id: True,
    ) -> None:
        """Serve queued turns left from before a restart; purge old transcripts daily.

        With the engine's ``jobs``, turns whose generation is gone are unstuck first.
        ``owns(guild_id)`` picks this process's conversations when several processes share
        the database (each serves the servers of its shards).
        """
        if jobs is not None:
            await self._unstick(jobs, owns)  # before any queue runs: nothing is launching yet
        self.driver = driver
        for conversation_id in await self.repo.with_pending_turns():
            if await self._owned(conversation_id, owns):
                self.kick(conversation_id)
        if self._purger is None:
            self._purger = asyncio.create_task(
                purge_daily(self._clock, self._purge, "chat conversations", at_once=True),
                name="chat-purge",
            )

    async def _owned(self, conversation_id: int, owns: Callable[[int | None], bool]) -> bool:
        conversation = await self.repo.conversation(conversation_id)
        return conversation is not None and owns(conversation.guild_id)

    async def _unstick(self, jobs: JobLookup, owns: Callable[[int | None], bool]) -> None:
        """A turn marked running whose job was never stored (a crash between submitting and
        recording it) is queued again; one whose job was delivered or purged is answered."""
        for turn in await self.repo.running_turns():
            if not await self._owned(turn.conversation_id, owns):
                continue
            if turn.job_id is None:
                await self.repo.set_reply_state(turn.id, PENDING)
                continue
            record = await jobs.get(turn.job_id)
            if record is None or record.delivered_at is not None:
                await self.repo.set_reply_state(turn.id, ANSWERED)

    async def close(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.reference.close()

    # --- turns --------------------------------------------------------------------------------

    async def add_user_turn(
        self,
        conversation: Conversation,
        *,
        author_id: int,
        author_name: str,
        message_id: int,
        text: str,
    ) -> int:
        """Queue a participant's message; it is answered after the ones before it."""
        turn_id = await self.repo.add_turn(
            conversation.id,
            role="user",
            author_id=author_id,
            author_name=author_name,
            message_id=message_id,
            content=text,
            reply_state=PENDING,
        )
        self.kick(conversation.id)
        return turn_id

    def kick(self, conversation_id: int) -> None:
        """Answer the conversation's next queued turn unless one is being answered."""
        task = asyncio.create_task(self._next(conversation_id), name=f"chat-{conversation_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def busy(self, conversation_id: int) -> bool:
        """True while a turn is being answered or waits in the queue."""
        turns = await self.repo.turns(conversation_id)
        return any(t.reply_state in (PENDING, RUNNING) for t in turns)

    async def finish(
        self, job_id: int, context: ChatContext, text: str | None, message_id: int | None
    ) -> None:
        """A reply ended: store its text (its delivery trimmed it at the stops; shown in
        ``message_id``), then answer the next turn. Idempotent, so a reply delivered twice
        after a restart is stored once.
        """
        reply = text or ""
        metrics.chat_turn("answered" if reply else "no_reply")
        if context.continued:
            await self._store_continuation(job_id, context, reply)
        elif reply and await self.repo.assistant_turn_for_job(job_id) is None:
            await self.repo.add_turn(
                context.conversation_id,
                role="assistant",
                author_name=context.bot_name,
                content=reply,
                message_id=message_id,
                job_id=job_id,
                reply_to=context.turn_id,
            )
        await self.repo.set_reply_state(context.turn_id, ANSWERED)
        self.kick(context.conversation_id)

    async def _store_continuation(self, job_id: int, context: ChatContext, reply: str) -> None:
        turn = await self.repo.turn(context.turn_id)
        if turn is None or not reply or turn.job_id == job_id:
            return
        joiner = "" if reply[:1] in (",", ".", "!", "?", ";", ":") else " "
        await self.repo.update(turn.id, content=turn.content + joiner + reply, job_id=job_id)

    async def regenerate(self, assistant_turn: StoredTurn) -> None:
        """Forget this reply and answer its turn again (the conversation must be idle)."""
        if assistant_turn.reply_to is None:
            return
        await self.repo.update(assistant_turn.id, content="")
        await self.repo.requeue(assistant_turn.reply_to)
        self.kick(assistant_turn.conversation_id)

    async def continue_reply(self, conversation: Conversation, assistant_turn: StoredTurn) -> None:
        """Ask the model to go on with this (latest) reply."""
        task = asyncio.create_task(self._continue(conversation, assistant_turn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _continue(self, conversation: Conversation, assistant_turn: StoredTurn) -> None:
        # Marked running like a queued turn, so new turns wait until the continuation is in.
        lock = self._locks.setdefault(conversation.id, asyncio.Lock())
        async with lock:
            turns = await self.repo.turns(conversation.id)
            if any(t.reply_state in (PENDING, RUNNING) for t in turns):
                return
            await self.repo.set_reply_state(assistant_turn.id, RUNNING)
            started = False
            try:
                started = await self._answer(conversation, assistant_turn, continued=True)
            finally:
                if not started:
                    await self.repo.set_reply_state(assistant_turn.id, ANSWERED)
        if not started:
            self.kick(conversation.id)

    # --- answering ----------------------------------------------------------------------------

    async def _next(self, conversation_id: int) -> None:
        if self.driver is None:
            return  # start() restarts every queue once the Discord side is ready
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            conversation = await self.repo.conversation(conversation_id)
            if conversation is None or not conversation.active:
                return
            turns = await self.repo.turns(conversation_id)
            if any(t.reply_state == RUNNING for t in turns):
                return  # its listener kicks again once the reply is in
            pending = next((t for t in turns if t.reply_state == PENDING), None)
            if pending is None:
                return
            await self.repo.set_reply_state(pending.id, RUNNING)
            started = False
            try:
                started = await self._answer(conversation, pending, continued=False)
            finally:
                if not started:
                    await self.repo.set_reply_state(pending.id, ANSWERED)
        if not started:
            self.kick(conversation_id)

    async def _answer(
        self, conversation: Conversation, turn: StoredTurn, *, continued: bool
    ) -> bool:
        driver = self.driver
        if driver is None:
            return False
        job_id: int | None = None
        try:
            limits = await driver.limits(conversation, turn)
            if limits is not None:
                request = await self.build_request(conversation, turn, limits, continued=continued)
                job_id = await driver.launch(conversation, turn, request)
        except Exception:
            log.exception("Answering turn %s of conversation %s failed", turn.id, conversation.id)
        if job_id is None:
            metrics.chat_turn("not_started")
            return False
        if not continued:
            # Only the job id: the reply may already have finished and marked it answered.
            await self.repo.update(turn.id, job_id=job_id)
        return True

    async def build_request(
        self,
        conversation: Conversation,
        turn: StoredTurn,
        limits: TurnLimits,
        *,
        continued: bool = False,
    ) -> GenerationRequest:
        """The generation answering ``turn`` (or continuing it), history in the model's format."""
        history = await self._history(conversation, turn)
        info = await self.reference.lookup(conversation.model)
        fmt = info.instruct_format if info is not None and info.instruct_format else PLAIN
        capacity = await self.capacity.for_model(conversation.model)
        max_length = max(16, min(limits.max_length, capacity.max_length))
        context_size = max(capacity.max_context_length, max_length + 80)
        built = build_prompt(
            fmt,
            conversation.system_text,
            history,
            bot_name=limits.bot_name,
            budget_tokens=context_size - max_length,
            continue_last=continued,
        )
        # The reference's recommended sampler settings, then the sizes this turn needs.
        params: dict[str, Any] = dict(info.settings) if info is not None else {}
        params.update(max_length=max_length, max_context_length=context_size)
        params["stop_sequence"] = list(built.stop_sequences) or None
        context = ChatContext(
            conversation_id=conversation.id,
            turn_id=turn.id,
            bot_name=limits.bot_name,
            stops=built.stop_sequences,
            continued=continued,
            quote=turn.content[:200],
        )
        return GenerationRequest(
            prompt=built.prompt,
            user_id=limits.payer_id,
            kind=JobKind.CHAT,
            params={k: v for k, v in params.items() if v is not None},
            models=(conversation.model,) if conversation.model else (),
            # A style replaces params and models on the Horde (stops are trimmed locally).
            options={"style": conversation.style_id} if conversation.style_id else {},
            guild_id=conversation.guild_id,
            reply=ReplyAddress(channel_id=conversation.thread_id, private=conversation.private),
            context=context.to_json(),
        )

    async def _history(self, conversation: Conversation, turn: StoredTurn) -> list[ChatTurn]:
        """The turns up to ``turn`` (and its reply, when continuing it), oldest first."""
        return [
            ChatTurn("user" if t.role == "user" else "assistant", t.author_name, t.content)
            for t in await self.repo.turns(conversation.id)
            if anchor(t) <= anchor(turn) and t.content
        ]

    async def _purge(self) -> None:
        removed = await self.repo.purge(self._clock.time() - self._retention)
        if removed:
            log.info("Purged %d old chat conversations", removed)
