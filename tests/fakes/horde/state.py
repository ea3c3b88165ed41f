"""The fake Horde's world: users, workers, text requests, teams, news and settings."""

from __future__ import annotations

import datetime
import ipaddress
import uuid
from typing import Any

from tests.fakes.horde import simulation
from tests.fakes.horde.clock import OffsetClock
from tests.fakes.horde.models import Job, Team, TextRequest, TextSource, User, Worker, new_id
from tests.fakes.horde.records import Records
from tests.fakes.horde.webhooks import WebhookOutbox

ANON_KEY = "0000000000"
DEFAULT_MODEL = "koboldcpp/test-model"
DEFAULT_OWNER_ID = 999_999


def ip_in_block(ip: str, block: str) -> bool:
    """Whether address ``ip`` lies in ``block`` (an address or CIDR); False when malformed."""
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(block, strict=False)
    except ValueError:
        return False


class HordeState:
    """Everything the fake server knows, plus the knobs tests turn (public attributes)."""

    def __init__(self, clock: OffsetClock | None = None) -> None:
        self.clock = clock if clock is not None else OffsetClock()
        self.users: dict[int, User] = {}
        self.workers: dict[str, Worker] = {}  # by id, in creation order
        self.text_requests: dict[str, TextRequest] = {}  # by id, in creation (FIFO) order
        self.jobs: dict[str, Job] = {}  # every job of a live request
        self.processing: dict[str, Job] = {}  # jobs currently held by a worker
        self.teams: dict[str, Team] = {}
        self.news: list[dict[str, Any]] = []
        self.ip_timeouts: dict[str, float] = {}  # ipaddr -> clock time the timeout ends
        self.records = Records()  # styles, collections, shared keys, filters, messages
        # (time, tokens, model) of every delivered generation, for performance and stats.
        self.delivered: list[tuple[float, int, str]] = []
        self.submit_times: list[float] = []
        # Webhook calls of text requests (``webhooks.calls``; ``webhooks.drop_every`` drops).
        self.webhooks = WebhookOutbox()
        # Settings tests may change.
        self.maintenance = False
        self.invite_only = False
        self.raid_mode = False
        self.upfront_kudos_threshold = 512
        # Opt-in (added for the /generate tests): a prompt containing one of these is refused
        # with 400 rc CorruptPrompt, as the real Horde refuses prompts against its terms.
        self.corrupt_prompt_words: tuple[str, ...] = ()
        # Opt-in (added for the write-side tests): a worker or team name or info containing
        # one of these is refused with 400 rc Profane…, as the real Horde's profanity filter does.
        self.profane_words: tuple[str, ...] = ()
        self.rate_limits = True
        self.submit_limit_per_second = 2
        self.submit_limit_per_minute = 90
        self.status_limit_per_minute = 60
        self.default_limit_per_minute = 90
        self.heartbeat_message = "OK"
        self.version = "4.46.1"
        self.known_models: set[str] | None = None  # None: every served model is "known"
        # Kudos transfer bookkeeping.
        self.last_transfer: dict[tuple[int, int], float] = {}
        self.idempotency: dict[tuple[int, str], tuple[str, int, dict[str, Any]]] = {}
        self._next_user_id = 1
        self._default_owner: User | None = None
        self.anonymous = User(0, "Anonymous", ANON_KEY, created_at=self.clock.time())
        self.users[0] = self.anonymous

    # -- users -------------------------------------------------------------------------------
    def add_user(
        self,
        alias: str,
        apikey: str | None = None,
        kudos: float = 1000.0,
        moderator: bool = False,
        trusted: bool = False,
        concurrency: int = 30,
        admin: bool = False,
        customizer: bool = False,
    ) -> User:
        """Register a user; ids count up from 1 (0 is Anonymous)."""
        apikey = apikey if apikey is not None else f"{alias}-key-{uuid.uuid4().hex[:16]}"
        if self.user_by_key(apikey) is not None:
            raise ValueError("a user with this API key already exists")
        user = User(
            self._next_user_id,
            alias,
            apikey,
            kudos=float(kudos),
            moderator=moderator,
            trusted=trusted,
            concurrency=concurrency,
            created_at=self.clock.time(),
            admin=admin,
            customizer=customizer,
        )
        self._next_user_id += 1
        self.users[user.id] = user
        return user

    def user_by_key(self, apikey: str | None) -> User | None:
        if not apikey:
            return None
        return next((u for u in self.users.values() if u.apikey == apikey), None)

    def user_by_username(self, username: str) -> User | None:
        """Resolve ``alias#id`` (the id decides; the alias must match too)."""
        alias, sep, ident = username.rpartition("#")
        if not sep or not ident.isdigit():
            return None
        user = self.users.get(int(ident))
        return user if user is not None and user.alias == alias else None

    def outstanding(self, user: User) -> int:
        """Generations of ``user`` not yet delivered (waiting + processing), summed over n."""
        return sum(
            r.waiting + r.processing
            for r in self.text_requests.values()
            if r.user is user and not r.faulted
        )

    def ip_in_timeout(self, ip: str) -> bool:
        now = self.clock.time()
        return any(until > now and ip_in_block(ip, b) for b, until in self.ip_timeouts.items())

    # -- workers -----------------------------------------------------------------------------
    def add_worker(
        self,
        name: str,
        models: list[str] | None = None,
        max_length: int = 512,
        max_context_length: int = 4096,
        seconds_per_job: float = 0.2,
        owner: User | None = None,
        trusted: bool = False,
        fail: bool = False,
        text: TextSource = None,
        censor: bool = False,
        threads: int = 1,
        team: Team | None = None,
    ) -> Worker:
        """Add a scripted worker that serves the queue by itself on the clock."""
        if self.worker_by_name(name) is not None:
            raise ValueError(f"worker {name!r} already exists")
        self.evaluate()
        now = self.clock.time()
        worker = Worker(
            id=new_id(),
            name=name,
            owner=owner if owner is not None else self._owner(),
            models=list(models) if models is not None else [DEFAULT_MODEL],
            max_length=max_length,
            max_context_length=max_context_length,
            seconds_per_job=seconds_per_job,
            trusted=trusted,
            fail=fail,
            text=text,
            censor=censor,
            threads=threads,
            team=team,
            created_at=now,
            last_seen=now,
        )
        self.workers[worker.id] = worker
        self.evaluate()
        return worker

    def remove_worker(self, name: str) -> None:
        """Take a worker away; a job it was running goes back to the queue."""
        self.evaluate()
        worker = self.worker_by_name(name)
        if worker is None:
            raise KeyError(name)
        for job in [j for j in self.processing.values() if j.worker is worker]:
            simulation.abort_stale_job(self, job)
        worker.current_job = None
        del self.workers[worker.id]
        self.evaluate()

    def worker_by_name(self, name: str) -> Worker | None:
        return next((w for w in self.workers.values() if w.name == name), None)

    def _owner(self) -> User:
        """Owner of workers added without one; a fixed id so it never shifts test users' ids."""
        if self._default_owner is None:
            owner = User(DEFAULT_OWNER_ID, "fake-worker-owner", f"owner-key-{uuid.uuid4().hex}")
            owner.created_at = self.clock.time()
            self.users[owner.id] = owner
            self._default_owner = owner
        return self._default_owner

    # -- requests ----------------------------------------------------------------------------
    def evaluate(self) -> None:
        """Catch the simulation up to ``clock.time()``."""
        simulation.evaluate(self, self.clock.time())

    def get_request(self, horde_id: str) -> TextRequest | None:
        """The server-side record of a text request (None when unknown or expired)."""
        self.evaluate()
        return self.text_requests.get(horde_id)

    def request_status(self, req: TextRequest) -> dict[str, Any]:
        return simulation.request_status(self, req, self.clock.time())

    # -- teams, news, ------------------------------------------------------------------------
    def add_team(self, name: str, owner: User | None = None, info: str = "") -> Team:
        team = Team(new_id(), name, owner if owner is not None else self._owner(), info)
        team.created_at = self.clock.time()
        self.teams[team.id] = team
        return team

    def add_news(
        self,
        title: str,
        newspiece: str,
        importance: str = "Information",
        tags: list[str] | None = None,
        more_info_urls: list[str] | None = None,
    ) -> dict[str, Any]:
        published = datetime.datetime.fromtimestamp(self.clock.time(), datetime.UTC)
        piece = {
            "date_published": published.strftime("%Y-%m-%d"),
            "newspiece": newspiece,
            "importance": importance,
            "tags": list(tags or []),
            "title": title,
            "more_info_urls": list(more_info_urls or []),
        }
        self.news.insert(0, piece)
        return piece
