"""/login, /logout, /help and the central error path, through the real discord.py client."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.e2e.botkit import bot_running, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

ACCOUNT = ("cogs.account", "cogs.help")
KEY_FIELD = "horde-apikey"


def db_bytes(tmp_path: Path) -> bytes:
    """Every byte of the SQLite files (main database, WAL and shared memory)."""
    return b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*"))


async def login(discord_fake: FakeDiscord, user, channel, key: str):
    opened = await discord_fake.send_slash("login", {}, user=user, channel=channel)
    await opened.wait_for_response()
    submitted = await discord_fake.submit_modal(opened, {KEY_FIELD: key}, user=user)
    reply = await submitted.wait_for_original(lambda m: not m.loading)
    return opened, submitted, reply


async def test_commands_are_synced_once_and_not_again_when_unchanged(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        pass
    names = {c["name"] for c in discord_fake.synced_commands["global"]}
    assert {"login", "logout", "help"} <= names
    assert discord_fake.sync_count == 1
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        pass
    assert discord_fake.sync_count == 1


async def test_login_opens_a_modal_with_an_empty_key_field(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        ia = await discord_fake.send_slash("login", {}, user=world.alice, channel=world.channel)
        assert await ia.wait_for_response() == 9
    assert ia.modal is not None
    assert KEY_FIELD in str(ia.modal)
    assert '"value"' not in str(ia.modal).replace("'", '"')


async def test_valid_key_is_stored_encrypted_and_the_reply_names_the_horde_user(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    user = fake_horde.add_user("alice", apikey="alice-secret-key-123", kudos=50.0)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        _, submitted, reply = await login(discord_fake, world.alice, world.channel, user.apikey)
        stored = await bot.services.accounts.get(world.alice.id)
    assert submitted.ephemeral
    assert user.username in reply.content
    assert user.apikey not in reply.text()
    assert stored is not None
    assert (stored.apikey, stored.horde_username) == (user.apikey, user.username)
    assert user.apikey.encode() not in db_bytes(tmp_path)


async def test_unknown_key_is_refused_and_nothing_is_stored(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        _, submitted, reply = await login(
            discord_fake, world.alice, world.channel, "not-a-real-key-000"
        )
        assert await bot.services.accounts.count() == 0
    assert submitted.ephemeral
    assert "does not recognise" in reply.content


async def test_unreachable_horde_says_try_again_and_stores_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    user = fake_horde.add_user("alice", apikey="alice-secret-key-123")
    fake_horde.inject_fault(method="GET", path_prefix="/v2/find_user", kind="503", count=10)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        _, _, reply = await login(discord_fake, world.alice, world.channel, user.apikey)
        assert await bot.services.accounts.count() == 0
    assert "cannot be reached" in reply.content


async def test_anonymous_key_is_not_registered(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        _, _, reply = await login(discord_fake, world.alice, world.channel, "0000000000")
        assert await bot.services.accounts.count() == 0
    assert "anonymous" in reply.content


async def test_second_login_replaces_the_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    first = fake_horde.add_user("alice", apikey="alice-secret-key-123")
    second = fake_horde.add_user("alt", apikey="alt-secret-key-4567")
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        await login(discord_fake, world.alice, world.channel, first.apikey)
        _, _, reply = await login(discord_fake, world.alice, world.channel, second.apikey)
        stored = await bot.services.accounts.get(world.alice.id)
        assert await bot.services.accounts.count() == 1
    assert second.username in reply.content
    assert stored is not None
    assert stored.apikey == second.apikey


async def test_logout_removes_the_key_and_its_ciphertext_from_the_database_files(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    user = fake_horde.add_user("alice", apikey="alice-secret-key-123")
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT) as bot:
        await login(discord_fake, world.alice, world.channel, user.apikey)
        row = await bot.services.db.fetchone("SELECT * FROM accounts")
        assert row is not None
        ciphertexts = [v for v in tuple(row) if isinstance(v, str) and v.startswith("gAAAA")]
        assert ciphertexts, "the key should be stored as a Fernet token"
        ia = await discord_fake.send_slash("logout", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
        assert await bot.services.accounts.get(world.alice.id) is None
    assert ia.ephemeral
    assert "deleted" in ia.original().content
    raw = db_bytes(tmp_path)
    assert user.apikey.encode() not in raw
    assert all(c.encode() not in raw for c in ciphertexts)


async def test_logout_without_a_key_says_so(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        ia = await discord_fake.send_slash("logout", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    assert "no Horde API key" in ia.original().content


async def test_debug_logs_of_every_logger_never_hold_the_typed_key(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(discord_fake)
    user = fake_horde.add_user("alice", apikey="alice-secret-key-123")
    typed_wrong = "typed-but-wrong-key-987"
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        await login(discord_fake, world.alice, world.channel, typed_wrong)
        await login(discord_fake, world.alice, world.channel, user.apikey)
        ia = await discord_fake.send_slash("logout", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    assert any(r.name.startswith("discord.") for r in caplog.records), "discord.py logged"
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert user.apikey not in text
    assert typed_wrong not in text
    assert "fake-discord-token" not in text


async def test_help_lists_every_loaded_command(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, *ACCOUNT):
        ia = await discord_fake.send_slash("help", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    text = ia.original().text()
    assert ia.ephemeral
    for name in ("/login", "/logout", "/help"):
        assert name in text


async def test_unexpected_error_is_answered_with_an_id_that_is_in_the_log(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, "tests.e2e.boom_cog"):
        ia = await discord_fake.send_slash("boom", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_response()
    match = re.search(r"error id `([0-9a-f]+)`", ia.original().content)
    assert match is not None
    assert ia.ephemeral
    assert any(match.group(1) in r.getMessage() and r.exc_text for r in caplog.records)
    assert "kaboom" in caplog.text


async def test_error_after_defer_replaces_the_thinking_message(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    async with bot_running(discord_fake, fake_horde, tmp_path, "tests.e2e.boom_cog"):
        ia = await discord_fake.send_slash("slowboom", {}, user=world.alice, channel=world.channel)
        msg = await ia.wait_for_original(lambda m: not m.loading)
    assert "Something went wrong" in msg.content
    assert discord_fake.unhandled == []
