"""Value types of the generation engine: requests, job states, Horde status, snapshots.

Everything here is immutable and Discord-free; the storage layer turns these into rows and
the Discord layer renders :class:`JobSnapshot`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "SUBMIT_OPTIONS",
    "TERMINAL_STATES",
    "ErrorInfo",
    "Generation",
    "GenerationRequest",
    "HordeStatus",
    "JobKind",
    "JobListener",
    "JobPhase",
    "JobRecord",
    "JobSnapshot",
    "JobState",
    "PaidKey",
    "Payer",
]

# The keyword arguments of ``HordeClient.generate_async`` a request may carry in ``options``.
SUBMIT_OPTIONS: frozenset[str] = frozenset(
    {
        "trusted_workers",
        "slow_workers",
        "workers",
        "worker_blacklist",
        "softprompt",
        "allow_downgrade",
        "style",  # a text style's id: the Horde applies its prompt, params and models
    }
)


class JobKind(StrEnum):
    """What a job was made for: a ``/generate`` reply or a ``/chat`` turn."""

    GENERATE = "generate"
    CHAT = "chat"


class Payer(StrEnum):
    """Whose key paid for a job: the member's own, the server's sponsor key, or the bot's
    default key. Stored with the job so its reply can say whose limit or kudos ran out."""

    OWN = "own"
    SPONSOR = "sponsor"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class PaidKey:
    """The key a job is submitted with and whose it is; never log or show ``apikey``."""

    apikey: str = field(repr=False)
    payer: Payer


class JobState(StrEnum):
    """The stored lifecycle state of a job."""

    PENDING = "pending"  # accepted, waiting in the bot's submit queue
    SUBMITTED = "submitted"  # the Horde accepted it; being polled
    DONE = "done"
    CANCELLED = "cancelled"
    FAULTED = "faulted"
    EXPIRED = "expired"
    FAILED = "failed"  # refused by the Horde, or the Horde stayed unavailable

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES: frozenset[JobState] = frozenset(
    {JobState.DONE, JobState.CANCELLED, JobState.FAULTED, JobState.EXPIRED, JobState.FAILED}
)


class JobPhase(StrEnum):
    """What a user would be told is happening (finer than :class:`JobState` while running)."""

    QUEUED_IN_BOT = "queued_in_bot"
    WAITING_FOR_HORDE = "waiting_for_horde"  # pending: the Horde cannot be reached right now
    SUBMITTING = "submitting"
    QUEUED_ON_HORDE = "queued_on_horde"
    PROCESSING = "processing"
    DONE = "done"
    CANCELLED = "cancelled"
    FAULTED = "faulted"
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Why a job ended badly: ``kind`` (see :class:`bot.generation.errors.ErrorKind`), the
    Horde's ``rc`` when it gave one, and a message safe to show (never a key or token)."""

    kind: str
    message: str
    rc: str | None = None


@dataclass(frozen=True, slots=True)
class Generation:
    """One finished generation of a request (``state`` is ``ok`` or ``censored``)."""

    text: str
    model: str | None = None
    worker_id: str | None = None
    worker_name: str | None = None
    state: str = "ok"
    seed: int | None = None

    @property
    def censored(self) -> bool:
        return self.state not in ("ok", "")

    @classmethod
    def from_any(cls, item: Any) -> Generation:
        """From the client's ``GenerationKobold`` model or a stored dict."""
        get = _getter(item)
        seed = get("seed")
        return cls(
            text=str(get("text") or ""),
            model=get("model"),
            worker_id=_opt_str(get("worker_id")),
            worker_name=get("worker_name"),
            state=str(get("state") or "ok"),
            seed=int(seed) if isinstance(seed, int | float) else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "model": self.model,
            "worker_id": self.worker_id,
            "worker_name": self.worker_name,
            "state": self.state,
            "seed": self.seed,
        }


@dataclass(frozen=True, slots=True)
class HordeStatus:
    """The progress part of ``RequestStatusKobold`` (generations are kept separately)."""

    done: bool = False
    faulted: bool = False
    finished: int = 0
    processing: int = 0
    waiting: int = 0
    restarted: int = 0
    wait_time: float = 0.0
    queue_position: int = 0
    kudos: float = 0.0
    is_possible: bool = True

    @classmethod
    def from_any(cls, item: Any) -> HordeStatus:
        """From the client's ``RequestStatusKobold`` model or a stored dict."""
        get = _getter(item)
        return cls(
            done=bool(get("done")),
            faulted=bool(get("faulted")),
            finished=int(get("finished") or 0),
            processing=int(get("processing") or 0),
            waiting=int(get("waiting") or 0),
            restarted=int(get("restarted") or 0),
            wait_time=float(get("wait_time") or 0.0),
            queue_position=int(get("queue_position") or 0),
            kudos=float(get("kudos") or 0.0),
            is_possible=get("is_possible") is not False,
        )

    @property
    def progress(self) -> tuple[object, ...]:
        """The fields that mean the request moved (not the ticking estimates)."""
        return (
            self.finished,
            self.processing,
            self.waiting,
            self.restarted,
            self.queue_position,
            self.is_possible,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "faulted": self.faulted,
            "finished": self.finished,
            "processing": self.processing,
            "waiting": self.waiting,
            "restarted": self.restarted,
            "wait_time": self.wait_time,
            "queue_position": self.queue_position,
            "kudos": self.kudos,
            "is_possible": self.is_possible,
        }


@dataclass(frozen=True, slots=True)
class ReplyAddress:
    """Where a job's reply lives in Discord and who may see it: the one home of a job's
    delivery data. The engine stores it and hands it back; only the Discord layer reads it."""

    channel_id: int | None = None
    application_id: int | None = None
    # A secret (it can edit the reply for 15 minutes): encrypted at rest, erased once the
    # result is delivered, and kept out of reprs so it never reaches a log.
    interaction_token: str | None = field(default=None, repr=False)
    message_id: int | None = None
    private: bool = False
    issued_at: float | None = None  # when the interaction token was issued
    # The bot cannot post in ``channel_id`` (a DM, a group DM, a server without the bot):
    # a result that outlives the token goes to the member's DMs instead.
    dm_fallback: bool = False


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Everything needed to submit a generation and to find its reply again after a restart.

    ``user_id`` is the Discord user who pays (whose key is used). ``params`` holds the
    Horde's ``params`` keys, ``options`` extra ``generate_async`` arguments among
    :data:`SUBMIT_OPTIONS`. ``reply`` says where the reply lives; ``context`` is the job
    kind's own JSON (e.g. the conversation a chat turn belongs to).
    """

    prompt: str
    user_id: int
    kind: JobKind = JobKind.GENERATE
    params: Mapping[str, Any] = field(default_factory=dict)
    models: tuple[str, ...] = ()
    trusted_workers: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    guild_id: int | None = None
    reply: ReplyAddress = field(default_factory=ReplyAddress)
    context: Mapping[str, Any] = field(default_factory=dict)
    payer: Payer | None = None

    def submit_options(self) -> dict[str, Any]:
        """The ``generate_async`` keyword arguments besides prompt, params and models."""
        unknown = set(self.options) - SUBMIT_OPTIONS
        if unknown:
            raise ValueError(f"unknown submit options: {sorted(unknown)}")
        return {**self.options, "trusted_workers": self.trusted_workers}


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A stored job as read back from the database (token decrypted; None if unreadable)."""

    id: int
    kind: JobKind
    state: JobState
    horde_id: str | None
    user_id: int
    guild_id: int | None
    reply: ReplyAddress  # its token decrypted (None if unreadable)
    prompt: str
    params: dict[str, Any]
    models: tuple[str, ...]
    options: dict[str, Any]
    status: HordeStatus | None
    generations: tuple[Generation, ...]
    error: ErrorInfo | None
    context: dict[str, Any]
    created_at: float
    submitted_at: float | None
    finished_at: float | None
    delivered_at: float | None
    polled_at: float | None
    undelivered: bool = False  # settled, but the result reached nobody (see /history)
    payer: Payer | None = None

    def to_request(self) -> GenerationRequest:
        """The request this job was made from (to submit it again after a restart)."""
        options = dict(self.options)
        trusted = bool(options.pop("trusted_workers", False))
        return GenerationRequest(
            prompt=self.prompt,
            user_id=self.user_id,
            kind=self.kind,
            params=self.params,
            models=self.models,
            trusted_workers=trusted,
            options=options,
            guild_id=self.guild_id,
            reply=self.reply,
            context=self.context,
            payer=self.payer,
        )


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """What a user could be shown about a job at one moment; given to :class:`JobListener`.

    ``bot_position`` is the 1-based place in the bot's own submit queue (None once submitted);
    ``queue_position`` / ``wait_time`` / ``is_possible`` / ``kudos`` come from the Horde's
    last status; ``eta`` is a Unix timestamp (None when unknown); ``generations`` holds the
    texts finished so far (all of them once done; the partial ones after a cancel).
    """

    job_id: int
    kind: JobKind
    state: JobState
    phase: JobPhase
    bot_position: int | None
    queue_position: int | None
    wait_time: float | None
    is_possible: bool
    kudos: float
    finished: int
    processing: int
    waiting: int
    generations: tuple[Generation, ...]
    error: ErrorInfo | None
    created_at: float
    submitted_at: float | None
    finished_at: float | None
    eta: float | None
    horde_id: str | None

    @property
    def terminal(self) -> bool:
        return self.state.terminal


class JobListener(Protocol):
    """Receives a job's snapshots, in order, one call at a time.

    Called whenever what a user would see changes (not on every poll). Intermediate snapshots
    may be skipped when the listener is slower than the updates; the terminal one never is.
    Returning normally from the terminal snapshot acknowledges delivery (the job is then
    marked delivered); raising leaves it to be delivered again on the next ``resume``.
    """

    async def on_update(self, snapshot: JobSnapshot) -> None: ...


def dumps(value: Any) -> str:
    """Compact, stable JSON for the database."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _getter(item: Any) -> Callable[[str], Any]:
    """Read fields from a mapping or from attributes alike."""
    if isinstance(item, Mapping):
        return item.get

    def get(name: str) -> Any:
        return getattr(item, name, None)

    return get


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
