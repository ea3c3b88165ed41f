"""``python -m bot``: read the settings, set up logging, run until SIGTERM/SIGINT.

Configuration and login problems end the process with ONE line on stderr and a non-zero
exit code (2 for configuration, 1 for a rejected token), never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.app import open_bot
from bot.config import ConfigError, Settings, load_settings
from bot.logging_setup import setup_logging
from bot.secrets import UndecryptableSecret

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_LOGIN = 1


async def run(settings: Settings) -> None:
    """Run the bot until it is closed; SIGTERM and SIGINT close it gracefully."""
    async with open_bot(settings) as bot:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(settings.discord_token)
    log.info("Shut down cleanly")


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, secrets=settings.secret_values())
    try:
        asyncio.run(run(settings))
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except UndecryptableSecret as exc:
        print(f"Configuration error: ENCRYPTION_KEY: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except discord.LoginFailure:
        print("Discord rejected DISCORD_TOKEN: check the bot token.", file=sys.stderr)
        return EXIT_LOGIN
    except discord.PrivilegedIntentsRequired:
        print(
            "Discord refused the message content intent: enable it for the bot in the "
            "Developer Portal or set MESSAGE_CONTENT_INTENT=false.",
            file=sys.stderr,
        )
        return EXIT_LOGIN
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["copy-db"]:  # python -m bot copy-db SRC_URL DST_URL
        from bot.storage.copy_db import main as copy_db

        sys.exit(copy_db(sys.argv[2:]))
    sys.exit(main())
