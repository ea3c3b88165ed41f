"""Text styles and style collections: trusted or customizer accounts create, the creator or
a moderator changes and deletes, everyone reads public ones (pages of 25)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.horde.common import (
    body_of,
    int_param,
    is_moderator,
    not_owner,
    ok,
    require_user,
    state_of,
)
from tests.fakes.horde.errors import HordeError, not_found
from tests.fakes.horde.models import User
from tests.fakes.horde.records import Collection, Records, Style
from tests.fakes.horde.swagger_schema import given, validated

routes = web.RouteTableDef()

PER_PAGE = 25
MAX_MODELS = 5
MAX_TAGS = 10


def style_view(style: Style) -> dict[str, Any]:
    return {
        "id": style.id,
        "name": style.name,
        "info": style.info,
        "prompt": style.prompt,
        "params": style.params,
        "public": style.public,
        "nsfw": style.nsfw,
        "tags": style.tags,
        "models": style.models,
        "use_count": style.use_count,
        "creator": style.creator.username,
        "sharedkey": style.sharedkey,
    }


def collection_view(collection: Collection) -> dict[str, Any]:
    return {
        "id": collection.id,
        "name": collection.name,
        "type": collection.type,
        "info": collection.info,
        "public": collection.public,
        "styles": [{"name": s.name, "id": s.id} for s in collection.styles],
        "use_count": collection.use_count,
    }


def _page(items: list[Any], request: web.Request) -> list[Any]:
    page = max(1, int_param(request, "page", 1) or 1)
    if request.query.get("sort", "popular") == "popular":
        items = sorted(items, key=lambda i: i.use_count, reverse=True)
    return items[(page - 1) * PER_PAGE : page * PER_PAGE]


def _require_customizer(request: web.Request) -> User:
    user = require_user(request)
    if not (user.customizer or user.trusted):
        raise HordeError(403, "StylesRequiresCustomizer", "Only customizers can create styles.")
    if user.is_anonymous:
        raise HordeError(403, "StylesAnonForbidden", "Anonymous users cannot create styles.")
    return user


def _check_style_body(
    records: Records, user: User, body: dict[str, Any], style: Style | None
) -> None:
    models = body.get("models")
    if models is not None and not 1 <= len(models) <= MAX_MODELS:
        raise HordeError(400, "BadRequest", "A style has to specify 1 to 5 models.")
    if len(body.get("tags") or []) > MAX_TAGS:
        raise HordeError(400, "BadRequest", "A style can be tagged a maximum of 10 times.")
    prompt = body.get("prompt")
    if prompt is not None and "{p}" not in prompt:
        raise HordeError(400, "StylePromptMissingVars", "A style prompt needs {p}.")
    name = body.get("name")
    for other in records.styles.values():
        if other.creator is user and other.name == name and other is not style:
            raise HordeError(400, "BadRequest", f"Style with name '{name}' already exists.")


def _owned_style(request: web.Request) -> tuple[Style, User]:
    records = state_of(request).records
    user = require_user(request)
    style = records.styles.get(request.match_info["id"])
    if style is None:
        raise not_found("StyleNotFound", "Text Style")
    if style.creator is not user and not is_moderator(user):
        raise not_owner("style")
    return style, user


@routes.get("/api/v2/styles/text")
async def list_styles(request: web.Request) -> web.Response:
    styles = [s for s in state_of(request).records.styles.values() if s.public]
    if "tag" in request.query:
        styles = [s for s in styles if request.query["tag"] in s.tags]
    if "model" in request.query:
        styles = [s for s in styles if request.query["model"] in s.models]
    return ok([style_view(s) for s in _page(styles, request)])


@routes.get("/api/v2/styles/text/{id}")
async def get_style(request: web.Request) -> web.Response:
    style = state_of(request).records.styles.get(request.match_info["id"])
    if style is None:
        raise not_found("StyleNotFound", "Text Style")
    return ok(style_view(style))


@routes.get("/api/v2/styles/text_by_name/{name}")
async def style_by_name(request: web.Request) -> web.Response:
    style = state_of(request).records.style_by_name(request.match_info["name"])
    if style is None:
        raise not_found("StyleNotFound", "Style")
    return ok(style_view(style))


@routes.post("/api/v2/styles/text")
async def create_style(request: web.Request) -> web.Response:
    records = state_of(request).records
    user = _require_customizer(request)
    body = given(body_of(request), "ModelStyleInputKobold")
    if not body.get("models"):
        raise HordeError(400, "BadRequest", "A style has to specify at least one model.")
    _check_style_body(records, user, body, None)
    fields = {
        k: body[k]
        for k in ("prompt", "models", "params", "info", "public", "nsfw", "tags")
        if k in body
    }
    style = records.add_style(
        body["name"], user, sharedkey=(body_of(request) or {}).get("sharedkey"), **fields
    )
    return ok({"id": style.id, "message": "OK", "warnings": []})


@routes.patch("/api/v2/styles/text/{id}")
async def modify_style(request: web.Request) -> web.Response:
    style, user = _owned_style(request)
    body = given(body_of(request), "ModelStylePatchKobold")
    _check_style_body(state_of(request).records, user, body, style)
    # The live server resets prompt, public and nsfw when they are not sent.
    style.prompt = body.get("prompt", "{p}")
    style.public = body.get("public", True)
    style.nsfw = body.get("nsfw", False)
    for name in ("name", "models", "params", "info", "tags"):
        if name in body:
            setattr(style, name, body[name])
    return ok({"id": style.id, "message": "OK", "warnings": []})


@routes.delete("/api/v2/styles/text/{id}")
async def delete_style(request: web.Request) -> web.Response:
    style, _ = _owned_style(request)
    records = state_of(request).records
    del records.styles[style.id]
    for collection in records.collections.values():
        collection.styles = [s for s in collection.styles if s is not style]
    return ok({"message": "OK"})


def _styles_by_name(records: Records, names: list[str]) -> list[Style]:
    found = []
    for name in names:
        style = records.style_by_name(name)
        if style is None:
            raise not_found("StyleNotFound", f"Style {name}")
        found.append(style)
    return found


def _owned_collection(request: web.Request) -> Collection:
    records = state_of(request).records
    user = require_user(request)
    collection = records.collections.get(request.match_info["id"])
    if collection is None:
        raise not_found("CollectionNotFound", "Collection")
    if collection.creator is not user and not is_moderator(user):
        raise not_owner("collection")
    return collection


@routes.get("/api/v2/collections")
async def list_collections(request: web.Request) -> web.Response:
    kind = request.query.get("type", "all")
    items = [
        c
        for c in state_of(request).records.collections.values()
        if c.public and kind in ("all", c.type)
    ]
    return ok([collection_view(c) for c in _page(items, request)])


@routes.get("/api/v2/collections/{id}")
async def get_collection(request: web.Request) -> web.Response:
    collection = state_of(request).records.collections.get(request.match_info["id"])
    if collection is None:
        raise not_found("CollectionNotFound", "Collection")
    return ok(collection_view(collection))


@routes.get("/api/v2/collection_by_name/{name}")
async def collection_by_name(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    for collection in state_of(request).records.collections.values():
        if collection.name == name:
            return ok(collection_view(collection))
    raise not_found("CollectionNotFound", "Collection")


@routes.post("/api/v2/collections")
async def create_collection(request: web.Request) -> web.Response:
    records = state_of(request).records
    user = _require_customizer(request)
    body = validated(body_of(request), "InputModelCollection")
    styles = _styles_by_name(records, list(body.get("styles") or []))
    kind = (body_of(request) or {}).get("type", "text")
    collection = records.add_collection(
        body["name"],
        user,
        styles,
        type=kind,
        info=body.get("info"),
        public=body.get("public", True),
    )
    return ok({"id": collection.id, "message": "OK", "warnings": []})


@routes.patch("/api/v2/collections/{id}")
async def modify_collection(request: web.Request) -> web.Response:
    collection = _owned_collection(request)
    body = given(body_of(request), "InputModelCollection")
    if not body:
        raise HordeError(400, "NoValidActions", "No collection modification selected!")
    if "styles" in body:
        collection.styles = _styles_by_name(state_of(request).records, list(body["styles"]))
    for name in ("name", "info", "public"):
        if name in body:
            setattr(collection, name, body[name])
    return ok({"id": collection.id, "message": "OK", "warnings": []})


@routes.delete("/api/v2/collections/{id}")
async def delete_collection(request: web.Request) -> web.Response:
    collection = _owned_collection(request)
    del state_of(request).records.collections[collection.id]
    return ok({"message": "OK"})
