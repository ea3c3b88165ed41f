"""Every end-to-end test runs under the secret guard (``tests/reliability/secret_guard.py``).

All loggers record at DEBUG during the test; at teardown no fake Horde API key, typed key,
Discord token, interaction token or generated encryption key may appear in the captured logs,
exception texts or the bodies the bot sent to the fake Discord.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.bot import HordeBot
from tests.e2e.botkit import World, bot_running, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde
from tests.reliability.secret_guard import SecretGuard, guard_secrets, install_key_recorder

install_key_recorder()


@pytest.fixture(autouse=True)
def secret_guard(request: pytest.FixtureRequest) -> Iterator[SecretGuard]:
    yield from guard_secrets(request.node.funcargs)


@pytest.fixture
def world(discord_fake: FakeDiscord) -> World:
    """A guild with a channel and members (see :func:`tests.e2e.botkit.make_world`)."""
    return make_world(discord_fake)


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest,
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    tmp_path: Path,
    world: World,
) -> AsyncIterator[HordeBot]:
    """A running bot with the one cog named by the test module's ``COG``."""
    async with bot_running(discord_fake, fake_horde, tmp_path, request.module.COG) as running:
        world.bot = running
        yield running
    assert discord_fake.unhandled == []
