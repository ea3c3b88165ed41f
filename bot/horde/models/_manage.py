"""Answers of the management operations: modify/delete workers, users and teams, awards."""

from __future__ import annotations

from bot.horde.models._core import HordeModel

__all__ = [
    "DeletedTeam",
    "DeletedWorker",
    "KudosAwarded",
    "ModifyTeam",
    "ModifyUser",
    "ModifyWorker",
]


class ModifyWorker(HordeModel):
    """``PUT /v2/workers/{id}``: only the fields that were changed are set."""

    maintenance: bool | None = None
    paused: bool | None = None
    info: str | None = None
    name: str | None = None
    team: str | None = None


class DeletedWorker(HordeModel):
    deleted_id: str | None = None
    deleted_name: str | None = None


class ModifyUser(HordeModel):
    """``PUT /v2/users/{id}``: only the fields that were changed are set."""

    new_kudos: float | None = None
    concurrency: int | None = None
    usage_multiplier: float | None = None
    worker_invited: int | None = None
    moderator: bool | None = None
    public_workers: bool | None = None
    username: str | None = None
    monthly_kudos: int | None = None
    trusted: bool | None = None
    flagged: bool | None = None
    customizer: bool | None = None
    vpn: bool | None = None
    service: bool | None = None
    education: bool | None = None
    special: bool | None = None
    undeleted: bool | None = None
    new_suspicion: int | None = None
    contact: str | None = None
    admin_comment: str | None = None
    proxy_passkey: str | None = None


class ModifyTeam(HordeModel):
    """Answer to creating or changing a team."""

    id: str | None = None
    name: str | None = None
    info: str | None = None


class DeletedTeam(HordeModel):
    deleted_id: str | None = None
    deleted_name: str | None = None


class KudosAwarded(HordeModel):
    awarded: float = 0.0
