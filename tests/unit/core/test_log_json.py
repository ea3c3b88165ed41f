"""LOG_FORMAT=json: one JSON object per line, redacted exactly as the text format is."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator

import pytest

from bot.logging_setup import JsonFormatter, register_secret, setup_logging


@pytest.fixture
def json_output() -> Iterator[io.StringIO]:
    """setup_logging(fmt="json") for the test's duration; yields what its handler wrote."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        setup_logging("DEBUG", fmt="json")
        (handler,) = (h for h in root.handlers if h not in before)
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        yield stream
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)


def read_json(stream: io.StringIO) -> list[dict[str, object]]:
    """The test's own records (the handler is on the root logger: others may log meanwhile)."""
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [entry for entry in entries if entry["logger"] == "bot.test"]


def test_each_record_is_one_json_object_with_the_fixed_fields(
    json_output: io.StringIO,
) -> None:
    logging.getLogger("bot.test").warning("two\nlines %d", 2)
    (entry,) = read_json(json_output)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.test"
    assert entry["message"] == "two\nlines 2"
    assert str(entry["time"]).endswith("+00:00")


def test_error_id_and_job_id_come_from_extra(
    json_output: io.StringIO,
) -> None:
    logging.getLogger("bot.test").error(
        "failed", extra={"error_id": "a1b2c3d4", "job_id": 42, "unrelated": "x"}
    )
    (entry,) = read_json(json_output)
    assert entry["error_id"] == "a1b2c3d4"
    assert entry["job_id"] == 42
    assert "unrelated" not in entry


def test_secrets_are_redacted_in_message_traceback_and_extra(json_output: io.StringIO) -> None:
    secret = f"json-{secrets.token_urlsafe(16)}"
    register_secret(secret)
    log = logging.getLogger("bot.test")
    try:
        raise ValueError(f"bad key {secret}")
    except ValueError:
        log.exception("apikey=%s", secret, extra={"job_id": f"job-{secret}"})
    log.info("headers %s", {"apikey": "abcdefghijkl"})
    text = json_output.getvalue()
    assert secret not in text
    assert "abcdefghijkl" not in text
    first, second = read_json(json_output)
    assert first["message"] == "apikey=[REDACTED]"
    assert "ValueError: bad key [REDACTED]" in str(first["exception"])
    assert first["job_id"] == "job-[REDACTED]"
    assert second["message"] == "headers {'apikey': '[REDACTED]'}"


def test_a_record_made_without_the_factory_is_redacted_too() -> None:
    secret = f"direct-{secrets.token_urlsafe(16)}"
    register_secret(secret)
    record = logging.makeLogRecord(
        {"name": "q", "levelno": 20, "levelname": "INFO", "msg": "k %s", "args": (secret,)}
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.handle(record)
    assert json.loads(stream.getvalue())["message"] == "k [REDACTED]"
