"""``python -m bot``: read the settings, set up logging, run until SIGTERM/SIGINT.

Configuration and login problems end the process with ONE line on stderr and a non-zero
exit code (2 for configuration, 1 for a rejected token), never a traceback. An unreachable
Discord is retried (see :mod:`bot.startup`); signals are handled by :mod:`bot.shutdown`.
Anything else is a bug: logged once, with its traceback, under an error id (exit 70).
"""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot import metrics
from bot.app import open_bot
from bot.clock import SYSTEM_CLOCK, Clock
from bot.config import ConfigError, Settings, load_settings
from bot.errors import new_error_id
from bot.logging_setup import setup_logging
from bot.secrets import UndecryptableSecret
from bot.shutdown import ShutdownSignals
from bot.startup import (
    DISCORD_UNREACHABLE,
    DiscordUnreachableError,
    StartupRetry,
    describe_discord_fault,
)

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_LOGIN = 1
EXIT_UNREACHABLE = 69  # sysexits EX_UNAVAILABLE: Discord could not be reached
EXIT_UNEXPECTED = 70  # sysexits EX_SOFTWARE: a bug, logged with an error id


async def run(settings: Settings, *, clock: Clock = SYSTEM_CLOCK) -> None:
    """Run the bot until a signal closes it, retrying while Discord cannot be reached."""
    signals = ShutdownSignals(asyncio.get_running_loop(), timeout=settings.shutdown_timeout_seconds)
    signals.install()
    try:
        async with metrics.serve_metrics(settings.metrics_listen):
            await _run_until_stopped(
                settings, signals, StartupRetry(clock, settings.startup_retry_seconds)
            )
    finally:
        signals.uninstall()
    log.info("Shut down cleanly")


async def _run_until_stopped(
    settings: Settings, signals: ShutdownSignals, retry: StartupRetry
) -> None:
    """One fresh bot per attempt, so a failed login leaves nothing half set up behind."""
    while not signals.requested.is_set():
        try:
            async with open_bot(settings) as bot:
                signals.watch(bot)
                await bot.start(settings.discord_token)
            return
        except DISCORD_UNREACHABLE as fault:
            if signals.requested.is_set():
                return
            delay = retry.next_delay()
            reason = describe_discord_fault(fault)
            if delay is None:
                raise DiscordUnreachableError(f"{reason}; giving up.") from None
            if retry.failures == 1:
                log.warning("%s; %s.", reason, retry.describe_plan())
            else:
                log.debug("%s; try %d in %.0f s.", reason, retry.failures + 1, delay)
            await retry.wait(delay, signals.requested)


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, secrets=settings.secret_values(), fmt=settings.log_format)
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        return _report(exc)
    return 0


def _report(exc: Exception) -> int:
    """Log why the bot stopped in one line (a traceback only for bugs); return the exit code.

    Logged rather than printed, so LOG_FORMAT=json keeps one JSON object per line.
    """
    if isinstance(exc, ConfigError):
        log.error("Configuration error: %s", exc)
        return EXIT_CONFIG
    if isinstance(exc, UndecryptableSecret):
        log.error("Configuration error: ENCRYPTION_KEY: %s", exc)
        return EXIT_CONFIG
    if isinstance(exc, discord.LoginFailure):
        log.error("Discord rejected DISCORD_TOKEN: check the bot token.")
        return EXIT_LOGIN
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        log.error(
            "Discord refused the message content intent: enable it for the bot in the "
            "Developer Portal or set MESSAGE_CONTENT_INTENT=false."
        )
        return EXIT_LOGIN
    if isinstance(exc, DiscordUnreachableError):
        log.error("%s", exc)
        return EXIT_UNREACHABLE
    error_id = new_error_id()
    log.critical(
        "Unexpected error %s stopped the bot", error_id, exc_info=exc, extra={"error_id": error_id}
    )
    return EXIT_UNEXPECTED


if __name__ == "__main__":
    if sys.argv[1:2] == ["copy-db"]:  # python -m bot copy-db SRC_URL DST_URL
        from bot.storage.copy_db import main as copy_db

        sys.exit(copy_db(sys.argv[2:]))
    sys.exit(main())
