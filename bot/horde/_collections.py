"""Style collections: named, shareable lists of styles of one type (text or image)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.horde._args import check_len, check_strings, only_set, raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.models import ResponseModelCollection, SimpleResponse, StyleModify

COLLECTION_SORTS: Final = frozenset({"popular", "age"})
COLLECTION_TYPES: Final = frozenset({"all", "text", "image"})


def _check_collection(name: str | None, info: str | None, styles: Sequence[str] | None) -> None:
    errors: dict[str, str] = {}
    check_len(errors, "name", name, 1, 100)
    check_len(errors, "info", info, 1, 1000)
    check_strings(errors, "styles", styles)
    raise_if(errors)


class _CollectionsMixin(_ClientBase):
    """``/v2/collections`` endpoints."""

    async def collections(
        self,
        *,
        sort: str = "popular",
        page: int = 1,
        type: str = "all",
        retries: int | None = None,
    ) -> list[ResponseModelCollection]:
        """List collections, 25 a page: ``GET /v2/collections``.

        Key: none (public collections). ``sort``: popular | age; ``page`` from 1;
        ``type``: all | text | image. Cached 30 s by the server.

        Returns:
            list of :class:`ResponseModelCollection`.

        Raises:
            HordeValidationError, RateLimited, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if sort not in COLLECTION_SORTS:
            errors["sort"] = "must be 'popular' or 'age'"
        if type not in COLLECTION_TYPES:
            errors["type"] = "must be all, text or image"
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            errors["page"] = "must be >= 1"
        raise_if(errors)
        query = {"sort": sort, "page": str(page), "type": type}
        data = await self._request("GET", "collections", query=query, retries=retries)
        return parse_list(ResponseModelCollection, data)

    async def collection(
        self, collection_id: str, *, retries: int | None = None
    ) -> ResponseModelCollection:
        """One collection: ``GET /v2/collections/{collection_id}``.

        Key: none.

        Returns:
            :class:`ResponseModelCollection`.

        Raises:
            NotFound (CollectionNotFound), RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", f"collections/{segment(collection_id)}", retries=retries)
        return parse_one(ResponseModelCollection, data)

    async def collection_by_name(
        self, name: str, *, retries: int | None = None
    ) -> ResponseModelCollection:
        """A collection by name: ``GET /v2/collection_by_name/{collection_name}``.

        Key: none. A plain name matches the first collection of that name from any user.

        Returns:
            :class:`ResponseModelCollection`.

        Raises:
            NotFound (CollectionNotFound), RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", f"collection_by_name/{segment(name)}", retries=retries)
        return parse_one(ResponseModelCollection, data)

    async def create_collection(
        self,
        name: str,
        styles: Sequence[str],
        *,
        type: str = "text",
        info: str | None = None,
        public: bool = True,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> StyleModify:
        """Create a collection: ``POST /v2/collections``.

        Key: required — a trusted or customizer account, like styles. ``styles`` are style
        NAMES (ids crash this server), all of ``type`` (text | image); ``name`` 1..100,
        ``info`` 1..1000.

        Returns:
            :class:`StyleModify` with the new collection's ``id``.

        Raises:
            HordeValidationError, NameAlreadyExists, RequiresCustomizer, NotFound
            (StyleNotFound), InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        _check_collection(name, info, styles)
        body = only_set(name=name, info=info, public=public, styles=list(styles), type=type)
        data = await self._keyed("POST", "collections", apikey, retries, json=body)
        return parse_one(StyleModify, data)

    async def modify_collection(
        self,
        collection_id: str,
        *,
        name: str | None = None,
        info: str | None = None,
        public: bool | None = None,
        styles: Sequence[str] | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> StyleModify:
        """Change a collection: ``PATCH /v2/collections/{collection_id}``.

        Key: required — the creator's or a moderator's (NotOwner). Only the options given
        are sent; ``styles`` (names) replaces the whole list.

        Returns:
            :class:`StyleModify`.

        Raises:
            HordeValidationError, NoValidActions, NotOwner, NotFound, InvalidAPIKey,
            HordeUnavailable.
        """
        _check_collection(name, info, styles)
        body = only_set(name=name, info=info, public=public, styles=styles)
        data = await self._keyed(
            "PATCH", f"collections/{segment(collection_id)}", apikey, retries, json=body
        )
        return parse_one(StyleModify, data)

    async def delete_collection(
        self, collection_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a collection: ``DELETE /v2/collections/{collection_id}``.

        Key: required — the creator's or a moderator's. Its styles are kept.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            NotOwner, NotFound, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"collections/{segment(collection_id)}", apikey, retries)
        return parse_one(SimpleResponse, data)
