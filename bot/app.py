"""Assemble the application: one aiohttp session, one database, one Horde client, one bot.

Used by ``python -m bot`` and by the end-to-end tests, so both run the same wiring.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp

from bot import metrics
from bot.bot import EXTENSIONS, HordeBot
from bot.chat.capacity import WorkerCapacity
from bot.chat.reference import ModelReference
from bot.chat.service import ChatService
from bot.clock import SYSTEM_CLOCK, Clock
from bot.config import Settings
from bot.generation import GenerationService, JobKind, Poller, SubmitGovernor
from bot.generation.leases import JobLeases
from bot.generation.processes import ProcessRegistry
from bot.generation.repository import JobRepository
from bot.model_catalog import ModelCatalog
from bot.own_workers import OwnWorkersCache
from bot.policy import CooldownTracker
from bot.secrets import KeyVault, load_vault
from bot.services import Services
from bot.storage.accounts import AccountRepository
from bot.storage.chat import ChatRepository
from bot.storage.database import Database
from bot.storage.guilds import BlockedUserRepository, GuildSettingsRepository
from bot.storage.sponsors import SponsorRepository
from bot.style_catalog import StyleCatalog
from bot.team_list import TeamListCache
from bot.ui.chat_frontend import ChatFrontEnd
from bot.ui.generate_frontend import GenerateFrontEnd
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL
from bot.webhooks import WebhookRegistry, serve_webhooks

if TYPE_CHECKING:
    from bot.horde import HordeClient
from bot.worker_list import WorkerListCache

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock = SYSTEM_CLOCK
) -> AsyncIterator[Services]:
    """Create the shared services and close them in reverse order on exit."""
    # Imported when the services open, not when ``python -m bot`` imports its modules: the
    # client brings pydantic and the Horde models (docs/performance.md §5).
    from bot.horde import HordeClient

    vault = load_vault(settings)
    webhooks = WebhookRegistry.for_url(settings.horde_webhook_url)
    db = await Database.open(settings.database)
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
            serve_webhooks(settings.horde_webhook_listen, webhooks),
        ):
            generations = build_generation_service(settings, horde, db, vault, clock, webhooks)
            workers = WorkerListCache(horde, clock)
            chat = build_chat_service(settings, db, session, workers, clock)
            styles = StyleCatalog(horde, clock)
            await generations.start()
            processes = ProcessRegistry(
                db, clock, owner=lease_owner(settings), lease_seconds=settings.job_lease_seconds
            )
            await processes.start()
            try:
                yield Services(
                    settings=settings,
                    horde=horde,
                    db=db,
                    vault=vault,
                    accounts=AccountRepository(db, vault),
                    guild_settings=GuildSettingsRepository(db),
                    blocked=BlockedUserRepository(db),
                    generations=generations,
                    cooldowns=CooldownTracker(clock),
                    models=ModelCatalog(horde, clock),
                    workers=workers,
                    chat=chat,
                    teams=TeamListCache(horde, clock),
                    sponsors=SponsorRepository(db, vault, clock=clock),
                    styles=styles,
                    own_workers=OwnWorkersCache(horde, clock),
                    clock=clock,
                    processes=processes,
                )
            finally:
                await processes.stop()
                # Before the database closes: in-flight jobs stay stored and resumable.
                await styles.close()
                await chat.close()
                await generations.close()
    finally:
        await db.close()


def build_generation_service(
    settings: Settings,
    horde: HordeClient,
    db: Database,
    vault: KeyVault,
    clock: Clock,
    webhooks: WebhookRegistry | None = None,
) -> GenerationService:
    """The engine behind /generate and chat, sized by the settings."""
    governor = submit_governor(settings, db, clock)
    poller = Poller(
        horde,
        clock,
        poll_min=settings.poll_min_seconds,
        poll_max=settings.poll_max_seconds,
        safety_net=settings.horde_webhook_poll_seconds if webhooks else None,
    )
    return GenerationService(
        horde,
        governor,
        poller,
        JobRepository(db, vault, clock=clock),
        clock,
        max_in_flight_per_user=settings.max_generations_per_user,
        retention_days=settings.job_retention_days,
        webhooks=webhooks,
        # Closing waits this long for submits on the wire, then as long for deliveries: two
        # thirds of the shutdown bound, the rest is left for the gateway and the database.
        close_grace=settings.shutdown_timeout_seconds / 3,
        leases=job_leases(settings, db, clock),
    )


def submit_governor(settings: Settings, db: Database, clock: Clock) -> SubmitGovernor:
    """One budget per IP: shared through a PostgreSQL database unless scoped to the process."""
    limits = {
        "per_second": settings.horde_submits_per_second,
        "per_minute": settings.horde_submits_per_minute,
    }
    if db.dialect == "postgresql" and settings.horde_governor_scope == "database":
        # Imported here: it brings asyncpg, which a SQLite bot never needs.
        from bot.generation.shared_governor import SharedSubmitGovernor

        return SharedSubmitGovernor(db, clock, **limits)
    return SubmitGovernor(clock, **limits)  # type: ignore[arg-type]


def job_leases(settings: Settings, db: Database, clock: Clock) -> JobLeases | None:
    """Several processes may share a PostgreSQL database: lease each job to one of them."""
    if db.dialect != "postgresql":
        return None  # SQLite is one process's: it holds every job
    return JobLeases(
        db, clock, owner=lease_owner(settings), lease_seconds=settings.job_lease_seconds
    )


def lease_owner(settings: Settings) -> str:
    """How this process's leases (and its /mod status line) name it: the shards it runs, so
    a process restarted on the same shards takes its own jobs back at once."""
    plan = settings.shards
    return f"shards {plan.describe()}" if plan is not None else "all shards"


def build_chat_service(
    settings: Settings,
    db: Database,
    session: aiohttp.ClientSession,
    workers: WorkerListCache,
    clock: Clock,
) -> ChatService:
    """/chat's conversations; its model reference shares the one HTTP session."""
    return ChatService(
        ChatRepository(db, clock=clock),
        ModelReference(settings.model_reference_url, clock=clock, session=session),
        WorkerCapacity(workers),
        clock=clock,
        retention_days=settings.job_retention_days,
    )


def register_front_ends(bot: HordeBot, services: Services, edit_interval: float) -> None:
    """The job-kind seam: one front end per kind of job (see :mod:`bot.ui.frontends`)."""
    front_ends = bot.front_ends
    front_ends.register(
        JobKind.GENERATE, GenerateFrontEnd(bot, services, edit_interval=edit_interval)
    )
    front_ends.register(JobKind.CHAT, ChatFrontEnd(bot, services, edit_interval=edit_interval))


@contextlib.asynccontextmanager
async def open_bot(
    settings: Settings,
    *,
    clock: Clock = SYSTEM_CLOCK,
    extensions: tuple[str, ...] = EXTENSIONS,
    edit_interval: float = DEFAULT_EDIT_INTERVAL,
) -> AsyncIterator[HordeBot]:
    """Yield a bot wired to fresh services.

    On exit the generation engine closes first (deliveries in flight still need the bot's
    HTTP session), then the bot, then the remaining services.
    """
    async with open_services(settings, clock=clock) as services:
        bot = HordeBot(services, extensions=extensions, edit_interval=edit_interval)
        metrics.count_discord_requests(bot.http, settings)
        register_front_ends(bot, services, edit_interval)
        try:
            yield bot
        finally:
            await bot.front_ends.close()
            await services.generations.close()
            if not bot.is_closed():
                await bot.close()
