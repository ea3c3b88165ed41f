"""The chat tables: personas per guild, conversation order, edits, deletions, reset, purge."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage.chat import ChatRepository, Conversation, Persona
from bot.storage.database import Database
from tests.fakes.horde.clock import OffsetClock


@pytest.fixture
async def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def repo(database_url: str, clock: OffsetClock) -> AsyncIterator[ChatRepository]:
    db = await Database.open(database_url)
    try:
        yield ChatRepository(db, clock=clock)
    finally:
        await db.close()


PIRATE = Persona(1, "Pirate", "You are a pirate.", "Ahoy!", "koboldcpp/m")


async def _conversation(repo: ChatRepository, thread_id: int = 100) -> Conversation:
    return await repo.create_conversation(
        guild_id=1, thread_id=thread_id, parent_id=10, owner_id=5,
        persona=PIRATE, model="m", private=False,
    )  # fmt: skip


async def _user(repo: ChatRepository, conv: int, message_id: int, text: str) -> int:
    return await repo.add_turn(
        conv, role="user", author_name="alice", author_id=5, message_id=message_id,
        content=text, reply_state="pending",
    )  # fmt: skip


async def test_persona_names_are_unique_per_guild_ignoring_case(repo: ChatRepository) -> None:
    await repo.save_persona(PIRATE, by_user_id=5)
    await repo.save_persona(Persona(1, "PIRATE", "Changed."), by_user_id=5)
    personas = await repo.list_personas(1)
    assert [p.system_text for p in personas] == ["Changed."]


async def test_personas_of_another_guild_are_separate(repo: ChatRepository) -> None:
    await repo.save_persona(PIRATE, by_user_id=5)
    assert await repo.get_persona(2, "pirate") is None
    assert await repo.get_persona(1, "pirate") == PIRATE


async def test_removed_persona_is_gone(repo: ChatRepository) -> None:
    await repo.save_persona(PIRATE, by_user_id=5)
    assert await repo.remove_persona(1, "pirate")
    assert not await repo.remove_persona(1, "pirate")


async def test_reply_follows_its_question_even_after_later_turns(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    first = await _user(repo, conv.id, 1, "first")
    await _user(repo, conv.id, 2, "second")
    await repo.add_turn(
        conv.id, role="assistant", author_name="Pirate", content="reply", job_id=7, reply_to=first
    )
    assert [t.content for t in await repo.turns(conv.id)] == ["first", "reply", "second"]


async def test_assistant_turn_is_stored_once_per_job(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    for _ in range(2):
        await repo.add_turn(conv.id, role="assistant", author_name="P", content="x", job_id=7)
    assert len(await repo.turns(conv.id)) == 1


async def test_edit_changes_the_stored_user_turn(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    await _user(repo, conv.id, 11, "typo")
    assert await repo.edit_by_message(11, "fixed")
    assert [t.content for t in await repo.turns(conv.id)] == ["fixed"]


async def test_deleted_message_removes_its_turn(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    await _user(repo, conv.id, 11, "oops")
    assert await repo.delete_by_message(11)
    assert await repo.turns(conv.id) == []


async def test_deleting_a_turn_being_answered_keeps_it_without_text(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    turn = await _user(repo, conv.id, 11, "oops")
    await repo.set_reply_state(turn, "running", job_id=3)
    assert await repo.delete_by_message(11)
    assert [(t.content, t.reply_state) for t in await repo.turns(conv.id)] == [("", "running")]


async def test_clear_keeps_only_the_turn_being_answered(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    await _user(repo, conv.id, 11, "old")
    running = await _user(repo, conv.id, 12, "now")
    await repo.set_reply_state(running, "running")
    await repo.clear(conv.id)
    assert [t.content for t in await repo.turns(conv.id)] == ["now"]


async def test_pending_turns_are_found_after_a_restart(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    other = await _conversation(repo, thread_id=200)
    await _user(repo, conv.id, 11, "waiting")
    await repo.add_turn(other.id, role="assistant", author_name="P", content="greeting")
    assert await repo.with_pending_turns() == [conv.id]


async def test_ended_conversations_have_no_queue(repo: ChatRepository) -> None:
    conv = await _conversation(repo)
    await _user(repo, conv.id, 11, "waiting")
    await repo.end(conv.id)
    assert await repo.with_pending_turns() == []


async def test_purge_removes_old_conversations_and_their_turns(
    repo: ChatRepository, clock: OffsetClock
) -> None:
    old = await _conversation(repo)
    await _user(repo, old.id, 11, "ancient")
    clock.advance(10 * 86400)
    fresh = await _conversation(repo, thread_id=200)
    assert await repo.purge(clock.time() - 7 * 86400) == 1
    assert await repo.conversation(old.id) is None
    assert await repo.turns(old.id) == []
    assert await repo.conversation(fresh.id) is not None


async def test_the_member_who_pressed_pays_the_next_reply_whoever_reads_it(
    repo: ChatRepository,
) -> None:
    conv = await _conversation(repo)
    turn = await _user(repo, conv.id, 1, "hi")
    await repo.set_reply_state(turn, "answered", job_id=7)
    await repo.set_payer(turn, 2**62)  # a Discord-sized id
    await repo.requeue(turn)
    stored = await repo.turn(turn)
    assert stored is not None
    assert (stored.payer_id, stored.reply_state, stored.job_id) == (2**62, "pending", None)
