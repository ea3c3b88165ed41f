"""Text styles, style collections and shared keys."""

from __future__ import annotations

from pydantic import Field

from bot.horde.models._core import HordeModel, RequestSingleWarning
from bot.horde.models._worker import ModelStyleInputParamsKobold

__all__ = [
    "ResponseModelCollection",
    "ResponseModelStylesShort",
    "SharedKeyDetails",
    "StyleKobold",
    "StyleModify",
]


class StyleKobold(HordeModel):
    """A text style: a prompt template (``{p}`` is the request's prompt), params and models."""

    id: str | None = None
    name: str | None = None
    info: str | None = None
    prompt: str = "{p}"
    params: ModelStyleInputParamsKobold = Field(default_factory=ModelStyleInputParamsKobold)
    public: bool = True
    nsfw: bool = False
    tags: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    use_count: int = 0
    creator: str | None = None
    sharedkey: str | None = None


class StyleModify(HordeModel):
    """Answer to creating or changing a style or a collection."""

    id: str | None = None
    message: str | None = None
    warnings: list[RequestSingleWarning] = Field(default_factory=list)


class ResponseModelStylesShort(HordeModel):
    name: str | None = None
    id: str | None = None


class ResponseModelCollection(HordeModel):
    """A collection of styles (of one type: text or image)."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    info: str | None = None
    public: bool = True
    styles: list[ResponseModelStylesShort] = Field(default_factory=list)
    use_count: int = 0


class SharedKeyDetails(HordeModel):
    """A shared key; its ``id`` is also the key others send as ``apikey``.

    ``kudos`` is the cap (-1: unlimited), ``utilized`` what was spent, ``expiry`` a date or
    None (never); the ``max_*`` limits are -1 when unlimited.
    """

    id: str | None = None
    username: str | None = None
    name: str | None = None
    kudos: int = -1
    expiry: str | None = None
    utilized: int = 0
    max_image_pixels: int = -1
    max_image_steps: int = -1
    max_text_tokens: int = -1
