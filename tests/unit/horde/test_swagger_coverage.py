"""Every text-side operation of the Horde's swagger, and every request field of each, has a
client path. Reads the vendored swagger (tests/data/swagger.json): a new operation or field
in a refreshed copy fails here until the client covers it.

An operation is covered by the methods whose docstring summary line names it
(``GET /v2/styles/text/{style_id}``; ``{a|b}`` stands for each alternative). A request field
(body property, query parameter, header) is reachable when it is a parameter of one of
those methods, or the name of one (``generate_proxy_passkey`` sends exactly that field).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.horde import HordeClient

ROOT = Path(__file__).resolve().parents[3]
SWAGGER = json.loads((ROOT / "tests" / "data" / "swagger.json").read_text())
DOC = ROOT / "docs" / "horde-client.md"
NOT_TEXT = (
    "/v2/generate/async",
    "/v2/generate/check/",
    "/v2/generate/pop",
    "/v2/generate/rate/",
    "/v2/generate/status/",
    "/v2/generate/submit",
    "/v2/interrogate/",
    "/v2/styles/image",
    "/v2/stats/img/",
)
# Headers every request carries or no caller chooses.
IMPLICIT_HEADERS = frozenset({"Client-Agent", "X-Fields"})
ENDPOINT = re.compile(r"``(GET|POST|PUT|PATCH|DELETE) (/v2/[^`\s?]+)[^`]*``")
Op = tuple[str, str]


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def text_operations() -> dict[Op, dict[str, Any]]:
    return {
        (method.upper(), _normal(path)): op
        for path, ops in SWAGGER["paths"].items()
        if not path.startswith(NOT_TEXT)
        for method, op in ops.items()
        if method != "parameters"
    }


def _expand(path: str) -> Iterator[str]:
    """``/v2/documents/{privacy|sponsors}`` → each document's path."""
    alternatives = re.search(r"\{([^}]*\|[^}]*)\}", path)
    if alternatives is None:
        yield _normal(path)
        return
    for choice in alternatives.group(1).split("|"):
        yield from _expand(path.replace(alternatives.group(0), choice, 1))


def client_coverage() -> dict[Op, list[str]]:
    """Operation → the public client methods whose summary line names it."""
    covered: dict[Op, list[str]] = {}
    for name, member in inspect.getmembers(HordeClient, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue
        summary = (inspect.getdoc(member) or "").split("\n\n", 1)[0]
        for method, path in ENDPOINT.findall(summary):
            for concrete in _expand(path):
                covered.setdefault((method, concrete), []).append(name)
    return covered


def _properties(schema: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        schema = SWAGGER["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    fields = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        fields |= _properties(part)
    return fields


def request_fields(op: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for param in op.get("parameters", []):
        if param["in"] == "body":
            fields |= _properties(param["schema"])
        elif param["in"] in ("query", "header") and param["name"] not in IMPLICIT_HEADERS:
            fields.add(param["name"].lower().replace("-", "_"))
    return fields


def reachable(methods: list[str]) -> set[str]:
    names = set(methods)
    for name in methods:
        names |= set(inspect.signature(getattr(HordeClient, name)).parameters)
    return names


def test_the_vendored_swagger_has_67_text_operations() -> None:
    assert len(text_operations()) == 67


@pytest.mark.parametrize("op", sorted(text_operations()), ids=" ".join)
def test_every_text_operation_has_a_client_method(op: Op) -> None:
    assert client_coverage().get(op), f"no client method names {op[0]} {op[1]}"


@pytest.mark.parametrize("op", sorted(text_operations()), ids=" ".join)
def test_every_request_field_of_an_operation_is_reachable(op: Op) -> None:
    methods = client_coverage().get(op, [])
    missing = request_fields(text_operations()[op]) - reachable(methods)
    assert not missing, f"{op[0]} {op[1]}: no client path for {sorted(missing)}"


def test_no_method_claims_an_operation_the_swagger_lacks() -> None:
    assert set(client_coverage()) <= set(text_operations())


@pytest.mark.parametrize("op", sorted(text_operations()), ids=" ".join)
def test_each_covering_method_documents_its_return_and_errors(op: Op) -> None:
    for name in client_coverage().get(op, []):
        doc = inspect.getdoc(getattr(HordeClient, name)) or ""
        assert "Returns:" in doc, name
        assert "Raises:" in doc, name


@pytest.mark.parametrize("op", sorted(text_operations()), ids=" ".join)
def test_the_client_doc_lists_every_operation_with_its_method(op: Op) -> None:
    rows = [
        line.split("|")
        for line in DOC.read_text().splitlines()
        if line.startswith("| `/v2/") and line.count("|") >= 6
    ]
    listed = {
        (cells[2].strip(), _normal(cells[1].strip(" `")), cells[3].strip(" `")) for cells in rows
    }
    for name in client_coverage()[op]:
        assert (op[0], op[1], name) in listed, f"docs/horde-client.md lacks {op} → {name}"


def coverage_figures() -> tuple[int, int, int, int]:
    """(operations covered, operations, fields reachable, fields) — for the report."""
    ops, covered = text_operations(), client_coverage()
    fields = reached = 0
    for op, spec in ops.items():
        wanted = request_fields(spec)
        fields += len(wanted)
        reached += len(wanted & reachable(covered.get(op, [])))
    return sum(1 for op in ops if covered.get(op)), len(ops), reached, fields
