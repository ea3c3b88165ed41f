"""Storage of /chat: guild personas, conversations bound to threads, and their turns.

A user turn moves ``pending`` (queued) → ``running`` (a generation answers it, ``job_id``)
→ ``answered``; the queue of a conversation is therefore its pending turns in id order and
survives a restart without anything else stored.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from bot.clock import SYSTEM_CLOCK, Clock
from bot.storage.database import Database, Row

__all__ = [
    "ChatRepository",
    "Conversation",
    "Persona",
    "StoredTurn",
    "anchor",
    "in_conversation_order",
]

PENDING, RUNNING, ANSWERED = "pending", "running", "answered"


@dataclass(frozen=True, slots=True)
class Persona:
    guild_id: int
    name: str
    system_text: str
    greeting: str | None = None
    default_model: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    guild_id: int | None
    thread_id: int
    parent_id: int | None
    owner_id: int
    persona_name: str
    system_text: str
    model: str | None
    private: bool
    active: bool
    created_at: float
    style_id: str | None = None  # a Horde text style sent with every turn (/chat start style:)


@dataclass(frozen=True, slots=True)
class StoredTurn:
    id: int
    conversation_id: int
    role: str
    author_id: int | None
    author_name: str
    message_id: int | None
    content: str
    reply_state: str | None
    job_id: int | None
    reply_to: int | None
    created_at: float
    # Who pressed Regenerate / Continue last: pays the turn's next reply (None: its author).
    payer_id: int | None = None


def anchor(turn: StoredTurn) -> int:
    """Where a turn sits in the conversation: a reply right after the turn it answers."""
    return turn.reply_to if turn.role == "assistant" and turn.reply_to is not None else turn.id


def in_conversation_order(turns: builtins.list[StoredTurn]) -> builtins.list[StoredTurn]:
    """Turns as the conversation reads: a reply follows its question even when other
    messages were queued in between."""
    return sorted(turns, key=lambda t: (anchor(t), t.role == "assistant", t.id))


def _conversation(row: Row) -> Conversation:
    return Conversation(
        id=row["id"],
        guild_id=row["guild_id"],
        thread_id=row["thread_id"],
        parent_id=row["parent_id"],
        owner_id=row["owner_id"],
        persona_name=row["persona_name"],
        system_text=row["system_text"],
        model=row["model"],
        private=bool(row["private"]),
        active=bool(row["active"]),
        created_at=row["created_at"],
        style_id=row["style_id"],
    )


def _turn(row: Row) -> StoredTurn:
    return StoredTurn(**{name: row[name] for name in StoredTurn.__slots__})


class ChatRepository:
    """Reads and writes the ``chat_*`` tables."""

    def __init__(self, db: Database, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._db = db
        self._clock = clock

    # --- personas -----------------------------------------------------------------------------

    async def save_persona(self, persona: Persona, *, by_user_id: int) -> None:
        """Insert or replace the guild's persona of that name (case-insensitive)."""
        await self._db.execute(
            "INSERT INTO chat_personas (guild_id, name, system_text, greeting, default_model,"
            " created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, name) DO UPDATE SET system_text = excluded.system_text,"
            " greeting = excluded.greeting, default_model = excluded.default_model,"
            " updated_at = excluded.updated_at",
            (
                persona.guild_id,
                persona.name,
                persona.system_text,
                persona.greeting,
                persona.default_model,
                by_user_id,
                self._clock.time(),
            ),
        )

    async def get_persona(self, guild_id: int, name: str) -> Persona | None:
        row = await self._db.fetchone(
            "SELECT * FROM chat_personas WHERE guild_id = ? AND name = ? COLLATE NOCASE",
            (guild_id, name),
        )
        return None if row is None else _persona(row)

    async def list_personas(self, guild_id: int) -> builtins.list[Persona]:
        rows = await self._db.fetchall(
            "SELECT * FROM chat_personas WHERE guild_id = ? ORDER BY name COLLATE NOCASE",
            (guild_id,),
        )
        return [_persona(row) for row in rows]

    async def remove_persona(self, guild_id: int, name: str) -> bool:
        removed = await self._db.execute(
            "DELETE FROM chat_personas WHERE guild_id = ? AND name = ? COLLATE NOCASE",
            (guild_id, name),
        )
        return removed > 0

    # --- guild switch -------------------------------------------------------------------------

    async def enabled(self, guild_id: int) -> bool:
        """Whether /chat is on in the guild (on unless a moderator switched it off)."""
        row = await self._db.fetchone(
            "SELECT enabled FROM chat_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return row is None or bool(row[0])

    async def set_enabled(self, guild_id: int, enabled: bool) -> None:
        await self._db.execute(
            "INSERT INTO chat_guild_settings (guild_id, enabled, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET enabled = excluded.enabled,"
            " updated_at = excluded.updated_at",
            (guild_id, int(enabled), self._clock.time()),
        )

    # --- conversations ------------------------------------------------------------------------

    async def create_conversation(
        self,
        *,
        guild_id: int | None,
        thread_id: int,
        parent_id: int | None,
        owner_id: int,
        persona: Persona,
        model: str | None,
        private: bool,
        style_id: str | None = None,
    ) -> Conversation:
        now = self._clock.time()
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO chat_conversations (guild_id, thread_id, parent_id, owner_id,"
                " persona_name, system_text, model, private, created_at, updated_at, style_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    thread_id,
                    parent_id,
                    owner_id,
                    persona.name,
                    persona.system_text,
                    model,
                    int(private),
                    now,
                    now,
                    style_id,
                ),
            )
        assert row is not None
        found = await self.conversation(int(row["id"]))
        assert found is not None
        return found

    async def conversation(self, conversation_id: int) -> Conversation | None:
        row = await self._db.fetchone(
            "SELECT * FROM chat_conversations WHERE id = ?", (conversation_id,)
        )
        return None if row is None else _conversation(row)

    async def by_thread(self, thread_id: int) -> Conversation | None:
        row = await self._db.fetchone(
            "SELECT * FROM chat_conversations WHERE thread_id = ?", (thread_id,)
        )
        return None if row is None else _conversation(row)

    async def end(self, conversation_id: int) -> None:
        await self._db.execute(
            "UPDATE chat_conversations SET active = 0, updated_at = ? WHERE id = ?",
            (self._clock.time(), conversation_id),
        )

    async def with_pending_turns(self) -> builtins.list[int]:
        """Active conversations that have queued turns (to restart their queues)."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT c.id FROM chat_conversations c JOIN chat_turns t"
            " ON t.conversation_id = c.id WHERE c.active = 1 AND t.reply_state = ?",
            (PENDING,),
        )
        return [int(row[0]) for row in rows]

    async def running_turns(self) -> builtins.list[StoredTurn]:
        """User turns of active conversations that a generation is answering."""
        rows = await self._db.fetchall(
            "SELECT t.* FROM chat_turns t JOIN chat_conversations c ON t.conversation_id = c.id"
            " WHERE c.active = 1 AND t.reply_state = ?",
            (RUNNING,),
        )
        return [_turn(row) for row in rows]

    async def purge(self, before: float) -> int:
        """Delete conversations (and their turns) untouched since ``before``."""
        return await self._db.execute(
            "DELETE FROM chat_conversations WHERE updated_at < ?", (before,)
        )

    # --- turns --------------------------------------------------------------------------------

    async def add_turn(
        self,
        conversation_id: int,
        *,
        role: str,
        author_name: str,
        content: str,
        author_id: int | None = None,
        message_id: int | None = None,
        reply_state: str | None = None,
        job_id: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        now = self._clock.time()
        async with self._db.transaction() as tx:
            # DO NOTHING: a second reply to the same job (unique index) is dropped, no id.
            row = await tx.fetchone(
                "INSERT INTO chat_turns (conversation_id, role, author_id, author_name,"
                " message_id, content, reply_state, job_id, reply_to, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (
                    conversation_id,
                    role,
                    author_id,
                    author_name,
                    message_id,
                    content,
                    reply_state,
                    job_id,
                    reply_to,
                    now,
                ),
            )
            await tx.execute(
                "UPDATE chat_conversations SET updated_at = ? WHERE id = ?",
                (now, conversation_id),
            )
        return 0 if row is None else int(row["id"])

    async def turns(self, conversation_id: int) -> builtins.list[StoredTurn]:
        """Every turn, in conversation order (see :func:`in_conversation_order`)."""
        rows = await self._db.fetchall(
            "SELECT * FROM chat_turns WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return in_conversation_order([_turn(row) for row in rows])

    async def turn(self, turn_id: int) -> StoredTurn | None:
        row = await self._db.fetchone("SELECT * FROM chat_turns WHERE id = ?", (turn_id,))
        return None if row is None else _turn(row)

    async def assistant_turn_for_job(self, job_id: int) -> StoredTurn | None:
        row = await self._db.fetchone(
            "SELECT * FROM chat_turns WHERE job_id = ? AND role = 'assistant'", (job_id,)
        )
        return None if row is None else _turn(row)

    async def set_reply_state(self, turn_id: int, state: str, *, job_id: int | None = None) -> None:
        await self._db.execute(
            "UPDATE chat_turns SET reply_state = ?, job_id = COALESCE(?, job_id) WHERE id = ?",
            (state, job_id, turn_id),
        )

    async def requeue(self, turn_id: int) -> None:
        """Answer this turn again: pending, without the job that answered it before (a turn
        left running with a delivered job is taken as answered after a crash)."""
        await self._db.execute(
            "UPDATE chat_turns SET reply_state = ?, job_id = NULL WHERE id = ?", (PENDING, turn_id)
        )

    async def set_payer(self, turn_id: int, user_id: int) -> None:
        """``user_id`` pays the next reply to this turn (stored, so any process bills them)."""
        await self._db.execute(
            "UPDATE chat_turns SET payer_id = ? WHERE id = ?", (user_id, turn_id)
        )

    async def update(self, turn_id: int, **changes: Any) -> None:
        """Change ``content`` and/or ``job_id`` / ``message_id`` of one turn."""
        allowed = {"content", "job_id", "message_id"}
        columns = sorted(set(changes) & allowed)
        if not columns:
            return
        assignments = ", ".join(f"{column} = ?" for column in columns)
        await self._db.execute(
            f"UPDATE chat_turns SET {assignments} WHERE id = ?",  # noqa: S608 (whitelisted)
            (*(changes[column] for column in columns), turn_id),
        )

    async def edit_by_message(self, message_id: int, content: str) -> bool:
        """A user edited a message: the stored turn follows. False if it is no turn."""
        changed = await self._db.execute(
            "UPDATE chat_turns SET content = ? WHERE message_id = ? AND role = 'user'",
            (content, message_id),
        )
        return changed > 0

    async def delete_by_message(self, message_id: int) -> bool:
        """A user deleted a message: forget its turn (a queued one is not answered)."""
        removed = await self._db.execute(
            "DELETE FROM chat_turns WHERE message_id = ? AND role = 'user'"
            " AND reply_state != 'running'",
            (message_id,),
        )
        if removed:
            return True
        # A turn being answered stays until its reply lands, but loses its text.
        changed = await self._db.execute(
            "UPDATE chat_turns SET content = '' WHERE message_id = ? AND role = 'user'",
            (message_id,),
        )
        return changed > 0

    async def clear(self, conversation_id: int) -> int:
        """Forget every turn except one being answered right now (/chat reset)."""
        return await self._db.execute(
            "DELETE FROM chat_turns WHERE conversation_id = ?"
            " AND COALESCE(reply_state, '') != 'running'",
            (conversation_id,),
        )


def _persona(row: Row) -> Persona:
    return Persona(
        guild_id=row["guild_id"],
        name=row["name"],
        system_text=row["system_text"],
        greeting=row["greeting"],
        default_model=row["default_model"],
    )
