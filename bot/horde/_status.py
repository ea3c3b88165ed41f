"""Horde status (performance, modes, models, news, heartbeat) and IP-timeout operations."""

from __future__ import annotations

from typing import Final

from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.errors import HordeValidationError
from bot.horde.models import (
    ActiveModel,
    Heartbeat,
    HordeModes,
    HordePerformance,
    IPTimeout,
    Newspiece,
    SimpleResponse,
)

MODEL_STATES: Final = frozenset({"known", "custom", "all"})
MAX_TIMEOUT_HOURS: Final = 720


class _StatusMixin(_ClientBase):
    """Status and moderator-operation endpoints."""

    async def performance(self, *, retries: int | None = None) -> HordePerformance:
        """Load of the Horde: ``GET /v2/status/performance`` (seed: HordeLoad).

        Key: none — public.

        Returns:
            :class:`HordePerformance` (``queued_text_requests``, ``text_worker_count``, …).

        Raises:
            RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", "status/performance", retries=retries)
        return parse_one(HordePerformance, data)

    async def modes(self, apikey: str | None = None, *, retries: int | None = None) -> HordeModes:
        """Maintenance / invite-only / raid modes: ``GET /v2/status/modes`` (seed: HordeModes).

        Key: optional — sent only when given; a non-moderator key gets 403.

        Limit: 30 a minute.

        Returns:
            :class:`HordeModes`.

        Raises:
            Forbidden (NotModerator), RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", "status/modes", apikey=apikey, retries=retries)
        return parse_one(HordeModes, data)

    async def models(
        self,
        type: str = "text",
        min_count: int | None = None,
        max_count: int | None = None,
        model_state: str = "all",
        *,
        retries: int | None = None,
    ) -> list[ActiveModel]:
        """Models served now: ``GET /v2/status/models?type=text`` (seed: Models).

        Key: none — public.

        Args:
            type: text | image (default text — the Horde's own default is image!).
            min_count / max_count: only models served by at least / at most this many
                workers (None: not sent).
            model_state: known | custom | all (default all).

        Returns:
            list of :class:`ActiveModel`. (``/status/models/{name}`` cannot match names
            containing ``/``; filter this list instead.)

        Raises:
            HordeValidationError (model_state), RateLimited, HordeUnavailable.
        """
        if model_state not in MODEL_STATES:
            raise HordeValidationError(
                "model_state: must be known, custom or all",
                errors={"model_state": "must be known, custom or all"},
            )
        query = {"type": type, "model_state": model_state}
        if min_count is not None:
            query["min_count"] = str(min_count)
        if max_count is not None:
            query["max_count"] = str(max_count)
        data = await self._request("GET", "status/models", query=query, retries=retries)
        return parse_list(ActiveModel, data)

    async def news(self, *, retries: int | None = None) -> list[Newspiece]:
        """Horde news: ``GET /v2/status/news`` (seed: HordeNews).

        Key: none — public.

        Returns:
            list of :class:`Newspiece`.

        Raises:
            RateLimited, HordeUnavailable.
        """
        return parse_list(Newspiece, await self._request("GET", "status/news", retries=retries))

    async def heartbeat(self, *, retries: int | None = None) -> Heartbeat:
        """Is the Horde up: ``GET /v2/status/heartbeat`` (seed: Heartbeat). Never rate limited.

        Key: none — public.

        Returns:
            :class:`Heartbeat` (``message`` OK | OVERLOADED | DOWN, ``version``).

        Raises:
            HordeUnavailable.
        """
        data = await self._request("GET", "status/heartbeat", retries=retries)
        return parse_one(Heartbeat, data)

    async def ip_timeouts(
        self, *, apikey: str | None = None, retries: int | None = None
    ) -> list[IPTimeout]:
        """IP blocks in timeout: ``GET /v2/operations/ipaddr`` (seed: OperationsIP).

        Key: required — a moderator's.

        Returns:
            list of :class:`IPTimeout` (CIDR blocks and the seconds left).

        Raises:
            Forbidden (NotModerator), InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET", "operations/ipaddr", apikey=self._key(apikey, required=True), retries=retries
        )
        return parse_list(IPTimeout, data)

    async def ip_timeout(
        self, ipaddr: str, *, apikey: str | None = None, retries: int | None = None
    ) -> list[IPTimeout]:
        """Timeouts matching one IP: ``GET /v2/operations/ipaddr/{ipaddr}`` (seed: OperationsIP).

        Key: required — a moderator's.

        Returns:
            list of :class:`IPTimeout` (empty when the IP is not in timeout).

        Raises:
            Forbidden (NotModerator), InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET",
            f"operations/ipaddr/{segment(ipaddr)}",
            apikey=self._key(apikey, required=True),
            retries=retries,
        )
        return parse_list(IPTimeout, data)

    async def add_ip_timeout(
        self,
        ipaddr: str,
        hours: int,
        *,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> SimpleResponse:
        """Put an IP or CIDR in timeout: ``POST /v2/operations/ipaddr`` (seed: OperationsIP).

        Key: required — a moderator's.

        Args:
            ipaddr: an IP address or CIDR block (7..40 characters).
            hours: 1..720.
            apikey: a moderator's key (default: the client's key).
            retries: only a connection that could not be established is retried.

        Returns:
            :class:`SimpleResponse` (``message`` "OK").

        Raises:
            HordeValidationError, Forbidden (NotModerator), InvalidAPIKey, HordeUnavailable.
        """
        if isinstance(hours, bool) or not isinstance(hours, int):
            hours = -1
        if not 1 <= hours <= MAX_TIMEOUT_HOURS:
            raise HordeValidationError(
                f"hours: must be an integer in 1..{MAX_TIMEOUT_HOURS}",
                errors={"hours": f"must be an integer in 1..{MAX_TIMEOUT_HOURS}"},
            )
        data = await self._request(
            "POST",
            "operations/ipaddr",
            apikey=self._key(apikey, required=True),
            json={"ipaddr": ipaddr, "hours": hours},
            idempotent=False,
            retries=retries,
        )
        return parse_one(SimpleResponse, data)

    async def remove_ip_timeout(
        self, ipaddr: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Lift an IP timeout: ``DELETE /v2/operations/ipaddr`` (seed: OperationsIP).

        Key: required — a moderator's.

        Args:
            ipaddr: the IP address or CIDR block, as listed by :meth:`ip_timeouts`.
            apikey: a moderator's key (default: the client's key).
            retries: only a connection that could not be established is retried.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            Forbidden (NotModerator), InvalidAPIKey, HordeUnavailable.
        """
        data = await self._request(
            "DELETE",
            "operations/ipaddr",
            apikey=self._key(apikey, required=True),
            json={"ipaddr": ipaddr},
            idempotent=False,
            retries=retries,
        )
        return parse_one(SimpleResponse, data)
