"""An event handler that raises is logged once, at ERROR, with its traceback and an error id."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from bot.logging_setup import JsonFormatter
from tests.e2e.boom_cog import EVENT_BOOM
from tests.e2e.botkit import bot_running, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde


async def test_an_event_handler_error_is_logged_once_with_an_error_id(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = make_world(discord_fake)

    def event_errors() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "kaboom in on_message" in (r.exc_text or "")]

    async with bot_running(discord_fake, fake_horde, tmp_path, "tests.e2e.boom_cog"):
        await discord_fake.user_message(
            discord_fake.dm_channel(world.alice), EVENT_BOOM, user=world.alice
        )
        await discord_fake.wait_for(lambda: event_errors() or None, 5)
    (record,) = event_errors()
    assert record.levelno == logging.ERROR
    assert record.name == "bot.bot"
    error_id = getattr(record, "error_id", None)
    assert isinstance(error_id, str)
    assert re.fullmatch(r"[0-9a-f]{8}", error_id)
    assert record.getMessage() == f"Unexpected error {error_id} in the on_message event handler"
    assert "Traceback" in (record.exc_text or "")
    # discord.py's own record (no id) is not written as well.
    assert not [r for r in caplog.records if "Ignoring exception" in r.getMessage()]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["error_id"] == error_id
    assert entry["level"] == "ERROR"
    assert "kaboom in on_message" in str(entry["exception"])
