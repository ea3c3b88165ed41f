"""Persistence: the database seam (SQLite or PostgreSQL), migrations, one repository per table
group."""

from bot.storage.accounts import AccountProfile, AccountRepository, StoredAccount
from bot.storage.database import Database, MigrationError, Row, Session
from bot.storage.guilds import (
    UPDATABLE_GUILD_SETTINGS,
    BlockedUser,
    BlockedUserRepository,
    GuildSettings,
    GuildSettingsRepository,
)

__all__ = [
    "UPDATABLE_GUILD_SETTINGS",
    "AccountProfile",
    "AccountRepository",
    "BlockedUser",
    "BlockedUserRepository",
    "Database",
    "GuildSettings",
    "GuildSettingsRepository",
    "MigrationError",
    "Row",
    "Session",
    "StoredAccount",
]
