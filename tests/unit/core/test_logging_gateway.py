"""discord.py's reconnect records become one plain line each (``bot/logging_gateway.py``).

The records are logged the way discord.py 2.7 logs them (same logger, same message, same
``exc_info``), through the bot's redacting record factory.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator

import aiohttp
import pytest

from bot.logging_gateway import (
    GatewayReconnectFilter,
    describe_gateway_fault,
    install_gateway_log_filter,
)
from bot.logging_setup import install_redaction


@pytest.fixture
def collected(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The records of discord.py's two loggers, with the bot's filter installed."""
    install_redaction()
    loggers = [logging.getLogger(name) for name in ("discord.shard", "discord.client")]
    before = [(logger.level, list(logger.filters)) for logger in loggers]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    install_gateway_log_filter()
    install_gateway_log_filter()  # idempotent
    try:
        yield caplog
    finally:
        for logger, (level, filters) in zip(loggers, before, strict=True):
            logger.setLevel(level)
            logger.filters[:] = filters


def raised(error: BaseException) -> BaseException:
    """``error`` with a traceback, as discord.py has it when it logs."""
    try:
        raise error
    except BaseException as caught:
        return caught


def refused() -> aiohttp.ClientConnectorError:
    key = aiohttp.client_reqrep.ConnectionKey("gateway.example", 443, True, None, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


def test_shard_reconnect_after_a_refused_connection_is_one_plain_warning(
    collected: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("discord.shard").error(
        "Attempting a reconnect for shard ID %s in %.2fs", 3, 1.234, exc_info=raised(refused())
    )
    (record,) = collected.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "Discord gateway connection of shard 3 is down (cannot connect to gateway.example:443: "
        "connection refused); retrying in 1.2 s."
    )
    assert record.exc_info is None
    assert record.exc_text is None
    assert not hasattr(record, "error_id")


def test_first_connect_of_a_shard_and_an_unsharded_client_are_rewritten_too(
    collected: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("discord.shard").error(
        "Failed to connect for shard_id: %s. Retrying...", 0, exc_info=raised(TimeoutError())
    )
    logging.getLogger("discord.client").error(
        "Attempting a reconnect in %.2fs", 7.5, exc_info=raised(ConnectionResetError())
    )
    assert [r.getMessage() for r in collected.records] == [
        "Discord gateway connection of shard 0 is down (no answer in time); retrying in 5.0 s.",
        "Discord gateway connection is down (the connection was reset); retrying in 7.5 s.",
    ]


def test_an_unexpected_fault_keeps_its_traceback_once_under_an_error_id(
    collected: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("discord.shard").error(
        "Attempting a reconnect for shard ID %s in %.2fs",
        1,
        2.0,
        exc_info=raised(OSError(errno.EMFILE, "Too many open files")),
    )
    (record,) = collected.records
    error_id = getattr(record, "error_id", "")
    assert len(error_id) == 8
    assert record.levelname == "ERROR"
    assert record.getMessage() == (
        f"Unexpected error {error_id} in the Discord gateway connection of shard 1; "
        "retrying in 2.0 s."
    )
    assert record.exc_text is not None
    assert "Too many open files" in record.exc_text


def test_other_records_and_records_without_an_exception_pass_untouched(
    collected: pytest.LogCaptureFixture,
) -> None:
    shard = logging.getLogger("discord.shard")
    shard.error("Attempting a reconnect for shard ID %s in %.2fs", 0, 1.0)
    shard.error("Something else", exc_info=raised(refused()))
    assert [r.getMessage() for r in collected.records] == [
        "Attempting a reconnect for shard ID 0 in 1.00s",
        "Something else",
    ]
    assert collected.records[1].levelname == "ERROR"
    assert collected.records[1].exc_text


def test_the_warning_respects_a_higher_log_level(collected: pytest.LogCaptureFixture) -> None:
    logging.getLogger("discord.shard").setLevel(logging.ERROR)
    logging.getLogger("discord.shard").error(
        "Attempting a reconnect for shard ID %s in %.2fs", 0, 1.0, exc_info=raised(refused())
    )
    assert collected.records == []


def test_a_broken_record_is_passed_on_rather_than_raised() -> None:
    record = logging.LogRecord("discord.shard", logging.ERROR, __file__, 1, "%s %s", (1,), None)
    record.raised_exception = refused()
    assert GatewayReconnectFilter().filter(record) is True


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            aiohttp.WSServerHandshakeError(None, (), status=503),  # type: ignore[arg-type]
            "the gateway answered HTTP 503",
        ),
        (aiohttp.ServerDisconnectedError(), "the server closed the connection"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "network is unreachable"),
    ],
)
def test_gateway_faults_are_described_in_a_phrase(error: BaseException, reason: str) -> None:
    assert describe_gateway_fault(error) == reason
