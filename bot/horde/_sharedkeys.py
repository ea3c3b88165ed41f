"""Shared keys: a user's kudos lent to others under a cap, an expiry and per-job limits.

The key string is its own id: whoever holds it can send it as ``apikey`` to generate on the
owner's kudos. The server answers an unknown or deleted shared key with 401 InvalidAPIKey;
the methods here raise that as :class:`SharedKeyNotFound` (still an InvalidAPIKey), and a
refused fourth key as :class:`SharedKeyTooMany` (still a Forbidden).
"""

from __future__ import annotations

from typing import Any, Final

from bot.horde._args import check_int, check_len, only_set, raise_if
from bot.horde._base import _ClientBase, parse_one
from bot.horde._transport import segment
from bot.horde.errors import (
    Forbidden,
    InvalidAPIKey,
    NotOwner,
    SharedKeyNotFound,
    SharedKeyTooMany,
)
from bot.horde.models import SharedKeyDetails, SimpleResponse

MAX_SHARED_KEY_KUDOS: Final = 50_000_000
MAX_IMAGE_PIXELS: Final = 4_194_304
MAX_IMAGE_STEPS: Final = 500
MAX_TEXT_TOKENS: Final = 500


def _check_limits(fields: dict[str, Any]) -> None:
    """The swagger's ``SharedKeyInput`` limits, for the fields being sent."""
    errors: dict[str, str] = {}
    limits = {
        "kudos": (-1, MAX_SHARED_KEY_KUDOS),
        "expiry": (-1, 2**31 - 1),
        "max_image_pixels": (-1, MAX_IMAGE_PIXELS),
        "max_image_steps": (-1, MAX_IMAGE_STEPS),
        "max_text_tokens": (-1, MAX_TEXT_TOKENS),
    }
    for name, (low, high) in limits.items():
        if name in fields:
            check_int(errors, name, fields[name], low, high)
    check_len(errors, "name", fields.get("name"), 3, 255)
    raise_if(errors)


def _shared_key_error(exc: Forbidden | InvalidAPIKey) -> Exception:
    """The typed error for a shared-key answer (the server reuses generic rcs for these)."""
    cls: type[Forbidden | InvalidAPIKey]
    if isinstance(exc, InvalidAPIKey):
        cls = SharedKeyNotFound
    else:
        cls = NotOwner if exc.rc == "Forbidden" else type(exc)
    return cls(exc.message, status=exc.status, rc=exc.rc, errors=exc.errors)


class _SharedKeysMixin(_ClientBase):
    """``/v2/sharedkeys`` endpoints."""

    async def create_shared_key(
        self,
        *,
        kudos: int = 5000,
        expiry: int = -1,
        name: str | None = None,
        max_image_pixels: int | None = None,
        max_image_steps: int | None = None,
        max_text_tokens: int | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> SharedKeyDetails:
        """Create a shared key: ``PUT /v2/sharedkeys``.

        Key: required — the owner's (anonymous: AnonForbidden). 3 keys per user, 10 when
        trusted; one more is 403 (:class:`SharedKeyTooMany`). About 5 creations a minute
        per IP.

        Args:
            kudos: cap on the kudos it may spend, -1..50,000,000 (default 5000; -1: no cap).
            expiry: days it stays valid, -1 for never (default).
            name: 3..255 characters. max_image_pixels (..4194304), max_image_steps (..500),
                max_text_tokens (..500): per-job limits, -1 unlimited (None: not sent).

        Returns:
            :class:`SharedKeyDetails`; its ``id`` is the key to hand out.

        Raises:
            HordeValidationError, SharedKeyTooMany, Forbidden (AnonForbidden), InvalidAPIKey,
            RateLimited, HordeUnavailable.
        """
        body = only_set(
            kudos=kudos,
            expiry=expiry,
            name=name,
            max_image_pixels=max_image_pixels,
            max_image_steps=max_image_steps,
            max_text_tokens=max_text_tokens,
        )
        _check_limits(body)
        try:
            data = await self._keyed("PUT", "sharedkeys", apikey, retries, json=body)
        except Forbidden as exc:
            if exc.rc != "Forbidden":
                raise
            raise SharedKeyTooMany(exc.message, status=exc.status, rc=exc.rc) from None
        return parse_one(SharedKeyDetails, data)

    async def shared_key(
        self, sharedkey_id: str, *, retries: int | None = None
    ) -> SharedKeyDetails:
        """One shared key: ``GET /v2/sharedkeys/{sharedkey_id}``.

        Key: none — the shared key's id is the capability. Cached 60 s by the server.

        Returns:
            :class:`SharedKeyDetails`.

        Raises:
            SharedKeyNotFound (401 InvalidAPIKey: deleted or unknown), RateLimited,
            HordeUnavailable.
        """
        try:
            data = await self._request(
                "GET", f"sharedkeys/{segment(sharedkey_id)}", retries=retries
            )
        except InvalidAPIKey as exc:
            raise _shared_key_error(exc) from None
        return parse_one(SharedKeyDetails, data)

    async def modify_shared_key(
        self,
        sharedkey_id: str,
        *,
        kudos: int | None = None,
        expiry: int | None = None,
        name: str | None = None,
        max_image_pixels: int | None = None,
        max_image_steps: int | None = None,
        max_text_tokens: int | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> SharedKeyDetails:
        """Change a shared key: ``PATCH /v2/sharedkeys/{sharedkey_id}``.

        Key: required — the owner's (others: :class:`NotOwner`, the server's 403
        "Forbidden"). Options and limits as for :meth:`create_shared_key`; only those
        given are sent (none: 400 NoSharedKeyModSelected). ``expiry`` counts from today.

        Returns:
            :class:`SharedKeyDetails`.

        Raises:
            HordeValidationError, NoValidActions, SharedKeyNotFound, NotOwner,
            InvalidAPIKey, HordeUnavailable.
        """
        body = only_set(
            kudos=kudos,
            expiry=expiry,
            name=name,
            max_image_pixels=max_image_pixels,
            max_image_steps=max_image_steps,
            max_text_tokens=max_text_tokens,
        )
        _check_limits(body)
        data = await self._owner_call("PATCH", sharedkey_id, body, apikey, retries)
        return parse_one(SharedKeyDetails, data)

    async def delete_shared_key(
        self, sharedkey_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a shared key: ``DELETE /v2/sharedkeys/{sharedkey_id}``.

        Key: required — the owner's. Requests already queued with it keep running.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            SharedKeyNotFound, NotOwner, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._owner_call("DELETE", sharedkey_id, None, apikey, retries)
        return parse_one(SimpleResponse, data)

    async def _owner_call(
        self,
        method: str,
        sharedkey_id: str,
        body: dict[str, Any] | None,
        apikey: str | None,
        retries: int | None,
    ) -> Any:
        try:
            return await self._request(
                method,
                f"sharedkeys/{segment(sharedkey_id)}",
                apikey=self._key(apikey, required=True),
                json=body,
                retries=retries,
            )
        except InvalidAPIKey as exc:
            # The shared key is looked up before the owner's key: "Shared" names which failed.
            if "shared" in exc.message.lower():
                raise _shared_key_error(exc) from None
            raise
        except Forbidden as exc:
            raise _shared_key_error(exc) from None
