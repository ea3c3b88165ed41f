"""Core response models of the AI Horde v2 text API, named after the Horde's own (swagger.json).

The Horde marshals every model field, often as ``null``, and adds fields over time. So
every model keeps unknown fields (``extra="allow"``, see ``model_extra``), treats ``null``
as "absent" (the field's default applies) and makes every field optional. JSON field
names are kept as they are on the wire.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ActiveModel",
    "ActiveModelLite",
    "ContributionsDetails",
    "GenerationKobold",
    "GenerationMetadataKobold",
    "Heartbeat",
    "HordeModel",
    "HordeModes",
    "HordePerformance",
    "IPTimeout",
    "KudosTransferred",
    "MonthlyKudos",
    "Newspiece",
    "RequestAsync",
    "RequestSingleWarning",
    "RequestStatusCheck",
    "RequestStatusKobold",
    "SimpleResponse",
    "TeamDetails",
    "TeamDetailsLite",
    "UsageDetails",
    "UserActiveGenerations",
    "UserAmountRecords",
    "UserDetails",
    "UserKudosDetails",
    "UserRecords",
    "UserThingRecords",
    "WorkerDetails",
    "WorkerDetailsLite",
    "WorkerKudosDetails",
]


class HordeModel(BaseModel):
    """Base of every response model: tolerant of extra, missing and ``null`` fields."""

    # defer_build: the validators are built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # Most answers (every queued status poll) hold no null: no copy for them.
        if isinstance(data, dict) and None in data.values():
            return {k: v for k, v in data.items() if v is not None}
        return data


# --- generation (requester side) -------------------------------------------------------


class RequestSingleWarning(HordeModel):
    code: str | None = None
    message: str | None = None


class RequestAsync(HordeModel):
    """Answer to a submit. ``id`` is None for a dry run, whose ``kudos`` is the estimate."""

    id: str | None = None
    kudos: float = 0.0
    message: str | None = None
    warnings: list[RequestSingleWarning] = Field(default_factory=list)


class GenerationMetadataKobold(HordeModel):
    type: str | None = None
    value: str | None = None
    ref: str | None = None


class GenerationKobold(HordeModel):
    """One finished generation of a text request."""

    text: str = ""
    seed: int = 0
    worker_id: str | None = None
    worker_name: str | None = None
    model: str | None = None
    state: str = "ok"
    gen_metadata: list[GenerationMetadataKobold] = Field(default_factory=list)


class RequestStatusCheck(HordeModel):
    """Progress of a text request (the status without its generations)."""

    finished: int = 0
    processing: int = 0
    restarted: int = 0
    waiting: int = 0
    done: bool = False
    faulted: bool = False
    wait_time: int = 0
    queue_position: int = 0
    kudos: float = 0.0
    is_possible: bool = True


class RequestStatusKobold(RequestStatusCheck):
    """Full status of a text request, with the generations finished so far."""

    generations: list[GenerationKobold] = Field(default_factory=list)

    def check(self) -> RequestStatusCheck:
        """This status without its generations."""
        return RequestStatusCheck.model_validate(self.model_dump(exclude={"generations"}))


# --- users --------------------------------------------------------------------------


class UserKudosDetails(HordeModel):
    accumulated: float = 0.0
    gifted: float = 0.0
    donated: float = 0.0
    admin: float = 0.0
    received: float = 0.0
    recurring: float = 0.0
    awarded: float = 0.0
    styled: float = 0.0


class UserActiveGenerations(HordeModel):
    text: list[str] = Field(default_factory=list)
    image: list[str] = Field(default_factory=list)
    alchemy: list[str] = Field(default_factory=list)


class MonthlyKudos(HordeModel):
    amount: int = 0
    last_received: str | None = None


class UsageDetails(HordeModel):
    megapixelsteps: float = 0.0
    requests: int = 0


class ContributionsDetails(HordeModel):
    megapixelsteps: float = 0.0
    fulfillments: int = 0


class UserThingRecords(HordeModel):
    megapixelsteps: float = 0.0
    tokens: int = 0


class UserAmountRecords(HordeModel):
    image: int = 0
    text: int = 0
    interrogation: int = 0


class UserRecords(HordeModel):
    usage: UserThingRecords = Field(default_factory=UserThingRecords)
    contribution: UserThingRecords = Field(default_factory=UserThingRecords)
    fulfillment: UserAmountRecords = Field(default_factory=UserAmountRecords)
    request: UserAmountRecords = Field(default_factory=UserAmountRecords)
    style: UserAmountRecords = Field(default_factory=UserAmountRecords)


class UserDetails(HordeModel):
    """A Horde user; ``username`` is ``alias#id``."""

    username: str | None = None
    id: int | None = None
    kudos: float = 0.0
    evaluating_kudos: float | None = None
    concurrency: int | None = None
    worker_invited: int | None = None
    moderator: bool = False
    kudos_details: UserKudosDetails = Field(default_factory=UserKudosDetails)
    worker_count: int = 0
    worker_ids: list[str] = Field(default_factory=list)
    sharedkey_ids: list[str] = Field(default_factory=list)
    active_generations: UserActiveGenerations = Field(default_factory=UserActiveGenerations)
    monthly_kudos: MonthlyKudos = Field(default_factory=MonthlyKudos)
    trusted: bool = False
    flagged: bool = False
    vpn: bool = False
    service: bool = False
    education: bool = False
    customizer: bool = False
    special: bool = False
    deleted: bool = False
    suspicious: int = 0
    pseudonymous: bool = False
    contact: str | None = None
    account_age: int | None = None
    usage: UsageDetails = Field(default_factory=UsageDetails)
    contributions: ContributionsDetails = Field(default_factory=ContributionsDetails)
    records: UserRecords = Field(default_factory=UserRecords)


class KudosTransferred(HordeModel):
    transferred: float = 0.0


# --- workers and teams ---------------------------------------------------------------


class WorkerKudosDetails(HordeModel):
    generated: float = 0.0
    uptime: int = 0


class TeamDetailsLite(HordeModel):
    name: str | None = None
    id: str | None = None


class WorkerDetailsLite(HordeModel):
    type: str | None = None
    name: str | None = None
    id: str | None = None
    online: bool = False


class WorkerDetails(WorkerDetailsLite):
    """A worker (``performance`` is a string such as "12.3 tokens per second")."""

    requests_fulfilled: int = 0
    kudos_rewards: float = 0.0
    kudos_details: WorkerKudosDetails = Field(default_factory=WorkerKudosDetails)
    performance: str | None = None
    threads: int = 1
    uptime: int = 0
    maintenance_mode: bool = False
    paused: bool = False
    info: str | None = None
    nsfw: bool = False
    owner: str | None = None
    trusted: bool = False
    flagged: bool = False
    suspicious: int = 0
    uncompleted_jobs: int = 0
    models: list[str] = Field(default_factory=list)
    team: TeamDetailsLite = Field(default_factory=TeamDetailsLite)
    contact: str | None = None
    bridge_agent: str | None = None
    max_length: int | None = None
    max_context_length: int | None = None
    tokens_generated: float | None = None


class ActiveModelLite(HordeModel):
    name: str | None = None
    count: int = 0


class TeamDetails(TeamDetailsLite):
    info: str | None = None
    requests_fulfilled: int = 0
    kudos: float = 0.0
    uptime: int = 0
    creator: str | None = None
    worker_count: int = 0
    workers: list[WorkerDetailsLite] = Field(default_factory=list)
    models: list[ActiveModelLite] = Field(default_factory=list)


# --- status ---------------------------------------------------------------------------


class HordePerformance(HordeModel):
    queued_requests: int = 0
    queued_text_requests: int = 0
    worker_count: int = 0
    text_worker_count: int = 0
    thread_count: int = 0
    text_thread_count: int = 0
    queued_megapixelsteps: float = 0.0
    past_minute_megapixelsteps: float = 0.0
    queued_forms: float = 0.0
    interrogator_count: int = 0
    interrogator_thread_count: int = 0
    queued_tokens: float = 0.0
    past_minute_tokens: float = 0.0


class HordeModes(HordeModel):
    maintenance_mode: bool = False
    invite_only_mode: bool = False
    raid_mode: bool = False


class ActiveModel(ActiveModelLite):
    """A model served by active workers (``GET /v2/status/models``)."""

    performance: float = 0.0
    queued: float = 0.0
    jobs: float = 0.0
    eta: int = 0
    type: str | None = None


class Newspiece(HordeModel):
    date_published: str | None = None
    newspiece: str | None = None
    importance: str | None = None
    tags: list[str] = Field(default_factory=list)
    title: str | None = None
    more_info_urls: list[str] = Field(default_factory=list)


class Heartbeat(HordeModel):
    """``GET /v2/status/heartbeat``: ``message`` is OK, OVERLOADED or DOWN."""

    message: str | None = None
    version: str | None = None


class IPTimeout(HordeModel):
    """An IP block (CIDR) in timeout and the seconds it has left."""

    ipaddr: str | None = None
    seconds: int = 0


class SimpleResponse(HordeModel):
    message: str = "OK"
