"""discord.py's own gateway reconnects, logged as one plain line per attempt.

Once connected, discord.py reconnects a dropped gateway connection by itself and logs every
failed attempt at ERROR with the exception's traceback. In discord.py 2.7 those records are:

- ``discord.shard`` "Attempting a reconnect for shard ID 0 in 1.23s" (``Shard._handle_disconnect``:
  a RESUME or a fresh connection failed; the bot is an ``AutoShardedClient``, so this is the
  one seen in practice);
- ``discord.shard`` "Failed to connect for shard_id: 0. Retrying..." (``launch_shard``: the
  first connection of a shard failed; it sleeps a fixed 5 s);
- ``discord.client`` "Attempting a reconnect in 1.23s" (``Client.connect``, unsharded clients).

A network fault there is expected — Discord's gateway restarting, a network blip while REST
still works — and a traceback per attempt would bury the log (and page whoever alerts on
tracebacks). A filter on those two loggers rewrites such records in place, before any handler
sees them: one WARNING saying which connection is down, why, and when the next try is, with no
traceback, in text and JSON alike. A fault that is not a network fault keeps its traceback,
once, as an ERROR under an error id (the id the JSON ``error_id`` field carries).
"""

from __future__ import annotations

import errno
import logging
import re
import ssl
from dataclasses import dataclass

import aiohttp
import discord

from bot.errors import new_error_id
from bot.logging_setup import RAISED_EXCEPTION, scrub_record
from bot.startup import DISCORD_UNREACHABLE, connect_reason

__all__ = ["GatewayReconnectFilter", "describe_gateway_fault", "install_gateway_log_filter"]

# launch_shard sleeps this long between attempts, a constant its record does not carry.
LAUNCH_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class _Record:
    """One discord.py record this filter knows: its logger and its message."""

    logger: str
    pattern: re.Pattern[str]


_RECORDS = (
    _Record(
        "discord.shard",
        re.compile(r"Attempting a reconnect for shard ID (?P<shard>\d+) in (?P<delay>[\d.]+)s"),
    ),
    _Record(
        "discord.shard",
        re.compile(r"Failed to connect for shard_id: (?P<shard>\d+)\. Retrying\.\.\."),
    ),
    _Record("discord.client", re.compile(r"Attempting a reconnect in (?P<delay>[\d.]+)s")),
)


# OSErrors that are the network's doing (the ConnectionError subclasses cover refused/reset/…).
_NETWORK_ERRNOS = frozenset(
    {errno.ENETDOWN, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EHOSTDOWN, errno.EHOSTUNREACH}
)


def is_expected_gateway_fault(error: BaseException) -> bool:
    """Whether ``error`` means "the gateway could not be reached or dropped us": a network
    fault or an outage on Discord's side, not something wrong in the bot."""
    if isinstance(error, aiohttp.WSServerHandshakeError):
        return error.status >= 500 or error.status == 429
    if isinstance(error, discord.ConnectionClosed):
        return True  # discord.py only retries the close codes it may retry
    if isinstance(error, (*DISCORD_UNREACHABLE, ConnectionError)):
        return True
    return isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS


def describe_gateway_fault(error: BaseException) -> str:
    """Why the gateway connection is down, as a phrase for the middle of a sentence."""
    if isinstance(error, aiohttp.WSServerHandshakeError):
        return f"the gateway answered HTTP {error.status}"
    if isinstance(error, discord.ConnectionClosed):
        return f"Discord closed it with code {error.code}"
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect to {error.host}:{error.port}: {connect_reason(error)}"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return "no answer in time"
    if isinstance(error, ssl.SSLError):
        return "the TLS connection failed"
    if isinstance(error, discord.DiscordServerError):
        return f"Discord answered HTTP {error.status}"
    if isinstance(error, ConnectionResetError):
        return "the connection was reset"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return f"the connection failed ({type(error).__name__})"


class GatewayReconnectFilter(logging.Filter):
    """Rewrites discord.py's reconnect records (see the module docstring); passes the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return self._apply(record)
        except Exception:  # a logging filter must never break discord.py's reconnect loop
            return True

    def _apply(self, record: logging.LogRecord) -> bool:
        error = getattr(record, RAISED_EXCEPTION, None)
        if not isinstance(error, BaseException):
            return True
        known = _match(record)
        if known is None:
            return True
        shard, delay = known
        what = "Discord gateway connection" + ("" if shard is None else f" of shard {shard}")
        when = f"retrying in {delay:.1f} s"
        if is_expected_gateway_fault(error):
            record.exc_text = None  # the traceback of an expected fault helps nobody
            _set_message(
                record,
                logging.WARNING,
                f"{what} is down ({describe_gateway_fault(error)}); {when}.",
            )
            return logging.getLogger(record.name).isEnabledFor(logging.WARNING)
        error_id = new_error_id()
        record.error_id = error_id
        _set_message(record, logging.ERROR, f"Unexpected error {error_id} in the {what}; {when}.")
        return True


def _match(record: logging.LogRecord) -> tuple[str | None, float] | None:
    """The shard (None for an unsharded client) and the delay a known record announces."""
    message = record.getMessage()
    for known in _RECORDS:
        if record.name != known.logger:
            continue
        found = known.pattern.fullmatch(message)
        if found is not None:
            groups = found.groupdict()
            delay = float(groups["delay"]) if groups.get("delay") else LAUNCH_RETRY_SECONDS
            return groups.get("shard"), delay
    return None


def _set_message(record: logging.LogRecord, level: int, message: str) -> None:
    record.levelno, record.levelname = level, logging.getLevelName(level)
    record.msg, record.args = message, ()
    scrub_record(record)  # marks the new message as redacted (it holds nothing secret)


def install_gateway_log_filter() -> None:
    """Put the filter on discord.py's loggers that emit reconnect records (idempotent)."""
    for name in sorted({known.logger for known in _RECORDS}):
        logger = logging.getLogger(name)
        if not any(isinstance(f, GatewayReconnectFilter) for f in logger.filters):
            logger.addFilter(GatewayReconnectFilter())
