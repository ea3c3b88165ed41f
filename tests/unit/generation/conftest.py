"""Fixtures for the generation engine: a real HordeClient on the fake Horde, a real database
(each test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet

from bot.generation import GenerationService, JobSnapshot, Poller, SubmitGovernor
from bot.generation.repository import JobRepository
from bot.horde import HordeClient
from bot.secrets import KeyVault
from bot.storage.database import Database
from tests.fakes.horde import FakeHorde

# Small intervals so every scenario runs in well under a second of real time.
POLL_MIN = 0.05
POLL_MAX = 0.3
MIN_INTERVAL = 0.02


class Recorder:
    """A listener that keeps every snapshot; ``fail_terminal`` makes delivery fail."""

    def __init__(self, *, fail_terminal: bool = False, fail_always: bool = False) -> None:
        self.snapshots: list[JobSnapshot] = []
        self.fail_terminal = fail_terminal
        self.fail_always = fail_always
        self._changed = asyncio.Event()

    async def on_update(self, snapshot: JobSnapshot) -> None:
        self.snapshots.append(snapshot)
        self._changed.set()
        if self.fail_always or (self.fail_terminal and snapshot.terminal):
            raise RuntimeError("the listener failed (on purpose)")

    @property
    def last(self) -> JobSnapshot:
        return self.snapshots[-1]

    @property
    def phases(self) -> list[str]:
        return [s.phase.value for s in self.snapshots]

    async def wait_for(
        self, predicate: Callable[[JobSnapshot], bool], timeout: float = 5.0
    ) -> JobSnapshot:
        """Wait for a snapshot matching ``predicate``; return it."""
        async with asyncio.timeout(timeout):
            while True:
                for snapshot in self.snapshots:
                    if predicate(snapshot):
                        return snapshot
                self._changed.clear()
                await self._changed.wait()

    async def wait_terminal(self, timeout: float = 5.0) -> JobSnapshot:
        return await self.wait_for(lambda s: s.terminal, timeout)


@pytest_asyncio.fixture
async def client(fake_horde: FakeHorde) -> AsyncIterator[HordeClient]:
    # Our intervals are scaled down, so the fake's real-time limiter would refuse them;
    # tests of 429 handling inject the 429s they need.
    fake_horde.rate_limits = False
    async with HordeClient(base_url=fake_horde.base_url, retries=0, timeout=5.0) as horde:
        yield horde


@pytest.fixture
def vault() -> KeyVault:
    return KeyVault([Fernet.generate_key().decode()])


@pytest_asyncio.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.open(database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest_asyncio.fixture
async def pg(postgres_database: str) -> AsyncIterator[Database]:
    """A PostgreSQL database only (what several processes share)."""
    database = await Database.open(postgres_database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def jobs(db: Database, vault: KeyVault) -> JobRepository:
    return JobRepository(db, vault)


ServiceFactory = Callable[..., Awaitable[GenerationService]]


@pytest_asyncio.fixture
async def make_service(
    client: HordeClient, jobs: JobRepository, fake_horde: FakeHorde
) -> AsyncIterator[ServiceFactory]:
    """Build started services on the shared database; all are closed at the end."""
    made: list[GenerationService] = []

    async def make(
        *, governor_scale: float = 0.05, governor_slack: float = 0.1, **kwargs: object
    ) -> GenerationService:
        governor = SubmitGovernor(fake_horde.clock, time_scale=governor_scale, slack=governor_slack)
        poller = Poller(
            client,
            fake_horde.clock,
            poll_min=POLL_MIN,
            poll_max=POLL_MAX,
            min_interval=MIN_INTERVAL,
        )
        options: dict[str, object] = {"submit_backoff": 0.01, "close_grace": 1.0}
        options.update(kwargs)
        service = GenerationService(
            client,
            governor,
            poller,
            jobs,
            fake_horde.clock,
            **options,  # type: ignore[arg-type]
        )
        await service.start()
        made.append(service)
        return service

    yield make
    for service in made:
        await service.close()
