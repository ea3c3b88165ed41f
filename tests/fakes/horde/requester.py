"""Who a text request is for, and what a style makes of it (horde-api.md, "Shared keys,
styles, worker management").

- A shared key works as ``apikey``: the request is its owner's. An empty key (its kudos cap
  used up) is 403 SharedKeyEmpty, or — with ``allow_downgrade`` — an anonymous request; an
  unknown or deleted key is 401 InvalidAPIKey like any unknown key. What a request costs is
  added to the key's ``utilized``.
- ``style`` (an id, or a name) replaces the request's params and models with the style's
  (only ``n`` is kept) and wraps its prompt with the style's ``{p}``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.horde.common import require_user, state_of
from tests.fakes.horde.errors import HordeError, not_found
from tests.fakes.horde.models import User
from tests.fakes.horde.records import SharedKey
from tests.fakes.horde.state import HordeState


def shared_key_of(request: web.Request) -> SharedKey | None:
    return state_of(request).records.shared_keys.get(request.headers.get("apikey") or "")


def requester(request: web.Request, body: dict[str, Any]) -> User:
    """The user the request is charged to (see the module docstring)."""
    state = state_of(request)
    key = shared_key_of(request)
    if key is None:
        return require_user(request)
    if key.kudos != -1 and key.utilized >= key.kudos:
        if body.get("allow_downgrade"):
            return state.anonymous
        raise HordeError(403, "SharedKeyEmpty", "This shared key has no kudos left.")
    return key.owner


def charge_shared_key(request: web.Request, kudos: float) -> None:
    key = shared_key_of(request)
    if key is not None:
        key.utilized += round(kudos)


def apply_style(state: HordeState, body: dict[str, Any]) -> dict[str, Any]:
    """The body as the server runs it once the named style is applied."""
    name = body.get("style")
    if not name:
        return body
    style = state.records.styles.get(name) or state.records.style_by_name(name)
    if style is None:
        raise not_found("StyleNotFound", f"Text style '{name}'")
    style.use_count += 1
    params = dict(style.params)
    if "n" in (body.get("params") or {}):
        params["n"] = body["params"]["n"]
    prompt = style.prompt.replace("{p}", body["prompt"])
    return {**body, "params": params, "models": list(style.models), "prompt": prompt}
