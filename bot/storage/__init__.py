"""Persistence: the SQLite database, its migrations, and one repository per table group."""

from bot.storage.accounts import AccountProfile, AccountRepository, StoredAccount
from bot.storage.database import Database, MigrationError
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
    "StoredAccount",
]
