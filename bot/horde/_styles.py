"""Text styles: shared prompt templates with their params and models.

A request that names a style (``generate_async(style=id)``) gets the style's params and
models instead of its own (only ``n`` is kept) and its prompt wrapped by the style's
``{p}``. Reads are cached 30 s by the server; about 20 style requests an hour per IP,
listing included, so callers should cache what they show.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from bot.horde._args import check_len, check_strings, only_set, raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.errors import HordeValidationError, NameAlreadyExists
from bot.horde.models import ModelStyleInputParamsKobold, SimpleResponse, StyleKobold, StyleModify
from bot.horde.params import validate_params

STYLE_SORTS: Final = frozenset({"popular", "age"})
MAX_STYLE_MODELS: Final = 5
MAX_STYLE_TAGS: Final = 10
DEFAULT_STYLE_PROMPT: Final = "{p}"
MIN_PATCH_PROMPT: Final = 7

StyleParams = ModelStyleInputParamsKobold | Mapping[str, Any] | None


def style_params(params: StyleParams) -> dict[str, Any] | None:
    """The ``params`` to send (only the keys set), checked against the Horde's limits."""
    if params is None:
        return None
    if isinstance(params, ModelStyleInputParamsKobold):
        params = params.model_dump(exclude_none=True)
    return validate_params(params)


def check_style(
    name: str | None,
    prompt: str | None,
    models: Sequence[str] | None,
    info: str | None,
    tags: Sequence[str] | None,
) -> None:
    """The limits of ``ModelStyleInputKobold``: name 1..100, info 10..1000, 1..5 models,
    at most 10 tags, a prompt holding {p}."""
    errors: dict[str, str] = {}
    check_strings(errors, "tags", tags)
    if tags is not None and len(tags) > MAX_STYLE_TAGS:
        errors["tags"] = f"at most {MAX_STYLE_TAGS} tags"
    check_len(errors, "name", name, 1, 100)
    check_len(errors, "info", info, 10, 1000)
    check_strings(errors, "models", models)
    if models is not None and "models" not in errors and not 1 <= len(models) <= MAX_STYLE_MODELS:
        errors["models"] = f"must name 1..{MAX_STYLE_MODELS} models"
    if prompt is not None and "{p}" not in prompt:
        errors["prompt"] = "must contain {p}, where the request's prompt goes"
    raise_if(errors)


def _kept_prompt(prompt: str) -> str | None:
    """The current prompt to resend on PATCH, or None when the server's reset gives it back.

    A PATCH prompt must be at least 7 characters (the swagger's ``ModelStylePatchKobold``):
    the default ``{p}`` cannot be resent, and need not be, since it is what a reset sets.
    """
    return None if prompt == DEFAULT_STYLE_PROMPT else prompt


@contextlib.contextmanager
def _name_conflicts() -> Iterator[None]:
    """The server refuses a style name its author already used with a plain 400 BadRequest
    ("… already exists …"); raise that as NameAlreadyExists, still a HordeValidationError."""
    try:
        yield
    except HordeValidationError as exc:
        if exc.rc != "BadRequest" or "already exists" not in exc.message:
            raise
        raise NameAlreadyExists(exc.message, status=exc.status, rc=exc.rc) from None


class _StylesMixin(_ClientBase):
    """``/v2/styles/text`` endpoints."""

    async def text_styles(
        self,
        *,
        sort: str = "popular",
        page: int = 1,
        tag: str | None = None,
        model: str | None = None,
        retries: int | None = None,
    ) -> list[StyleKobold]:
        """List text styles, 25 a page: ``GET /v2/styles/text``.

        Key: none (public styles only). ``sort``: popular | age; ``page`` from 1; ``tag``
        and ``model`` filter (None: not sent).

        Returns:
            list of :class:`StyleKobold`.

        Raises:
            HordeValidationError, RateLimited, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if sort not in STYLE_SORTS:
            errors["sort"] = "must be 'popular' or 'age'"
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            errors["page"] = "must be >= 1"
        raise_if(errors)
        query = {"sort": sort, "page": str(page)}
        if tag is not None:
            query["tag"] = tag
        if model is not None:
            query["model"] = model
        data = await self._request("GET", "styles/text", query=query, retries=retries)
        return parse_list(StyleKobold, data)

    async def text_style(self, style_id: str, *, retries: int | None = None) -> StyleKobold:
        """One text style: ``GET /v2/styles/text/{style_id}``.

        Key: none (a private style is readable by whoever has its id).

        Returns:
            :class:`StyleKobold`.

        Raises:
            NotFound (Text styleNotFound), RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", f"styles/text/{segment(style_id)}", retries=retries)
        return parse_one(StyleKobold, data)

    async def text_style_by_name(self, name: str, *, retries: int | None = None) -> StyleKobold:
        """A text style by name: ``GET /v2/styles/text_by_name/{style_name}``.

        Key: none. Names are unique per user only: a plain name matches the first style of
        that name from any user, so prefer ids.

        Returns:
            :class:`StyleKobold`.

        Raises:
            NotFound, RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", f"styles/text_by_name/{segment(name)}", retries=retries)
        return parse_one(StyleKobold, data)

    async def create_text_style(
        self,
        name: str,
        prompt: str,
        models: Sequence[str],
        *,
        info: str | None = None,
        params: StyleParams = None,
        public: bool = True,
        nsfw: bool = False,
        tags: Sequence[str] = (),
        sharedkey: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> StyleModify:
        """Create a text style: ``POST /v2/styles/text``.

        Key: required — a trusted or customizer account (StylesRequiresCustomizer;
        anonymous: StylesAnonForbidden). ``name`` 1..100, ``prompt`` holds ``{p}``,
        ``models`` 1..5, ``info`` 10..1000, ``params`` a :class:`ModelStyleInputParamsKobold`
        or mapping (checked like generation params), ``tags`` at most 10, ``sharedkey``: a
        shared key of yours whose kudos pay for requests using the style. A name you already
        used is refused (the server's 400 BadRequest, raised as NameAlreadyExists).

        Returns:
            :class:`StyleModify` with the new style's ``id`` (and ``warnings``).

        Raises:
            HordeValidationError, NameAlreadyExists, RequiresCustomizer, Forbidden
            (SharedKeyAssignedStyles), InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        check_style(name, prompt, models, info, tags)
        body = only_set(
            name=name,
            info=info,
            prompt=prompt,
            params=style_params(params),
            public=public,
            nsfw=nsfw,
            tags=list(tags),
            models=list(models),
            sharedkey=sharedkey,
        )
        with _name_conflicts():
            data = await self._keyed("POST", "styles/text", apikey, retries, json=body)
        return parse_one(StyleModify, data)

    async def modify_text_style(
        self,
        style_id: str,
        *,
        name: str | None = None,
        prompt: str | None = None,
        models: Sequence[str] | None = None,
        info: str | None = None,
        params: StyleParams = None,
        public: bool | None = None,
        nsfw: bool | None = None,
        tags: Sequence[str] | None = None,
        sharedkey: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> StyleModify:
        """Change a text style: ``PATCH /v2/styles/text/{style_id}``.

        Key: required — the style's creator or a moderator (NotOwner). The server needs
        ``name`` and resets ``prompt``, ``public`` and ``nsfw`` to their defaults when they
        are not sent, so this reads the style first (``GET /v2/styles/text/{style_id}``)
        and resends those the caller left out (a ``{p}`` prompt is the default and is not
        resent: a changed prompt must be 7+ characters). Limits as for
        :meth:`create_text_style`.

        Returns:
            :class:`StyleModify`.

        Raises:
            HordeValidationError, NameAlreadyExists, NotOwner, NotFound, InvalidAPIKey,
            RateLimited, HordeUnavailable.
        """
        check_style(name, prompt, models, info, tags)
        if prompt is not None and len(prompt) < MIN_PATCH_PROMPT:
            raise_if({"prompt": f"must be at least {MIN_PATCH_PROMPT} characters on a change"})
        current = await self.text_style(style_id, retries=retries)
        body = only_set(
            name=name if name is not None else current.name,
            info=info,
            prompt=prompt if prompt is not None else _kept_prompt(current.prompt),
            params=style_params(params),
            public=public if public is not None else current.public,
            nsfw=nsfw if nsfw is not None else current.nsfw,
            tags=tags,
            models=models,
            sharedkey=sharedkey,
        )
        with _name_conflicts():
            data = await self._keyed(
                "PATCH", f"styles/text/{segment(style_id)}", apikey, retries, json=body
            )
        return parse_one(StyleModify, data)

    async def delete_text_style(
        self, style_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a text style: ``DELETE /v2/styles/text/{style_id}``.

        Key: required — the creator's or a moderator's (NotOwner otherwise).

        Returns:
            :class:`SimpleResponse`.

        Raises:
            NotOwner, NotFound, InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"styles/text/{segment(style_id)}", apikey, retries)
        return parse_one(SimpleResponse, data)
