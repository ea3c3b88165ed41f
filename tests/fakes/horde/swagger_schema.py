"""Payload schemas for the management routes, read from the vendored swagger (tests/data).

The fake validates a body against the same definition the real server's flask-restx does,
so a client that sends a value out of the swagger's limits gets the same 400 shape 2.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from tests.fakes.horde.validation import Field, require

SWAGGER = Path(__file__).resolve().parents[2] / "data" / "swagger.json"


@functools.cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(SWAGGER.read_text())["definitions"]
    return definitions


def _properties(name: str) -> dict[str, Any]:
    definition = _definitions()[name]
    props: dict[str, Any] = {}
    for part in definition.get("allOf", [definition]):
        if "$ref" in part:
            props.update(_properties(part["$ref"].rsplit("/", 1)[-1]))
        props.update(part.get("properties", {}))
    return props


@functools.cache
def schema(name: str) -> dict[str, Field]:
    """``{field: Field}`` of swagger definition ``name`` (nested objects: type only)."""
    fields: dict[str, Field] = {}
    for field_name, spec in _properties(name).items():
        kind = spec.get("type", "object")
        enum = tuple(spec["enum"]) if "enum" in spec else None
        fields[field_name] = Field(
            kind,
            spec.get("minimum"),
            spec.get("maximum"),
            spec.get("minLength"),
            spec.get("maxLength"),
            enum,
        )
    return fields


def validated(body: Any, name: str) -> dict[str, Any]:
    """``body`` checked against definition ``name``; 400 shape 2 when it does not fit."""
    return require(body if body is not None else {}, schema(name))


def given(body: Any, name: str) -> dict[str, Any]:
    """The fields of a modify call the client sent (``null`` means "not sent")."""
    return {k: v for k, v in validated(body, name).items() if v is not None}
