"""Worker-side response models: the job a worker pops (``POST /v2/generate/text/pop``)."""

from __future__ import annotations

from pydantic import Field

from bot.horde.models._core import HordeModel

__all__ = [
    "ExtraSourceImage",
    "GenerationPayloadKobold",
    "ModelPayloadKobold",
    "ModelStyleInputParamsKobold",
    "NoValidRequestFoundKobold",
    "ResponseModelMessagePop",
]


class ExtraSourceImage(HordeModel):
    """An extra image sent with a request (base64 webp or a URL) and its ``strength``."""

    image: str | None = None
    strength: float = 1.0


class ModelStyleInputParamsKobold(HordeModel):
    """The sampler parameters of a text style, and of a popped job (swagger names)."""

    frmtadsnsp: bool | None = None
    frmtrmblln: bool | None = None
    frmtrmspch: bool | None = None
    frmttriminc: bool | None = None
    rep_pen: float | None = None
    rep_pen_range: int | None = None
    rep_pen_slope: float | None = None
    singleline: bool | None = None
    temperature: float | None = None
    tfs: float | None = None
    top_a: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    typical: float | None = None
    sampler_order: list[int] | None = None
    use_default_badwordsids: bool | None = None
    stop_sequence: list[str] | None = None
    min_p: float | None = None
    smoothing_factor: float | None = None
    dynatemp_range: float | None = None
    dynatemp_exponent: float | None = None


class ModelPayloadKobold(ModelStyleInputParamsKobold):
    """The job a worker popped: the prompt and every generation parameter, typed."""

    prompt: str | None = None
    n: int | None = None
    max_context_length: int | None = None
    max_length: int | None = None


class ResponseModelMessagePop(HordeModel):
    """A message to the worker's owner, delivered with a pop."""

    id: str | None = None
    message: str | None = None
    origin: str | None = None
    expiry: str | None = None


class NoValidRequestFoundKobold(HordeModel):
    """Why waiting requests were skipped by a pop (counts per reason)."""

    worker_id: int = 0
    performance: int = 0
    nsfw: int = 0
    blacklist: int = 0
    untrusted: int = 0
    models: int = 0
    bridge_version: int = 0
    kudos: int = 0
    max_context_length: int = 0
    max_length: int = 0
    matching_softprompt: int = 0


class GenerationPayloadKobold(HordeModel):
    """Answer to a pop. ``id`` is None when no job was available."""

    payload: ModelPayloadKobold = Field(default_factory=ModelPayloadKobold)
    id: str | None = None
    ids: list[str] = Field(default_factory=list)
    messages: list[ResponseModelMessagePop] = Field(default_factory=list)
    ttl: int | None = None
    extra_source_images: list[ExtraSourceImage] = Field(default_factory=list)
    skipped: NoValidRequestFoundKobold = Field(default_factory=NoValidRequestFoundKobold)
    softprompt: str | None = None
    model: str | None = None
