"""The /workers manage panel outlives its process: opened in one ``python -m bot``, pressed
after that process was killed (SIGKILL) and another started on the same database."""

from __future__ import annotations

import signal
from pathlib import Path

from bot.secrets import KeyVault
from bot.storage.accounts import AccountRepository
from bot.storage.database import Database
from tests.e2e.bot_process import running_child
from tests.e2e.botkit import make_world
from tests.e2e.generate_support import FERNET_KEY
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.horde import FakeHorde
from tests.fakes.horde.models import User


async def register_key(data_dir: Path, member_id: int, user: User) -> None:
    """What /login stores, written before the bot starts (same encryption key as the bot)."""
    db = await Database.open(data_dir / "bot.db")
    try:
        accounts = AccountRepository(db, KeyVault([FERNET_KEY]))
        await accounts.save(member_id, user.apikey, user.id, user.username)
    finally:
        await db.close()


async def test_a_panel_opened_before_a_restart_works_after_it(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    world = make_world(discord_fake)
    alice = fake_horde.add_user("alice")
    worker = fake_horde.add_worker("alice-box", owner=alice)
    worker.maintenance = True
    await register_key(tmp_path, world.alice.id, alice)

    def child():  # type: ignore[no-untyped-def]
        urls = (discord_fake.base_url, fake_horde.base_url)
        return running_child(*urls, tmp_path, ENCRYPTION_KEY=FERNET_KEY)

    async with child() as first:
        ia = await discord_fake.send_slash(
            "workers manage", {"worker": worker.id}, user=world.alice, channel=world.channel
        )
        panel = await ia.wait_for_original(lambda m: "Maintenance off" in m.buttons(), 10)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    async with child():
        refused = await discord_fake.click(panel, label="Maintenance off", user=world.bob)
        note = await refused.wait_for_original(lambda m: bool(m.content), 10)
        assert worker.maintenance  # the other member's press changed nothing
        await discord_fake.click(panel, label="Maintenance off", user=world.alice)

        def changed() -> FakeMessage | None:
            shown = discord_fake.messages[panel.id]
            return shown if "Maintenance: **off**" in shown.text() else None

        shown = await discord_fake.wait_for(changed, 10)
    assert "Only the member who ran this command" in note.content
    assert not worker.maintenance
    assert "The Horde answered" in shown.text()
    assert "Maintenance off" in shown.buttons()  # the panel stays usable
