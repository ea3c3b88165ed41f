"""Filters, worker messages, text statistics and the Horde's documents."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.horde.models._core import HordeModel

__all__ = [
    "FilterDetails",
    "FilterPromptSuspicion",
    "FilterRegex",
    "HordeDocument",
    "ResponseModelMessage",
    "SinglePeriodTxtStat",
    "StatsTxtTotals",
    "TxtModelStats",
]


class FilterDetails(HordeModel):
    """A prompt filter: ``filter_type`` 10..29 groups regexes (10 CSAM, 11 minors, …)."""

    id: str | None = None
    regex: str | None = None
    filter_type: int | None = None
    description: str | None = None
    replacement: str = ""
    user: str | None = None


class FilterRegex(HordeModel):
    """All regexes of one filter type, joined in one pattern."""

    filter_type: int | None = None
    regex: str | None = None


class FilterPromptSuspicion(HordeModel):
    """How suspicious a prompt is, and the parts that matched."""

    suspicion: int = 0
    matches: list[str] = Field(default_factory=list)


class ResponseModelMessage(HordeModel):
    """A message to a worker's owner (shown on the worker's pops until it expires)."""

    id: str | None = None
    worker_id: str | None = None
    message: str | None = None
    origin: str | None = None
    expiry: Any = None  # hours when sent; the server answers with a date


class SinglePeriodTxtStat(HordeModel):
    requests: int = 0
    tokens: int = 0


class StatsTxtTotals(HordeModel):
    """Text requests and tokens served per minute, hour, day, month and in total."""

    minute: SinglePeriodTxtStat = Field(default_factory=SinglePeriodTxtStat)
    hour: SinglePeriodTxtStat = Field(default_factory=SinglePeriodTxtStat)
    day: SinglePeriodTxtStat = Field(default_factory=SinglePeriodTxtStat)
    month: SinglePeriodTxtStat = Field(default_factory=SinglePeriodTxtStat)
    total: SinglePeriodTxtStat = Field(default_factory=SinglePeriodTxtStat)


class TxtModelStats(HordeModel):
    """Requests per model name, over the last day, month and in total."""

    day: dict[str, int] = Field(default_factory=dict)
    month: dict[str, int] = Field(default_factory=dict)
    total: dict[str, int] = Field(default_factory=dict)


class HordeDocument(HordeModel):
    """A Horde document (privacy, sponsors, terms) in the format asked for."""

    html: str | None = None
    markdown: str | None = None
