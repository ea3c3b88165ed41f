"""Moderators' tools: prompt filters and messages to worker owners.

Filters are moderator-only; ``filter_type`` groups regexes (10..29: 10 CSAM, 11 minors,
20+ replacements, …). Filter reads are cached 10 s by the server.
"""

from __future__ import annotations

from typing import Any, Final

from bot.horde._args import check_int, check_len, only_set, raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.models import (
    FilterDetails,
    FilterPromptSuspicion,
    FilterRegex,
    ResponseModelMessage,
    SimpleResponse,
)

MESSAGE_VALIDITY: Final = frozenset({"active", "expired", "all"})
MAX_MESSAGE_HOURS: Final = 720


def _check_filter(filter_type: int | None, description: str | None = None) -> None:
    errors: dict[str, str] = {}
    if filter_type is not None:
        check_int(errors, "filter_type", filter_type, 10, 29)
    check_len(errors, "description", description, 1, 1000)
    raise_if(errors)


class _ModerationMixin(_ClientBase):
    """``/v2/filters`` and ``/v2/workers/messages`` endpoints."""

    async def filters(
        self,
        *,
        filter_type: int | None = None,
        contains: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> list[FilterDetails]:
        """List prompt filters: ``GET /v2/filters``.

        Key: required, a moderator's. ``filter_type`` 10..29 and ``contains`` (a part of
        the regex or description) narrow the list; None: not sent.

        Returns:
            list of :class:`FilterDetails`.

        Raises:
            HordeValidationError, NotModerator, InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        _check_filter(filter_type)
        query: dict[str, str] = {}
        if filter_type is not None:
            query["filter_type"] = str(filter_type)
        if contains is not None:
            query["contains"] = contains
        data = await self._keyed("GET", "filters", apikey, retries, query=query)
        return parse_list(FilterDetails, data)

    async def filter(
        self, filter_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> FilterDetails:
        """One prompt filter: ``GET /v2/filters/{filter_id}``.

        Key: required, a moderator's. (The swagger says a list; the server sends one.)

        Returns:
            :class:`FilterDetails`.

        Raises:
            NotFound (FilterNotFound), NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("GET", f"filters/{segment(filter_id)}", apikey, retries)
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        return parse_one(FilterDetails, data)

    async def filter_regex(
        self,
        *,
        filter_type: int | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> list[FilterRegex]:
        """The compiled regex of each filter type: ``GET /v2/filters/regex``.

        Key: required, a moderator's. ``filter_type`` 10..29 (None: every type).

        Returns:
            list of :class:`FilterRegex`.

        Raises:
            HordeValidationError, NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        _check_filter(filter_type)
        query = {"filter_type": str(filter_type)} if filter_type is not None else None
        data = await self._keyed("GET", "filters/regex", apikey, retries, query=query)
        return parse_list(FilterRegex, data)

    async def add_filter(
        self,
        regex: str,
        filter_type: int,
        *,
        description: str | None = None,
        replacement: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> FilterDetails:
        """Add a prompt filter: ``PUT /v2/filters``.

        Key: required, a moderator's. ``filter_type`` 10..29; ``replacement`` (default "")
        is what a match is replaced with in replacement filters.

        Returns:
            :class:`FilterDetails` of the new filter (HTTP 201).

        Raises:
            HordeValidationError, NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        _check_filter(filter_type, description)
        body = only_set(
            regex=regex, filter_type=filter_type, description=description, replacement=replacement
        )
        data = await self._keyed("PUT", "filters", apikey, retries, json=body)
        return parse_one(FilterDetails, data)

    async def check_prompt(
        self,
        prompt: str,
        *,
        filter_type: int | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> FilterPromptSuspicion:
        """How suspicious a prompt is: ``POST /v2/filters``.

        Key: required, a moderator's. Nothing is stored (a POST only because the prompt
        travels in the body), so it is retried like a read.

        Returns:
            :class:`FilterPromptSuspicion` (``suspicion`` and the ``matches``).

        Raises:
            HordeValidationError, NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        _check_filter(filter_type)
        data = await self._keyed(
            "POST",
            "filters",
            apikey,
            retries,
            json=only_set(prompt=prompt, filter_type=filter_type),
            idempotent=True,
        )
        return parse_one(FilterPromptSuspicion, data)

    async def modify_filter(
        self,
        filter_id: str,
        *,
        regex: str | None = None,
        filter_type: int | None = None,
        description: str | None = None,
        replacement: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> FilterDetails:
        """Change a prompt filter: ``PATCH /v2/filters/{filter_id}``.

        Key: required, a moderator's. Only the options given are sent (none: 400
        NoFilterModSelected).

        Returns:
            :class:`FilterDetails`.

        Raises:
            HordeValidationError, NoValidActions, NotFound (FilterNotFound), NotModerator,
            InvalidAPIKey, HordeUnavailable.
        """
        _check_filter(filter_type, description)
        body = only_set(
            regex=regex, filter_type=filter_type, description=description, replacement=replacement
        )
        data = await self._keyed(
            "PATCH", f"filters/{segment(filter_id)}", apikey, retries, json=body
        )
        return parse_one(FilterDetails, data)

    async def delete_filter(
        self, filter_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a prompt filter: ``DELETE /v2/filters/{filter_id}``.

        Key: required, a moderator's.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            NotFound (FilterNotFound), NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"filters/{segment(filter_id)}", apikey, retries)
        return parse_one(SimpleResponse, data)

    async def worker_messages(
        self,
        *,
        user_id: int | str | None = None,
        worker_id: str | None = None,
        validity: str = "active",
        page: int = 1,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> list[ResponseModelMessage]:
        """Messages to worker owners: ``GET /v2/workers/messages``.

        Key: required. A moderator sees every message; an owner only those to their
        workers. ``validity``: active | expired | all; ``page`` from 1, 50 a page.

        Returns:
            list of :class:`ResponseModelMessage`.

        Raises:
            HordeValidationError, NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if validity not in MESSAGE_VALIDITY:
            errors["validity"] = "must be active, expired or all"
        check_int(errors, "page", page, 1, 2**31 - 1)
        raise_if(errors)
        query: dict[str, str] = {"validity": validity, "page": str(page)}
        if user_id is not None:
            query["user_id"] = str(user_id)
        if worker_id is not None:
            query["worker_id"] = worker_id
        data = await self._keyed("GET", "workers/messages", apikey, retries, query=query)
        return parse_list(ResponseModelMessage, data)

    async def worker_message(
        self, message_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> ResponseModelMessage:
        """One message: ``GET /v2/workers/messages/{message_id}``.

        Key: optional, sent only when given (the swagger takes none; the id is enough).

        Returns:
            :class:`ResponseModelMessage`.

        Raises:
            NotFound (WorkermessageNotFound), RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET", f"workers/messages/{segment(message_id)}", apikey=apikey, retries=retries
        )
        return parse_one(ResponseModelMessage, data)

    async def send_worker_message(
        self,
        message: str,
        *,
        worker_id: str | None = None,
        origin: str | None = None,
        expiry: int = 12,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> ResponseModelMessage:
        """Message a worker's owner: ``POST /v2/workers/messages``.

        Key: required. Moderators may message any worker (or all: ``worker_id`` None);
        others only their own workers (MessagesOnlyOwnWorkers). ``message`` 1..10240
        characters, ``origin`` 1..255, ``expiry`` 1..720 hours (default 12). The server
        caches this POST for 60 s: a second message within a minute returns the first.

        Returns:
            :class:`ResponseModelMessage` with its ``id``.

        Raises:
            HordeValidationError, Forbidden (MessagesOnlyOwnWorkers), NotFound
            (WorkerNotFound), InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_len(errors, "message", message, 1, 10240)
        check_len(errors, "origin", origin, 1, 255)
        check_int(errors, "expiry", expiry, 1, MAX_MESSAGE_HOURS)
        raise_if(errors)
        body: dict[str, Any] = only_set(
            message=message, worker_id=worker_id, origin=origin, expiry=expiry
        )
        data = await self._keyed(
            "POST", "workers/messages", apikey, retries, json=body, idempotent=False
        )
        return parse_one(ResponseModelMessage, data)

    async def delete_worker_message(
        self, message_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a message: ``DELETE /v2/workers/messages/{message_id}``.

        Key: required — a moderator's, or the sender's.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            NotFound (WorkermessageNotFound), NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed(
            "DELETE", f"workers/messages/{segment(message_id)}", apikey, retries
        )
        return parse_one(SimpleResponse, data)
