"""The operations settings: STARTUP_RETRY_SECONDS, SHUTDOWN_TIMEOUT_SECONDS, LOG_FORMAT,
METRICS_LISTEN."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings

TOKEN = "x" * 30


def settings(**env: str) -> Settings:
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **env})


def test_defaults_retry_forever_text_logs_and_no_metrics() -> None:
    s = settings()
    assert s.startup_retry_seconds is None
    assert s.shutdown_timeout_seconds == 25
    assert s.log_format == "text"
    assert s.metrics_listen is None


@pytest.mark.parametrize(("raw", "value"), [("0", 0.0), ("300", 300.0), ("Forever", None)])
def test_startup_retry_seconds(raw: str, value: float | None) -> None:
    assert settings(STARTUP_RETRY_SECONDS=raw).startup_retry_seconds == value


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("STARTUP_RETRY_SECONDS", "-1"),
        ("STARTUP_RETRY_SECONDS", "soon"),
        ("STARTUP_RETRY_SECONDS", "inf"),
        ("SHUTDOWN_TIMEOUT_SECONDS", "0"),
        ("LOG_FORMAT", "xml"),
        ("METRICS_LISTEN", "9108"),
        ("METRICS_LISTEN", "127.0.0.1:99999"),
        ("METRICS_LISTEN", ":9108"),
    ],
)
def test_bad_values_name_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**{variable: raw})
    assert caught.value.variable == variable


@pytest.mark.parametrize(
    ("raw", "address"),
    [("127.0.0.1:9108", ("127.0.0.1", 9108)), ("[::1]:9200", ("::1", 9200))],
)
def test_metrics_listen(raw: str, address: tuple[str, int]) -> None:
    assert settings(METRICS_LISTEN=raw).metrics_listen == address


def test_log_format_json_is_case_insensitive() -> None:
    assert settings(LOG_FORMAT="JSON").log_format == "json"
