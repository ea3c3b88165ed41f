"""Records held by the fake Horde: users, workers, text requests, jobs, teams, recorded HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A request lives this long after creation, or after its last pop/submit.
REQUEST_LIFETIME = 20 * 60.0
#: A popped job not submitted within this many seconds is re-queued.
JOB_TTL = 150.0
#: An external worker that has not popped for this long is offline.
WORKER_ONLINE_WINDOW = 300.0

TextSource = str | Callable[[str, dict[str, Any]], str] | None


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(eq=False)
class User:
    """A Horde account. ``username`` is ``alias#id`` as the real server shows it."""

    id: int
    alias: str
    apikey: str
    kudos: float = 0.0
    moderator: bool = False
    trusted: bool = False
    concurrency: int = 30
    created_at: float = 0.0
    tokens_requested: int = 0
    tokens_generated: int = 0
    texts_requested: int = 0
    texts_fulfilled: int = 0
    kudos_gifted: float = 0.0
    kudos_received: float = 0.0
    kudos_accumulated: float = 0.0
    admin: bool = False
    customizer: bool = False
    deleted: bool = False
    # Flags and settings only the management routes change (flagged, vpn, contact, …).
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def username(self) -> str:
        return f"{self.alias}#{self.id}"

    @property
    def is_anonymous(self) -> bool:
        return self.id == 0


@dataclass(eq=False)
class Team:
    id: str
    name: str
    owner: User
    info: str = ""
    created_at: float = 0.0


@dataclass(eq=False)
class Worker:
    """A text worker: scripted (served by the simulation) or external (popping over HTTP)."""

    id: str
    name: str
    owner: User
    models: list[str]
    max_length: int = 512
    max_context_length: int = 4096
    seconds_per_job: float = 0.2
    trusted: bool = False
    fail: bool = False
    censor: bool = False
    text: TextSource = None
    scripted: bool = True
    paused: bool = False
    threads: int = 1
    bridge_agent: str = "fake-horde-worker:1:http://127.0.0.1"
    nsfw: bool = False
    extra_slow: bool = False
    team: Team | None = None
    created_at: float = 0.0
    last_seen: float = 0.0
    requests_fulfilled: int = 0
    kudos_rewards: float = 0.0
    tokens_generated: int = 0
    uncompleted_jobs: int = 0
    current_job: Job | None = None
    maintenance: bool = False
    maintenance_msg: str = ""
    info: str = ""
    last_job_at: float | None = None  # when it last took a job (deleting it is 423 for 20 min)

    def online(self, now: float) -> bool:
        return self.scripted or now - self.last_seen < WORKER_ONLINE_WINDOW

    @property
    def tokens_per_second(self) -> float:
        if self.seconds_per_job <= 0:
            return float(self.max_length)
        return self.max_length / self.seconds_per_job


@dataclass(eq=False)
class Job:
    """One generation of a request, handed to one worker (the server's "procgen")."""

    id: str
    request: TextRequest
    worker: Worker
    model: str
    started_at: float
    deadline: float  # scripted: finish time; external: TTL expiry
    state: str = "processing"  # processing | done | faulted | aborted
    text: str = ""
    seed: int = 0
    gen_state: str = "ok"  # ok | censored | csam, as reported
    gen_metadata: list[dict[str, Any]] = field(default_factory=list)
    finished_at: float | None = None
    kudos: float = 0.0


@dataclass(eq=False)
class TextRequest:
    """A submitted text request (the server's "waiting prompt")."""

    id: str
    user: User
    prompt: str
    params: dict[str, Any]
    n: int  # jobs not yet handed to a worker: the server's ``n`` (a cancel sets it to 0)
    created_at: float
    expires_at: float
    models: list[str] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)
    worker_blacklist: bool = False
    trusted_workers: bool = False
    slow_workers: bool = True
    extra_slow_workers: bool = False
    validated_backends: bool = False
    softprompt: str | None = None
    client_agent: str = "unknown:0:unknown"
    ipaddr: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    requested_n: int = 1  # ``params.n`` as submitted
    jobs: list[Job] = field(default_factory=list)
    restarted: int = 0
    faults: int = 0
    faulted: bool = False
    cancelled: bool = False
    kudos_per_job: float = 0.0
    webhook: str | None = None  # called after each successful generation

    @property
    def waiting(self) -> int:
        """Jobs waiting for a worker (status ``waiting``); the same number as ``n``."""
        return self.n

    @waiting.setter
    def waiting(self, value: int) -> None:
        self.n = value

    @property
    def max_length(self) -> int:
        return int(self.params.get("max_length", 80))

    @property
    def max_context_length(self) -> int:
        return int(self.params.get("max_context_length", 2048))

    @property
    def processing(self) -> int:
        return sum(1 for job in self.jobs if job.state == "processing")

    @property
    def finished(self) -> int:
        return sum(1 for job in self.jobs if job.state == "done")

    @property
    def generations(self) -> list[Job]:
        return [job for job in self.jobs if job.state == "done"]

    @property
    def done(self) -> bool:
        """All jobs delivered; a cancel with nothing finished never becomes done (seen live)."""
        return not self.faulted and self.waiting == 0 and self.processing == 0 and self.finished > 0

    @property
    def state(self) -> str:
        if self.faulted:
            return "faulted"
        if self.done:
            return "done"
        if self.cancelled:
            return "cancelled"
        return "processing" if self.processing else "waiting"


@dataclass
class RecordedRequest:
    """One HTTP request as the fake received it; ``path`` is relative to the ``/api`` base."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: object | None
    time: float


@dataclass
class Fault:
    """An injected failure for requests matching ``method`` and ``path_prefix``."""

    method: str | None
    path_prefix: str
    kind: str  # 500 | 502 | 503 | 504 | drop | slow | 429
    count: int | None  # None: forever
    retry_after: int = 1
    delay: float = 5.0

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)
