"""Payload validation in the style of flask-restx/jsonschema (400 shape 2 of horde-api.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.horde.errors import HordeError, PayloadValidationError


@dataclass(frozen=True)
class Field:
    kind: str  # integer | number | string | boolean | array
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    required: bool = False


def _num(lo: float, hi: float) -> Field:
    return Field("number", lo, hi)


def _int(lo: float | None = None, hi: float | None = None) -> Field:
    return Field("integer", lo, hi)


BOOL = Field("boolean")
STR = Field("string")
ARRAY = Field("array")

TEXT_PARAMS: dict[str, Field] = {
    "n": _int(1, 20),
    "max_context_length": _int(80, 1048576),
    "max_length": _int(16, 4096),
    "temperature": _num(0, 5),
    "top_p": _num(0.001, 1),
    "top_k": _int(0, 200),
    "top_a": _num(0, 1),
    "tfs": _num(0, 1),
    "typical": _num(0, 1),
    "min_p": _num(0, 1),
    "rep_pen": _num(1, 3),
    "rep_pen_range": _int(0, 4096),
    "rep_pen_slope": _num(0, 10),
    "smoothing_factor": _num(0, 10),
    "dynatemp_range": _num(0, 5),
    "dynatemp_exponent": _num(0, 5),
    "sampler_order": ARRAY,
    "stop_sequence": ARRAY,
    "use_default_badwordsids": BOOL,
    "singleline": BOOL,
    "frmtadsnsp": BOOL,
    "frmtrmblln": BOOL,
    "frmtrmspch": BOOL,
    "frmttriminc": BOOL,
}

TEXT_INPUT: dict[str, Field] = {
    "prompt": Field("string", required=True),
    "params": Field("object"),
    "models": ARRAY,
    "workers": ARRAY,
    "worker_blacklist": BOOL,
    "trusted_workers": BOOL,
    "validated_backends": BOOL,
    "slow_workers": BOOL,
    "extra_slow_workers": BOOL,
    "softprompt": Field("string", min_length=1),
    "dry_run": BOOL,
    "proxied_account": STR,
    "disable_batching": BOOL,
    "allow_downgrade": BOOL,
    "webhook": Field("string", min_length=10, max_length=1024),
    "style": Field("string", min_length=3, max_length=1024),
    "nsfw": BOOL,
}

POP_INPUT: dict[str, Field] = {
    "name": Field("string", required=True),
    "models": Field("array", required=True),
    "max_length": _int(),
    "max_context_length": _int(),
    "softprompts": ARRAY,
    "priority_usernames": ARRAY,
    "nsfw": BOOL,
    "bridge_agent": Field("string", max_length=1000),
    "threads": _int(1, 50),
    "amount": _int(1, 20),
    "require_upfront_kudos": BOOL,
    "extra_slow_worker": BOOL,
}

SUBMIT_INPUT: dict[str, Field] = {
    "id": Field("string", required=True),
    "generation": STR,
    "state": Field("string", enum=("ok", "censored", "faulted", "csam")),
    "seed": _int(),
    "gen_metadata": ARRAY,
}

TRANSFER_INPUT: dict[str, Field] = {
    "username": Field("string", required=True),
    "amount": Field("integer", required=True),
}

IPADDR_INPUT: dict[str, Field] = {
    "ipaddr": Field("string", min_length=7, max_length=40, required=True),
    "hours": Field("integer", 1, 720, required=True),
}

IPADDR_DELETE: dict[str, Field] = {
    "ipaddr": Field("string", min_length=7, max_length=40, required=True),
}

_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _type_ok(kind: str, value: Any) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def field_error(spec: Field, value: Any) -> str | None:
    """The jsonschema-style message for ``value`` against ``spec``, or None when valid."""
    if not _type_ok(spec.kind, value):
        return f"{value!r} is not of type '{spec.kind}'"
    if spec.minimum is not None and value < spec.minimum:
        return f"{value} is less than the minimum of {_fmt(spec.minimum)}"
    if spec.maximum is not None and value > spec.maximum:
        return f"{value} is greater than the maximum of {_fmt(spec.maximum)}"
    if spec.min_length is not None and len(value) < spec.min_length:
        return f"{value!r} is too short"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"{value!r} is too long"
    if spec.enum is not None and value not in spec.enum:
        return f"{value!r} is not one of {list(spec.enum)!r}"
    return None


def check(body: Any, schema: dict[str, Field], prefix: str = "") -> dict[str, str]:
    """All validation errors of ``body`` keyed by dotted path (unknown keys are ignored)."""
    if not isinstance(body, dict):
        return {prefix.rstrip(".") or "payload": f"{body!r} is not of type 'object'"}
    errors: dict[str, str] = {}
    for name, spec in schema.items():
        if name not in body or body[name] is None:
            if spec.required:
                errors[prefix + name] = f"'{name}' is a required property"
            continue
        message = field_error(spec, body[name])
        if message is not None:
            errors[prefix + name] = message
    return errors


def require(body: Any, schema: dict[str, Field]) -> dict[str, Any]:
    """Return ``body`` as a dict or raise :class:`PayloadValidationError`."""
    errors = check(body, schema)
    if errors:
        raise PayloadValidationError(errors)
    assert isinstance(body, dict)
    return body


def validate_text_input(body: Any) -> dict[str, Any]:
    """Validate a POST generate/text/async body; raise shape-2 or rc errors like the server."""
    errors = check(body, TEXT_INPUT)
    if isinstance(body, dict) and isinstance(body.get("params"), dict):
        errors.update(check(body["params"], TEXT_PARAMS, "params."))
    if errors:
        raise PayloadValidationError(errors)
    assert isinstance(body, dict)
    return body


def check_text_rules(body: dict[str, Any]) -> None:
    """The server's own checks beyond the schema (rc errors, not shape 2)."""
    params: dict[str, Any] = body.get("params") or {}
    if body["prompt"] == "":
        raise HordeError(400, "MissingPrompt", "You cannot specify an empty prompt.")
    stops = params.get("stop_sequence") or []
    if len(stops) > 128:
        raise HordeError(
            400, "TooManyStopSequences", "Too many stop sequences specified (max 128)."
        )
    if sum(len(str(s)) for s in stops) > 2000:
        raise HordeError(400, "ExcessiveStopSequence", "Your stop sequences are too long.")
    order = params.get("sampler_order")
    if order is not None and len(set(order)) < 7:
        raise HordeError(
            400, "MissingFullSamplerOrder", "When sending a custom sampler order, send all 7."
        )
    max_length = int(params.get("max_length", 80))
    max_context = int(params.get("max_context_length", 2048))
    if max_length > max_context:
        raise HordeError(
            400,
            "TokenOverflow",
            "Your requested max_length is larger than your max_context_length.",
        )
