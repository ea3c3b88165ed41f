"""Generation parameters (``params`` of a text request) and their client-side checks.

The Horde answers an out-of-range value with HTTP 400 after a round trip and, for some
values, a queued request; checking here first gives the caller a precise error naming
the field. Only the parameters the caller set are sent, so the Horde's defaults apply.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from bot.horde.errors import HordeValidationError

__all__ = [
    "DEFAULT_MAX_CONTEXT_LENGTH",
    "PARAM_LIMITS",
    "ModelGenerationInputKobold",
    "validate_params",
    "validate_prompt",
]

DEFAULT_MAX_CONTEXT_LENGTH = 2048
"""The Horde's default ``max_context_length``: ``max_length`` may not exceed it when unset."""

# Inclusive (minimum, maximum) of each numeric parameter, as the Horde enforces them.
PARAM_LIMITS: dict[str, tuple[float, float]] = {
    "n": (1, 20),
    "max_context_length": (80, 1048576),
    "max_length": (16, 4096),
    "temperature": (0, 5),
    "top_p": (0.001, 1),
    "top_k": (0, 200),
    "top_a": (0, 1),
    "tfs": (0, 1),
    "typical": (0, 1),
    "min_p": (0, 1),
    "rep_pen": (1, 3),
    "rep_pen_range": (0, 4096),
    "rep_pen_slope": (0, 10),
    "smoothing_factor": (0, 10),
    "dynatemp_range": (0, 5),
    "dynatemp_exponent": (0, 5),
}

MIN_SAMPLER_ORDER = 7
MAX_STOP_SEQUENCES = 128
MAX_STOP_SEQUENCE_CHARS = 2000


class ModelGenerationInputKobold(BaseModel):
    """The ``params`` of a text generation request (swagger ``ModelGenerationInputKobold``).

    Every field is optional; unset fields are not sent and the Horde's defaults apply.
    Limits (checked by :func:`validate_params` before any request): ``n`` 1..20,
    ``max_context_length`` 80..1048576 (default 2048), ``max_length`` 16..4096 (default 80,
    at most ``max_context_length``), ``temperature`` 0..5, ``top_p`` 0.001..1, ``top_k``
    0..200, ``top_a``/``tfs``/``typical``/``min_p`` 0..1, ``rep_pen`` 1..3,
    ``rep_pen_range`` 0..4096, ``rep_pen_slope`` 0..10, ``smoothing_factor`` 0..10,
    ``dynatemp_range`` 0..5, ``dynatemp_exponent`` 0..5, ``sampler_order`` at least 7
    distinct ints, ``stop_sequence`` at most 128 entries and 2000 characters in total.
    Unknown keys are kept and forwarded (workers receive them).
    """

    model_config = ConfigDict(extra="allow", defer_build=True)

    n: int | None = None
    max_context_length: int | None = None
    max_length: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    top_a: float | None = None
    tfs: float | None = None
    typical: float | None = None
    min_p: float | None = None
    rep_pen: float | None = None
    rep_pen_range: int | None = None
    rep_pen_slope: float | None = None
    smoothing_factor: float | None = None
    dynatemp_range: float | None = None
    dynatemp_exponent: float | None = None
    sampler_order: list[int] | None = None
    stop_sequence: list[str] | None = None
    use_default_badwordsids: bool | None = None
    singleline: bool | None = None
    frmtadsnsp: bool | None = None
    frmtrmblln: bool | None = None
    frmtrmspch: bool | None = None
    frmttriminc: bool | None = None


ParamsInput = ModelGenerationInputKobold | Mapping[str, Any] | None


def validate_prompt(prompt: str) -> None:
    """Refuse an empty prompt here rather than after a round trip (400 MissingPrompt)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise HordeValidationError(
            "prompt: must be a non-empty string", errors={"prompt": "must be a non-empty string"}
        )


def validate_params(params: ParamsInput) -> dict[str, Any]:
    """Check ``params`` against the Horde's limits; return the JSON to send (set keys only).

    Raises :class:`HordeValidationError` whose ``errors`` maps ``params.<field>`` to the
    problem, for every problem found.
    """
    if params is None:
        return {}
    if isinstance(params, ModelGenerationInputKobold):
        raw = params.model_dump(exclude_unset=True)
    elif isinstance(params, Mapping):
        raw = dict(params)
    else:
        raise HordeValidationError(
            "params: must be a ModelGenerationInputKobold or a mapping",
            errors={"params": "must be a ModelGenerationInputKobold or a mapping"},
        )
    data, errors = _coerce({k: v for k, v in raw.items() if v is not None})
    if not errors:
        errors = _check_limits(data)
    errors.update(_check_finite(data, "params"))
    if not errors:
        try:
            json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            errors["params"] = f"not JSON-serialisable: {exc}"
    if errors:
        details = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise HordeValidationError(f"invalid generation parameters: {details}", errors=errors)
    return data


def _coerce(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Type-check the known fields with pydantic; unknown keys pass through untouched."""
    try:
        model = ModelGenerationInputKobold.model_validate(raw)
    except pydantic.ValidationError as exc:
        errors = {}
        for item in exc.errors():
            field = ".".join(str(part) for part in item["loc"])
            errors[f"params.{field}"] = item["msg"]
        return raw, errors
    return model.model_dump(exclude_unset=True, exclude_none=True), {}


def _check_limits(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, (low, high) in PARAM_LIMITS.items():
        value = data.get(name)
        if isinstance(value, int | float) and math.isfinite(value):
            if value < low:
                errors[f"params.{name}"] = f"{value} is less than the minimum of {low}"
            elif value > high:
                errors[f"params.{name}"] = f"{value} is greater than the maximum of {high}"
    order = data.get("sampler_order")
    if order is not None and (len(order) < MIN_SAMPLER_ORDER or len(set(order)) != len(order)):
        errors["params.sampler_order"] = (
            f"must list at least {MIN_SAMPLER_ORDER} distinct samplers, got {order}"
        )
    stops = data.get("stop_sequence")
    if stops is not None:
        if len(stops) > MAX_STOP_SEQUENCES:
            errors["params.stop_sequence"] = f"at most {MAX_STOP_SEQUENCES} entries allowed"
        elif sum(len(s) for s in stops) > MAX_STOP_SEQUENCE_CHARS:
            errors["params.stop_sequence"] = (
                f"at most {MAX_STOP_SEQUENCE_CHARS} characters in total allowed"
            )
    max_length = data.get("max_length")
    context = data.get("max_context_length", DEFAULT_MAX_CONTEXT_LENGTH)
    if isinstance(max_length, int) and isinstance(context, int) and max_length > context:
        errors.setdefault(
            "params.max_length", f"{max_length} exceeds max_context_length ({context})"
        )
    return errors


def _check_finite(value: Any, where: str) -> dict[str, str]:
    """NaN and infinities are not JSON; find them anywhere, including unknown keys."""
    if isinstance(value, float) and not math.isfinite(value):
        return {where: f"{value} is not a finite number"}
    found: dict[str, str] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.update(_check_finite(item, f"{where}.{key}"))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.update(_check_finite(item, f"{where}.{index}"))
    return found
