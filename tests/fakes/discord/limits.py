"""Discord's message limits, answered with the same 400 bodies Discord sends.

A test that produces a too-long message must fail like production would, so the fake checks the
limits documented for messages, embeds and components.
"""

from __future__ import annotations

from typing import Any

Errors = dict[str, Any]


def _too_long(limit: int) -> Errors:
    return {
        "_errors": [
            {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
        ]
    }


def _check_len(errors: Errors, key: str, value: Any, limit: int) -> None:
    if isinstance(value, str | list) and len(value) > limit:
        errors[key] = _too_long(limit)


def _embed_errors(embed: dict[str, Any]) -> tuple[Errors, int]:
    """Field errors of one embed and its character count toward the 6000 total."""
    errors: Errors = {}
    _check_len(errors, "title", embed.get("title"), 256)
    _check_len(errors, "description", embed.get("description"), 4096)
    fields = embed.get("fields") or []
    _check_len(errors, "fields", fields, 25)
    field_errors: Errors = {}
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    for i, fld in enumerate(fields):
        one: Errors = {}
        _check_len(one, "name", fld.get("name"), 256)
        _check_len(one, "value", fld.get("value"), 1024)
        if one:
            field_errors[str(i)] = one
        size += len(fld.get("name") or "") + len(fld.get("value") or "")
    if field_errors and "fields" not in errors:
        errors["fields"] = field_errors
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    if len(footer) > 2048:
        errors["footer"] = {"text": _too_long(2048)}
    if len(author) > 256:
        errors["author"] = {"name": _too_long(256)}
    return errors, size + len(footer) + len(author)


def _embeds_errors(embeds: list[dict[str, Any]]) -> Errors | None:
    if len(embeds) > 10:
        return _too_long(10)
    errors: Errors = {}
    total = 0
    for i, embed in enumerate(embeds):
        one, size = _embed_errors(embed)
        total += size
        if one:
            errors[str(i)] = one
    if total > 6000:
        errors["_errors"] = [
            {
                "code": "MAX_EMBED_SIZE_EXCEEDED",
                "message": "Embed size exceeds maximum size of 6000",
            }
        ]
    return errors or None


def _components_errors(rows: list[dict[str, Any]]) -> Errors | None:
    if len(rows) > 5 and all(r.get("type") == 1 for r in rows):
        return _too_long(5)
    errors: Errors = {}
    for i, row in enumerate(rows):
        children = row.get("components") or []
        one: Errors = {}
        if row.get("type") == 1 and len(children) > 5:
            one["components"] = _too_long(5)
        for j, child in enumerate(children):
            child_errors: Errors = {}
            _check_len(child_errors, "label", child.get("label"), 80)
            _check_len(child_errors, "custom_id", child.get("custom_id"), 100)
            if child_errors:
                one.setdefault("components", {})[str(j)] = child_errors
        if one:
            errors[str(i)] = one
    return errors or None


def message_errors(payload: dict[str, Any]) -> Errors | None:
    """The ``errors`` object of a 50035 Invalid Form Body answer, or None when valid."""
    errors: Errors = {}
    _check_len(errors, "content", payload.get("content"), 2000)
    embeds = payload.get("embeds")
    if embeds:
        found = _embeds_errors(embeds)
        if found:
            errors["embeds"] = found
    components = payload.get("components")
    if components:
        found = _components_errors(components)
        if found:
            errors["components"] = found
    return errors or None


def modal_errors(data: dict[str, Any]) -> Errors | None:
    """Errors of a modal (type 9 callback): title 45 chars, custom_id 100, 5 top-level items."""
    errors: Errors = {}
    _check_len(errors, "title", data.get("title"), 45)
    _check_len(errors, "custom_id", data.get("custom_id"), 100)
    _check_len(errors, "components", data.get("components"), 5)
    return errors or None


def is_empty(payload: dict[str, Any], has_files: bool) -> bool:
    """True for a new message with nothing to show (Discord answers 50006)."""
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or has_files
    )


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}
