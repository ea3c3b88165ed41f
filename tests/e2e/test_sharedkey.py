"""/sharedkey create|list|edit|delete through both fakes.

The new key is shown once, privately, and never stored: the secret guard watches every shared
key the fake Horde made and allows the new one in exactly one Discord body (the private reply).
"""

from __future__ import annotations

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, log_in, view_ready
from tests.fakes.discord import FakeDiscord, FakeMessage, FakeUser
from tests.fakes.horde import FakeHorde, User
from tests.reliability.secret_guard import SecretGuard

# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.sharedkey"


@pytest.fixture
async def alice_h(bot: HordeBot, world: World, fake_horde: FakeHorde) -> User:
    horde_user = fake_horde.add_user("alice")
    await log_in(bot, world.alice, horde_user)
    return horde_user


async def sk(
    discord_fake: FakeDiscord,
    world: World,
    command: str,
    user: FakeUser | None = None,
    **options: object,
) -> FakeMessage:
    ia = await discord_fake.send_slash(
        f"sharedkey {command}", options, user=user or world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: not m.loading and bool(m.content))
    assert msg.ephemeral
    return msg


async def test_create_shows_the_key_once_and_the_bot_keeps_nothing(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    world: World,
    alice_h: User,
    bot: HordeBot,
    secret_guard: SecretGuard,
) -> None:
    msg = await sk(discord_fake, world, "create", name="party", kudos=300, max_text_tokens=200)
    (key,) = fake_horde.records.keys_of(alice_h)
    secret_guard.shown_once(key.id)
    assert key.id in msg.content
    assert "only time it is shown" in msg.content
    assert (key.name, key.kudos, key.max_text_tokens, key.expiry) == ("party", 300, 200, None)
    db = b"".join(p.read_bytes() for p in bot.services.settings.data_dir.glob("bot.db*"))
    assert key.id.encode() not in db
    listed = await sk(discord_fake, world, "list")
    assert "**party** — 300 of 300 kudos left, never expires" in listed.content
    assert key.id not in listed.content


@pytest.mark.usefixtures("bot")
async def test_without_login_nothing_is_sent(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await sk(discord_fake, world, "create", name="party")
    assert "/login" in msg.content
    msg = await sk(discord_fake, world, "list")
    assert "/login" in msg.content
    assert fake_horde.requests_to("/v2/sharedkeys", "PUT") == []
    assert fake_horde.requests_to("/v2/find_user", "GET") == []


@pytest.mark.usefixtures("alice_h")
async def test_a_fourth_key_is_refused_in_plain_words(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice_h: User
) -> None:
    for i in range(3):
        fake_horde.records.add_shared_key(alice_h, name=f"key {i}")
    msg = await sk(discord_fake, world, "create", name="fourth")
    assert "as many shared keys as it may" in msg.content
    assert len(fake_horde.records.keys_of(alice_h)) == 3


async def test_edit_changes_the_named_key_and_refuses_an_empty_edit(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice_h: User
) -> None:
    key = fake_horde.records.add_shared_key(alice_h, name="party", kudos=100)
    msg = await sk(discord_fake, world, "edit", key="party")
    assert "Nothing to change" in msg.content
    msg = await sk(discord_fake, world, "edit", key="party", kudos=900, name="bigger party")
    assert "**bigger party** — 900 of 900 kudos left" in msg.content
    assert (key.name, key.kudos) == ("bigger party", 900)
    msg = await sk(discord_fake, world, "edit", key="nope", kudos=1)
    assert "no shared key called `nope`" in msg.content


async def test_autocomplete_names_keys_without_ids_and_is_cached(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice_h: User
) -> None:
    fake_horde.records.add_shared_key(alice_h, name="party")
    fake_horde.records.add_shared_key(alice_h)
    choices = await discord_fake.autocomplete(
        "sharedkey delete", {"key": ""}, focused="key", user=world.alice, channel=world.channel
    )
    assert [c["value"] for c in choices] == ["party", "unnamed 1"]
    before = len(fake_horde.requests_to("/v2/find_user", "GET"))
    assert before == 1
    for typed in ("p", "pa", "par"):
        await discord_fake.autocomplete(
            "sharedkey delete",
            {"key": typed},
            focused="key",
            user=world.alice,
            channel=world.channel,
        )
    assert len(fake_horde.requests_to("/v2/find_user", "GET")) == before


async def test_delete_asks_to_confirm_and_only_the_owner_may(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice_h: User
) -> None:
    key = fake_horde.records.add_shared_key(alice_h, name="party")
    ia = await discord_fake.send_slash(
        "sharedkey delete", {"key": "party"}, user=world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: "Confirm" in m.buttons())
    assert "Delete the shared key **party**?" in msg.content
    assert key.id in fake_horde.records.shared_keys  # nothing changed before Confirm
    await view_ready(world, discord_fake, msg)
    await discord_fake.click(msg, label="Confirm", user=world.alice)
    done = await ia.wait_for_original(lambda m: "Deleted" in m.content)
    assert done.buttons() == []
    assert key.id not in fake_horde.records.shared_keys


async def test_cancel_leaves_the_key(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, alice_h: User
) -> None:
    key = fake_horde.records.add_shared_key(alice_h, name="party")
    ia = await discord_fake.send_slash(
        "sharedkey delete", {"key": "party"}, user=world.alice, channel=world.channel
    )
    msg = await ia.wait_for_original(lambda m: "Confirm" in m.buttons())
    await view_ready(world, discord_fake, msg)
    await discord_fake.click(msg, label="Cancel", user=world.alice)
    await ia.wait_for_original(lambda m: "nothing changed" in m.content)
    assert key.id in fake_horde.records.shared_keys
