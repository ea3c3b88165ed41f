"""The services the bot shares between cogs, created once at start and injected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.chat.service import ChatService
from bot.clock import SYSTEM_CLOCK, Clock
from bot.config import Settings
from bot.cooldowns import CooldownTracker
from bot.generation import GenerationService
from bot.generation.processes import ProcessRegistry
from bot.model_catalog import ModelCatalog
from bot.own_workers import OwnWorkersCache
from bot.secrets import KeyVault
from bot.storage.accounts import AccountRepository
from bot.storage.database import Database
from bot.storage.guilds import BlockedUserRepository, GuildSettingsRepository
from bot.storage.sponsors import SponsorRepository
from bot.style_catalog import StyleCatalog
from bot.team_list import TeamListCache
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
    teams: TeamListCache  # the Horde's teams, cached (/team autocomplete, worker panel)
    sponsors: SponsorRepository  # servers' sponsor keys (who pays is chosen in bot.policy)
    styles: StyleCatalog  # the Horde's text styles, one shared background-refreshed cache
    own_workers: OwnWorkersCache  # each member's own workers (/workers manage and its panel)
    clock: Clock = field(default=SYSTEM_CLOCK)
    processes: ProcessRegistry | None = None  # this process's heartbeat; /mod status lists all
