"""The seed's 20 resources are all covered, each by a documented method on a text endpoint."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from bot.horde import SEED_RESOURCES, HordeClient

DATA = Path(__file__).resolve().parents[2] / "data"
ENDPOINT = re.compile(r"\b(GET|POST|DELETE|PUT|PATCH) (/v2/[^\s`?()]+)")
IMAGE_PATHS = ("/v2/generate/async", "/v2/generate/status/", "/v2/generate/check/")
IMAGE_PATHS += ("/v2/generate/pop", "/v2/generate/submit")


def _seed_resources() -> set[str]:
    # The seed's ``api.add_resource`` lines, vendored so the test runs on a fresh clone.
    text = (DATA / "seed_resources.txt").read_text()
    return set(re.findall(r"api\.add_resource\((\w+),", text))


def _swagger_routes() -> set[tuple[str, str]]:
    swagger = json.loads((DATA / "swagger.json").read_text())
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, ops in swagger["paths"].items()
        for method in ops
        if method != "parameters"
    }


def _methods() -> list[tuple[str, str]]:
    return [(res, name) for res, names in SEED_RESOURCES.items() for name in names]


def test_the_seed_lists_twenty_resources() -> None:
    assert len(_seed_resources()) == 20


def test_every_seed_resource_is_covered() -> None:
    assert set(SEED_RESOURCES) == _seed_resources()


@pytest.mark.parametrize(("resource", "name"), _methods())
def test_each_method_exists_and_is_async(resource: str, name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(HordeClient, name))


@pytest.mark.parametrize(("resource", "name"), _methods())
def test_each_docstring_names_a_real_text_endpoint(resource: str, name: str) -> None:
    doc = inspect.getdoc(getattr(HordeClient, name)) or ""
    endpoints = ENDPOINT.findall(doc)
    assert endpoints, f"{name} docstring names no HTTP method and path"
    routes = _swagger_routes()
    for method, path in endpoints:
        assert not path.startswith(IMAGE_PATHS)
        assert (method, re.sub(r"\{[^}]+\}", "{}", path)) in routes, (method, path)


@pytest.mark.parametrize(("resource", "name"), _methods())
def test_each_docstring_names_its_seed_resource_and_what_it_raises(
    resource: str, name: str
) -> None:
    doc = inspect.getdoc(getattr(HordeClient, name)) or ""
    assert f"seed: {resource}" in doc
    assert "Returns:" in doc
    assert "Raises:" in doc
