"""Secrets at rest and in use: database files, whose key pays, /logout, and the guard itself.

The per-test guard (``secret_guard.py``, autouse here and in ``tests/e2e``) checks logs,
exception texts and Discord bodies; these tests check what the guard cannot see: the bytes
of the database files (WAL and shared memory included) while the bot runs, their modes, and
which API key each command sends to the Horde.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp

from tests.e2e.generate_support import (
    MODEL,
    final,
    generate,
    make_world,
    submits,
)
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeUser
from tests.fakes.horde import FakeHorde
from tests.reliability.bad_input_support import catalogue_bot
from tests.reliability.secret_guard import SecretGuard, known_secrets
from tests.reliability.support import expect

KEY_FIELD = "horde-apikey"


def db_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("bot.db*"))


def raw_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_files(data_dir))


async def login(discord_fake: FakeDiscord, user: FakeUser, channel: FakeChannel, key: str) -> None:
    opened = await discord_fake.send_slash("login", {}, user=user, channel=channel)
    await opened.wait_for_response()
    submitted = await discord_fake.submit_modal(opened, {KEY_FIELD: key}, user=user)
    await submitted.wait_for_original(lambda m: "Logged in" in m.content)


async def test_database_files_never_hold_a_secret_in_plaintext_and_are_private(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", kudos=1000.0)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=1.0)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path):
        await login(discord_fake, world.alice, world.channel, alice_h.apikey)
        ia = await generate(discord_fake, world.alice, world.channel, "Secret test")
        await ia.wait_for_original(lambda m: "worker is writing" in m.content)
        running = raw_bytes(tmp_path)  # mid-generation: key and token stored, WAL in use
        modes = {p.name: p.stat().st_mode & 0o777 for p in db_files(tmp_path)}
        await final(ia)
    secrets = known_secrets([discord_fake, fake_horde])
    expect(alice_h.apikey in secrets and ia.token in secrets, "the secrets were not known")
    found = [s[:4] for s in secrets if s.encode() in running or s.encode() in raw_bytes(tmp_path)]
    expect(not found, f"plaintext secrets in the database files: {found}")
    expect(len(modes) == 3, f"expected main, -wal and -shm files: {sorted(modes)}")
    expect(set(modes.values()) == {0o600}, f"modes: { {k: oct(v) for k, v in modes.items()} }")


async def test_a_stored_key_pays_only_for_its_owners_commands(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", kudos=1000.0)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.05)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await login(discord_fake, world.alice, world.channel, alice_h.apikey)
        mine = await generate(discord_fake, world.alice, world.channel, "Alice pays")
        shown = await final(mine)
        theirs = await generate(discord_fake, world.bob, world.channel, "Bob pays")
        await final(theirs)
        pressed = await discord_fake.click(shown, label="Regenerate", user=world.bob)
        await final(pressed)
    keys = submits(fake_horde)
    default = bot.services.settings.horde_default_api_key
    expect(keys == [alice_h.apikey, default, default], f"keys used: {[k[:5] for k in keys]}")


async def test_logout_leaves_neither_key_nor_ciphertext_in_any_database_file(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice_h = fake_horde.add_user("alice", kudos=1000.0)
    async with catalogue_bot(discord_fake, fake_horde, tmp_path) as bot:
        await login(discord_fake, world.alice, world.channel, alice_h.apikey)
        row = await bot.services.db.fetchone("SELECT * FROM accounts")
        assert row is not None
        ciphertexts = [v for v in tuple(row) if isinstance(v, str) and v.startswith("gAAAA")]
        ia = await discord_fake.send_slash("logout", {}, user=world.alice, channel=world.channel)
        await ia.wait_for_original(lambda m: "deleted" in m.content)
        running = raw_bytes(tmp_path)  # before the shutdown checkpoint
    expect(bool(ciphertexts), "the key was not stored as a Fernet token")
    left = [
        c[:8] for c in ciphertexts if c.encode() in running or c.encode() in raw_bytes(tmp_path)
    ]
    expect(not left, f"ciphertext left after /logout: {left}")
    expect(alice_h.apikey.encode() not in running, "plaintext key in the files")


def test_the_guard_catches_a_secret_in_a_log_record() -> None:
    secret = "reliability-unregistered-key-42"
    with SecretGuard() as guard:
        logging.getLogger("tests.reliability").debug("using %s", secret)
    expect(guard.leaks([secret], []) == [f"logs: {secret[:4]}…({len(secret)} chars)"], "missed")


def test_the_guard_catches_a_secret_in_an_exception_repr() -> None:
    secret = "reliability-unregistered-key-43"
    with SecretGuard() as guard:
        try:
            raise RuntimeError(f"boom {secret}")
        except RuntimeError:
            logging.getLogger("tests.reliability").exception("failed")
    expect(bool(guard.leaks([secret], [])), "a secret in a traceback was missed")


async def test_the_guard_catches_a_secret_in_a_message_sent_to_discord(
    discord_fake: FakeDiscord,
) -> None:
    secret = "reliability-unregistered-key-44"
    guild = discord_fake.add_guild("Guard Guild")
    channel = discord_fake.add_channel(guild, "general", nsfw=False)
    headers = {"Authorization": f"Bot {discord_fake.token}"}
    async with aiohttp.ClientSession() as session:
        url = f"{discord_fake.rest_url}/channels/{channel.id}/messages"
        await session.post(url, json={"content": f"key: {secret}"}, headers=headers)
    leaks = SecretGuard().leaks([secret], [discord_fake])
    expect(leaks == [f"discord bodies: {secret[:4]}…({len(secret)} chars)"], f"{leaks}")


def test_the_guard_catches_a_secret_only_a_json_log_line_would_print() -> None:
    secret = "reliability-unregistered-key-45"
    with SecretGuard() as guard:
        logging.getLogger("tests.reliability").info("job done", extra={"job_id": secret})
    assert secret not in guard.log_text()
    expect(guard.leaks([secret], []) == [f"logs: {secret[:4]}…({len(secret)} chars)"], "missed")


def test_the_guard_checks_watched_text() -> None:
    secret = "reliability-unregistered-key-46"
    with SecretGuard() as guard:
        guard.watch("metrics", f'horde_bot_x{{key="{secret}"}} 1')
    expect(guard.leaks([secret], []) == [f"metrics: {secret[:4]}…({len(secret)} chars)"], "missed")
