"""``python -m bot`` as a user runs it: configuration errors, login, sync, graceful stop."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess, bot_env, child_env
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

pytestmark = pytest.mark.slow


async def run_to_exit(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = await BotProcess(env, cwd).start()
    try:
        code = await proc.wait(timeout=30)
    finally:
        await proc.kill()
    return code, proc.output


async def test_missing_token_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    code, output = await run_to_exit(child_env({"DATA_DIR": str(tmp_path)}), tmp_path)
    assert code == 2
    assert output.count("\n") == 0, output
    assert "DISCORD_TOKEN" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("POLL_MIN_SECONDS", "soon"),
        ("DATABASE_URL", "postgres://db/bot"),
        ("LOG_LEVEL", "LOUD"),
        ("ENCRYPTION_KEY", "not-a-fernet-key"),
        ("HORDE_API_URL", "ftp://example.invalid"),
    ],
)
async def test_malformed_setting_exits_2_with_one_line_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    env = child_env({"DISCORD_TOKEN": "x" * 30, "DATA_DIR": str(tmp_path), variable: value})
    code, output = await run_to_exit(env, tmp_path)
    assert code == 2
    assert output.count("\n") == 0, output
    assert variable in output
    assert value not in output or variable == "LOG_LEVEL"


async def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=abc\nPOLL_MIN_SECONDS=never\n")
    code, output = await run_to_exit(
        child_env({"DATA_DIR": str(tmp_path), "POLL_MIN_SECONDS": "bad-from-env"}), tmp_path
    )
    assert code == 2
    assert "POLL_MIN_SECONDS" in output


async def test_rejected_token_exits_1_with_a_clear_line(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    env = child_env(
        bot_env(tmp_path, fake_horde.base_url, DISCORD_TOKEN="wrong-token"),
        fake_discord_url=discord_fake.base_url,
    )
    code, output = await run_to_exit(env, tmp_path)
    assert code == 1
    assert "Discord rejected DISCORD_TOKEN" in output
    assert "Traceback" not in output
    assert "wrong-token" not in output


async def test_bot_connects_syncs_commands_and_stops_cleanly_on_sigterm(
    tmp_path: Path, discord_fake: FakeDiscord, fake_horde: FakeHorde
) -> None:
    discord_fake.add_guild("Test Guild")
    env = child_env(bot_env(tmp_path, fake_horde.base_url), fake_discord_url=discord_fake.base_url)
    proc = await BotProcess(env, tmp_path).start()
    try:
        await proc.wait_for_line("Synced")
        await proc.wait_for_line("Logged in as")
        await discord_fake.wait_for(lambda: (tmp_path / "heartbeat").exists(), timeout=10)
        proc.send_signal(signal.SIGTERM)
        code = await proc.wait()
    finally:
        await proc.kill()
    assert code == 0, proc.output
    assert "Shut down cleanly" in proc.output
    assert {"login", "logout", "help"} <= {
        c["name"] for c in discord_fake.synced_commands["global"]
    }
    assert "fake-discord-token" not in proc.output
    assert (tmp_path / "bot.db").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "encryption.key").exists() is False  # ENCRYPTION_KEY was given
