"""The services the bot shares between cogs, created once at start and injected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.chat.service import ChatService
from bot.clock import SYSTEM_CLOCK, Clock
from bot.config import Settings
from bot.cooldowns import CooldownTracker
from bot.errors import KeyNeedsRelogin
from bot.generation import GenerationService
from bot.model_catalog import ModelCatalog
from bot.secrets import KeyVault, UndecryptableSecret
from bot.storage.accounts import AccountRepository
from bot.storage.database import Database
from bot.storage.guilds import BlockedUserRepository, GuildSettingsRepository
from bot.worker_list import WorkerListCache

if TYPE_CHECKING:
    from bot.horde import HordeClient


@dataclass
class Services:
    """Everything a cog may use; cogs never open connections of their own."""

    settings: Settings
    horde: HordeClient
    db: Database
    vault: KeyVault
    accounts: AccountRepository
    guild_settings: GuildSettingsRepository
    blocked: BlockedUserRepository
    generations: GenerationService
    cooldowns: CooldownTracker
    models: ModelCatalog  # the Horde's text models, cached (autocomplete, checks)
    workers: WorkerListCache  # the Horde's text workers, cached (/workers, chat capacity)
    chat: ChatService  # /chat's conversations and their queues (repository: ``chat.repo``)
    clock: Clock = field(default=SYSTEM_CLOCK)

    async def key_for(self, discord_user_id: int) -> str:
        """The member's own Horde key when registered, else the bot's default key.

        Raises :class:`KeyNeedsRelogin` when a stored key no longer decrypts, so the
        member is told to ``/login`` again instead of silently paying with the default key.
        """
        try:
            account = await self.accounts.get(discord_user_id)
        except UndecryptableSecret as exc:
            raise KeyNeedsRelogin() from exc
        return account.apikey if account is not None else self.settings.horde_default_api_key
