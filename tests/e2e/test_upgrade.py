"""An upgrade: a database written by the previous release, with work in flight, resumes here.

The previous release's schema is built from the migrations in the tree (those up to
:data:`PREVIOUS_SCHEMA`); its rows are written as that release wrote them (raw SQL, its JSON
formats, its ``gen:``/``chat:`` button custom ids). The new code then opens the file (running
any newer migration), resumes a /generate job and a chat turn the Horde is still working on,
and completes both replies.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.horde import HordeClient
from bot.storage.database import MIGRATIONS_DIR, Database, load_migrations
from tests.e2e import chat_support
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde

PREVIOUS_SCHEMA = 3  # user_version of the release before the job-kind seam
MODEL = chat_support.MODEL


async def previous_release_database(path: Path, tmp: Path) -> Database:
    """The schema exactly as the previous release's migrations left it."""
    older = tmp / "previous-migrations"
    older.mkdir()
    for migration in load_migrations(MIGRATIONS_DIR):
        if migration.version <= PREVIOUS_SCHEMA:
            shutil.copy(MIGRATIONS_DIR / migration.name, older / migration.name)
    db = await Database.open(path, migrations_dir=older)
    assert await db.user_version() == PREVIOUS_SCHEMA
    return db


async def submit_on_the_horde(horde: FakeHorde, prompt: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        HordeClient(base_url=horde.base_url, session=session, apikey="0000000000") as client,
    ):
        sent = await client.generate_async(prompt, models=[MODEL], params={"max_length": 40})
    assert sent.id is not None
    return sent.id


async def bot_message(
    discord_fake: FakeDiscord, channel: FakeChannel, content: str, custom_ids: list[str]
) -> FakeMessage:
    """A bot message with buttons, as the previous release left it."""
    buttons = [{"type": 2, "style": 1, "label": cid, "custom_id": cid} for cid in custom_ids]
    payload = {"content": content, "components": [{"type": 1, "components": buttons}]}
    return await discord_fake.create_message(channel, payload, [], author=discord_fake.bot_user)


async def write_generate_job(
    db: Database,
    horde_id: str,
    user: FakeUser,
    channel: FakeChannel,
    reply: FakeMessage,
    now: float,
) -> None:
    """A submitted /generate job whose interaction token was already erased (too old)."""
    await db.execute(
        "INSERT INTO generations (id, kind, state, horde_id, user_id, guild_id, channel_id, "
        "application_id, interaction_token, message_id, private, prompt, params, models, "
        "options, status, generations, context, created_at, submitted_at, polled_at) "
        "VALUES (1, 'generate', 'submitted', ?, ?, ?, ?, NULL, NULL, ?, 0, 'Upgrade me', "
        "?, ?, '{}', NULL, '[]', ?, ?, ?, ?)",
        (
            horde_id,
            user.id,
            channel.guild_id,
            channel.id,
            reply.id,
            json.dumps({"max_length": 40}),
            json.dumps([MODEL]),
            json.dumps({"issued_at": now}),
            now,
            now,
            now,
        ),
    )


async def write_chat_turn(
    db: Database,
    horde_id: str,
    user: FakeUser,
    thread: FakeChannel,
    turn: FakeMessage,
    placeholder: FakeMessage,
    now: float,
) -> None:
    """A conversation whose user turn is being answered by job 2 (context: the old JSON)."""
    await db.execute(
        "INSERT INTO chat_conversations (id, guild_id, thread_id, parent_id, owner_id, "
        "persona_name, system_text, model, private, active, created_at, updated_at) "
        "VALUES (1, ?, ?, ?, ?, 'Assistant', 'You are Assistant.', ?, 0, 1, ?, ?)",
        (thread.guild_id, thread.id, thread.parent_id, user.id, MODEL, now, now),
    )
    await db.execute(
        "INSERT INTO chat_turns (id, conversation_id, role, author_id, author_name, "
        "message_id, content, reply_state, job_id, reply_to, created_at) "
        "VALUES (1, 1, 'user', ?, 'alice', ?, 'still there?', 'running', 2, NULL, ?)",
        (user.id, turn.id, now),
    )
    context = {
        "conversation_id": 1,
        "thread_id": thread.id,
        "turn_id": 1,
        "bot_name": "Assistant",
        "stops": ["\nalice:"],
        "continued": False,
        "placeholder_id": placeholder.id,
        "quote": "still there?",
    }
    await db.execute(
        "INSERT INTO generations (id, kind, state, horde_id, user_id, guild_id, channel_id, "
        "message_id, private, prompt, params, models, options, generations, context, "
        "created_at, submitted_at, polled_at) VALUES (2, 'chat', 'submitted', ?, ?, ?, ?, ?, 0, "
        "'alice: still there?\\nAssistant:', ?, ?, '{}', '[]', ?, ?, ?, ?)",
        (
            horde_id,
            user.id,
            thread.guild_id,
            thread.id,
            placeholder.id,
            json.dumps({"max_length": 40}),
            json.dumps([MODEL]),
            json.dumps(context),
            now,
            now,
            now,
        ),
    )


# The chat reply completes through the chat front end, with or without the /chat cog.
@pytest.mark.parametrize("extensions", [("cogs.chat",), ("cogs.generate",)], ids=str)
async def test_jobs_in_flight_under_the_previous_release_complete_after_the_upgrade(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path, extensions: tuple[str, ...]
) -> None:
    worker = fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    worker.paused = True
    world = chat_support.make_world(discord_fake)
    thread = discord_fake.add_thread(world.channel, "Assistant · alice", owner=world.alice)
    generate_reply = await bot_message(
        discord_fake, world.channel, "⏳ Working…", [f"gen:cancel:1:{world.alice.id}"]
    )
    turn = await discord_fake.user_message(thread, "still there?", user=world.alice)
    placeholder = await bot_message(discord_fake, thread, "⏳ Thinking…", ["chat:cancel:2"])

    db = await previous_release_database(tmp_path / "bot.db", tmp_path)
    try:
        await write_generate_job(
            db,
            await submit_on_the_horde(fake_horde, "Upgrade me"),
            world.alice,
            world.channel,
            generate_reply,
            fake_horde.clock.time(),
        )
        await write_chat_turn(
            db,
            await submit_on_the_horde(fake_horde, "chat"),
            world.alice,
            thread,
            turn,
            placeholder,
            fake_horde.clock.time(),
        )
    finally:
        await db.close()
    worker.paused = False

    async with (
        chat_support.reference_server() as (url, _),
        chat_support.chat_bot(discord_fake, fake_horde, tmp_path, url, extensions) as bot,
    ):
        delivered = await discord_fake.wait_for_message(
            world.channel, lambda m: "your generation" in m.content, 8
        )
        chat_reply = await discord_fake.wait_for(
            lambda: placeholder if "Done" in placeholder.content else None, 8
        )
        turns = await bot.services.chat.repo.turns(1)
    assert delivered.message_reference is not None
    assert int(delivered.message_reference["message_id"]) == generate_reply.id
    assert "Upgrade me" in delivered.embeds[0]["description"]
    assert chat_reply.buttons() == ["Regenerate", "Continue"]
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[1].message_id == placeholder.id
    # Migration 004 moved the token's issue time out of the free-form context.
    with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:
        issued_at, context = conn.execute(
            "SELECT issued_at, context FROM generations WHERE id = 1"
        ).fetchone()
    assert issued_at is not None
    assert "issued_at" not in json.loads(context)
