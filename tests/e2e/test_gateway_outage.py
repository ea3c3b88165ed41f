"""The Discord gateway drops or refuses connections while REST keeps answering (issue 17).

discord.py reconnects by itself and logs every failed attempt with a traceback; the bot turns
each expected one into a single plain line (``bot/logging_gateway.py``) and keeps a traceback,
once and under an error id, only for a fault that is not a network fault. The gateway is
refused with HTTP answers (503: an outage; 400: something unexpected) so that every refusal is
exactly one of discord.py's attempts (a cut connection is retried once inside aiohttp).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess, running_child
from tests.e2e.generate_support import FERNET_KEY, MODEL, final, generate, make_world
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

pytestmark = pytest.mark.slow

DOWN = re.compile(
    r"Discord gateway connection of shard 0 is down \(the gateway answered HTTP 503\); "
    r"retrying in \d+\.\d s\."
)
UNEXPECTED = re.compile(
    r"Unexpected error (?P<id>[0-9a-f]{8}) in the Discord gateway connection of shard 0; "
    r"retrying in \d+\.\d s\."
)


async def outage(discord_fake: FakeDiscord, *, refusals: int, status: int = 503) -> None:
    """Cut the bot's gateway connection, refuse its next ``refusals`` attempts, wait until it
    has identified again."""
    gateway = discord_fake.gateway
    identified = gateway.identify_count
    gateway.refuse(refusals, status=status)
    gateway.drop()
    await discord_fake.wait_for(lambda: gateway.identify_count > identified, timeout=30)
    assert gateway.refusals == 0


async def serves_generate(discord_fake: FakeDiscord, fake_horde: FakeHorde) -> None:
    world = make_world(discord_fake)
    fake_horde.add_worker("w1", models=[MODEL], seconds_per_job=0.2)
    ia = await generate(discord_fake, world.alice, world.channel, "After the outage")
    msg = await final(ia, timeout=15)
    assert "reply to: After the outage" in msg.embeds[0]["description"]


def bot_child(discord_fake: FakeDiscord, fake_horde: FakeHorde, data_dir: Path, **env: str):
    return running_child(
        discord_fake.base_url, fake_horde.base_url, data_dir, ENCRYPTION_KEY=FERNET_KEY, **env
    )


async def test_gateway_refused_at_start_and_dropped_later_logs_one_line_per_attempt(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    discord_fake.gateway.refuse(1, status=503)  # REST answers, the first gateway connect fails
    async with bot_child(discord_fake, fake_horde, tmp_path) as proc:
        await outage(discord_fake, refusals=2)
        await serves_generate(discord_fake, fake_horde)
    assert discord_fake.gateway.refused == 3
    assert_plain(proc, expected_lines=3)


async def test_json_logs_one_object_per_attempt_and_an_error_id_for_the_unexpected(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, tmp_path: Path
) -> None:
    async with bot_child(discord_fake, fake_horde, tmp_path, LOG_FORMAT="json") as proc:
        await outage(discord_fake, refusals=1)
        await outage(discord_fake, refusals=1, status=400)  # not an outage: a surprise
        await serves_generate(discord_fake, fake_horde)
    entries = [json.loads(line) for line in proc.lines]  # every line is one JSON object
    down = [e for e in entries if DOWN.fullmatch(e["message"])]
    assert [(e["level"], e["logger"]) for e in down] == [("WARNING", "discord.shard")]
    assert "exception" not in down[0]
    surprises = [e for e in entries if "Unexpected error" in e["message"]]
    assert len(surprises) == 1, surprises
    found = UNEXPECTED.fullmatch(surprises[0]["message"])
    assert found is not None, surprises[0]["message"]
    assert surprises[0]["error_id"] == found["id"]
    assert surprises[0]["level"] == "ERROR"
    assert "WSServerHandshakeError: 400" in surprises[0]["exception"]  # its traceback, once
    tracebacks = [e for e in entries if "exception" in e]
    assert tracebacks == surprises


def assert_plain(proc: BotProcess, *, expected_lines: int) -> None:
    """No traceback at all; exactly ``expected_lines`` plain reconnect lines, as WARNINGs."""
    assert "Traceback" not in proc.output, proc.output
    down = [line for line in proc.lines if "Discord gateway connection" in line]
    assert len(down) == expected_lines, down
    for line in down:
        assert " WARNING  discord.shard: " in line, line
        assert DOWN.fullmatch(line.split("discord.shard: ", 1)[1]), line
    assert not [line for line in proc.lines if " ERROR " in line or " CRITICAL " in line]
