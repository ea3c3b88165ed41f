"""Settings from the environment and .env: defaults, one-line errors, precedence."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import (
    ENV_VARS,
    ConfigError,
    PostgresUrl,
    Settings,
    load_settings,
    parse_database_url,
)

TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2.GaBcDe.abcdefghijklmnopqrstuvwxyz01234"
REPO_ROOT = Path(__file__).resolve().parents[3]
# Settings fields whose variable name is not simply the field name in upper case.
FIELD_TO_VAR = {"database": "DATABASE_URL", "encryption_keys": "ENCRYPTION_KEY"}


def settings(**env: str) -> Settings:
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **env})


def config_error(**env: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"DISCORD_TOKEN": TOKEN, **env})
    return info.value


def test_defaults_match_the_documented_ones() -> None:
    s = settings()
    assert (s.horde_api_url, s.horde_default_api_key, s.data_dir) == (
        "https://aihorde.net/api",
        "0000000000",
        Path("data"),
    )
    assert (s.database_path, s.encryption_keys, s.dev_guild_id, s.log_level) == (
        Path("data/bot.db"),
        (),
        None,
        "INFO",
    )
    assert (s.horde_submits_per_second, s.horde_submits_per_minute) == (2, 90)
    assert (s.max_generations_per_user, s.poll_min_seconds, s.poll_max_seconds) == (3, 2, 15)
    assert (s.job_retention_days, s.message_content_intent) == (7, False)
    assert s.generate_default_max_length == 160
    assert s.heartbeat_file == Path("data/heartbeat")
    assert s.horde_client_agent.startswith("horde-text-bot:")


def test_missing_discord_token_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({})
    assert info.value.variable == "DISCORD_TOKEN"
    assert str(info.value).startswith("DISCORD_TOKEN: ")


def test_blank_discord_token_is_missing() -> None:
    with pytest.raises(ConfigError, match=r"^DISCORD_TOKEN: is required"):
        Settings.from_env({"DISCORD_TOKEN": "   "})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DISCORD_TOKEN", "Bot secret-token-value"),
        ("HORDE_API_URL", "ftp://secret-host.example/api"),
        ("HORDE_API_URL", "aihorde.net/api"),
        ("HORDE_API_URL", "https://aihorde.net/api/v2"),
        ("MODEL_REFERENCE_URL", "not-a-url-secretish"),
        ("HORDE_DEFAULT_API_KEY", "two words-secret"),
        ("DATABASE_URL", "postgres://user:secretpw@host/db"),
        ("ENCRYPTION_KEY", "not-a-fernet-key-secret"),
        ("DEV_GUILD_ID", "guild-12345"),
        ("DEV_GUILD_ID", "-5"),
        ("LOG_LEVEL", "LOUD"),
        ("HORDE_SUBMITS_PER_SECOND", "0.0"),
        ("HORDE_SUBMITS_PER_SECOND", "nan"),
        ("HORDE_SUBMITS_PER_MINUTE", "1.5"),
        ("HORDE_SUBMITS_PER_MINUTE", "-3"),
        ("MAX_GENERATIONS_PER_USER", "three"),
        ("POLL_MIN_SECONDS", "-1"),
        ("POLL_MAX_SECONDS", "inf"),
        ("JOB_RETENTION_DAYS", "00"),
        ("MESSAGE_CONTENT_INTENT", "maybe"),
        ("GENERATE_DEFAULT_MAX_LENGTH", "8"),
        ("GENERATE_DEFAULT_MAX_LENGTH", "5000"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable_without_the_value(
    variable: str, value: str
) -> None:
    error = config_error(**{variable: value})
    assert error.variable == variable
    assert str(error).startswith(f"{variable}: ")
    assert "\n" not in str(error)
    assert value not in str(error)


def test_poll_max_below_poll_min_is_an_error() -> None:
    error = config_error(POLL_MIN_SECONDS="10", POLL_MAX_SECONDS="5")
    assert error.variable == "POLL_MAX_SECONDS"


def test_empty_optional_value_means_the_default() -> None:
    assert settings(DEV_GUILD_ID="", LOG_LEVEL=" ", POLL_MIN_SECONDS="") == settings()


def test_horde_api_url_loses_its_trailing_slash() -> None:
    assert settings(HORDE_API_URL="http://127.0.0.1:8080/api/").horde_api_url == (
        "http://127.0.0.1:8080/api"
    )


def test_log_level_is_case_insensitive() -> None:
    assert settings(LOG_LEVEL="debug").log_level == "DEBUG"


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("YES", True), ("0", False)])
def test_message_content_intent_reads_booleans(raw: str, expected: bool) -> None:
    assert settings(MESSAGE_CONTENT_INTENT=raw).message_content_intent is expected


def test_numbers_are_parsed() -> None:
    s = settings(HORDE_SUBMITS_PER_SECOND="0.5", MAX_GENERATIONS_PER_USER="5", DEV_GUILD_ID="42")
    assert (s.horde_submits_per_second, s.max_generations_per_user, s.dev_guild_id) == (0.5, 5, 42)


def test_relative_database_url() -> None:
    assert parse_database_url("sqlite:///var/bot.db") == Path("var/bot.db")


def test_absolute_database_url() -> None:
    assert parse_database_url("sqlite:////srv/bot/bot.db") == Path("/srv/bot/bot.db")


@pytest.mark.parametrize(
    "url", ["sqlite://bot.db", "sqlite:///", "sqlite:///:memory:", "bot.db", "sqlite:///a.db?x=1"]
)
def test_other_database_urls_are_rejected(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^DATABASE_URL: must look like sqlite:///"):
        parse_database_url(url)


def test_database_defaults_to_bot_db_in_data_dir() -> None:
    assert settings(DATA_DIR="/srv/horde").database_path == Path("/srv/horde/bot.db")


def test_heartbeat_defaults_to_data_dir() -> None:
    assert settings(DATA_DIR="state").heartbeat_file == Path("state/heartbeat")


def test_several_encryption_keys_keep_their_order() -> None:
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert settings(ENCRYPTION_KEY=f"{first}, {second}").encryption_keys == (first, second)


def test_bad_second_encryption_key_is_named_by_position_not_value() -> None:
    good = Fernet.generate_key().decode()
    error = config_error(ENCRYPTION_KEY=f"{good},{good[:-2]}")
    assert "key 2" in str(error)
    assert good[:-2] not in str(error)


def test_repr_hides_secrets() -> None:
    key = Fernet.generate_key().decode()
    text = repr(settings(HORDE_DEFAULT_API_KEY="my-own-horde-key", ENCRYPTION_KEY=key))
    assert TOKEN not in text
    assert "my-own-horde-key" not in text
    assert key not in text


def test_secret_values_leave_out_the_anonymous_key() -> None:
    assert settings().secret_values() == (TOKEN,)


def test_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=warning\n")
    assert load_settings(env_file, environ={}).log_level == "WARNING"


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=WARNING\n")
    assert load_settings(env_file, environ={"LOG_LEVEL": "ERROR"}).log_level == "ERROR"


def test_missing_env_file_is_fine(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "absent.env", environ={"DISCORD_TOKEN": TOKEN})
    assert s.discord_token == TOKEN


def test_load_settings_does_not_modify_os_environ(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nHORDE_TEST_ONLY_MARKER=1\n")
    before = dict(os.environ)
    load_settings(env_file, environ={})
    assert dict(os.environ) == before


def test_env_var_table_covers_every_setting() -> None:
    names = {var.name for var in ENV_VARS}
    expected = {
        FIELD_TO_VAR.get(field.name, field.name.upper()) for field in dataclasses.fields(Settings)
    }
    assert names == expected


def test_env_example_documents_every_setting() -> None:
    example = REPO_ROOT / ".env.example"
    assert example.is_file(), ".env.example is missing at the repository root"
    text = example.read_text()
    missing = [
        var.name
        for var in ENV_VARS
        if not re.search(rf"^#?\s*{var.name}=", text, flags=re.MULTILINE)
    ]
    assert missing == []


def test_postgresql_url_is_kept_whole_but_shown_without_its_password() -> None:
    url = "postgresql://horde:pa%2Fss-word@db.example:5432/horde?sslmode=require"
    s = settings(DATABASE_URL=url)
    assert isinstance(s.database, PostgresUrl)
    assert s.database.dsn == url
    assert str(s.database) == "postgresql://horde@db.example:5432/horde"
    assert "pa%2Fss-word" not in repr(s)
    assert s.database_path is None
    assert s.database.password == "pa/ss-word"
    assert {"pa%2Fss-word", "pa/ss-word"} <= set(s.secret_values())


def test_postgresql_password_is_redacted_like_other_secrets() -> None:
    s = settings(DATABASE_URL="postgresql://horde:hunter2-secret@db/horde")
    assert "hunter2-secret" in s.secret_values()
    assert settings().secret_values() == (TOKEN,)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql:///horde", "names no host"),
        ("postgresql://db", "names no database"),
        ("postgresql://db:port/horde", "malformed"),
    ],
)
def test_incomplete_postgresql_urls_are_rejected(url: str, problem: str) -> None:
    error = config_error(DATABASE_URL=url)
    assert error.variable == "DATABASE_URL"
    assert problem in str(error)
