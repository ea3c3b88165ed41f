"""Assemble the application: one aiohttp session, one database, one Horde client, one bot.

Used by ``python -m bot`` and by the end-to-end tests, so both run the same wiring.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp

from bot.bot import EXTENSIONS, HordeBot
from bot.clock import SYSTEM_CLOCK, Clock
from bot.config import Settings
from bot.horde import HordeClient
from bot.secrets import load_vault
from bot.services import Services
from bot.storage.accounts import AccountRepository
from bot.storage.database import Database
from bot.storage.guilds import BlockedUserRepository, GuildSettingsRepository

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock = SYSTEM_CLOCK
) -> AsyncIterator[Services]:
    """Create the shared services and close them in reverse order on exit."""
    vault = load_vault(settings)
    db = await Database.open(settings.database_path)
    try:
        async with (
            aiohttp.ClientSession() as session,
            HordeClient(
                base_url=settings.horde_api_url,
                client_agent=settings.horde_client_agent,
                apikey=settings.horde_default_api_key,
                session=session,
                clock=clock,
            ) as horde,
        ):
            yield Services(
                settings=settings,
                horde=horde,
                db=db,
                vault=vault,
                accounts=AccountRepository(db, vault),
                guild_settings=GuildSettingsRepository(db),
                blocked=BlockedUserRepository(db),
                clock=clock,
            )
    finally:
        await db.close()


@contextlib.asynccontextmanager
async def open_bot(
    settings: Settings,
    *,
    clock: Clock = SYSTEM_CLOCK,
    extensions: tuple[str, ...] = EXTENSIONS,
) -> AsyncIterator[HordeBot]:
    """Yield a bot wired to fresh services; the bot is closed before the services."""
    async with open_services(settings, clock=clock) as services:
        bot = HordeBot(services, extensions=extensions)
        try:
            yield bot
        finally:
            if not bot.is_closed():
                await bot.close()
