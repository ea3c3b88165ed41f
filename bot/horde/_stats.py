"""Text statistics, single-model lookups and the Horde's documents (all public reads)."""

from __future__ import annotations

from typing import Final

from bot.horde._args import raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._status import MODEL_STATES
from bot.horde._transport import segment
from bot.horde.models import ActiveModel, HordeDocument, StatsTxtTotals, TxtModelStats

DOCUMENTS: Final = frozenset({"privacy", "sponsors", "terms"})
DOCUMENT_FORMATS: Final = frozenset({"html", "markdown"})


class _StatsMixin(_ClientBase):
    """``/v2/stats/text/*``, ``/v2/status/models/{name}`` and ``/v2/documents/*``."""

    async def text_stats_totals(self, *, retries: int | None = None) -> StatsTxtTotals:
        """Text requests and tokens served: ``GET /v2/stats/text/totals``.

        Key: none. Cached 50 s by the server.

        Returns:
            :class:`StatsTxtTotals` (minute, hour, day, month, total).

        Raises:
            RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", "stats/text/totals", retries=retries)
        return parse_one(StatsTxtTotals, data)

    async def text_stats_models(
        self, *, model_state: str = "known", retries: int | None = None
    ) -> TxtModelStats:
        """Requests per text model: ``GET /v2/stats/text/models``.

        Key: none. ``model_state``: known | custom | all (default known). Cached 50 s.

        Returns:
            :class:`TxtModelStats` (day, month, total: model name → requests).

        Raises:
            HordeValidationError, RateLimited, HordeUnavailable.
        """
        if model_state not in MODEL_STATES:
            raise_if({"model_state": "must be known, custom or all"})
        data = await self._request(
            "GET", "stats/text/models", query={"model_state": model_state}, retries=retries
        )
        return parse_one(TxtModelStats, data)

    async def model(self, name: str, *, retries: int | None = None) -> list[ActiveModel]:
        """One model: ``GET /v2/status/models/{model_name}``.

        Key: none. The route cannot carry a name containing ``/`` (most text models): for
        those, filter :meth:`models` instead — this method refuses them before any request.

        Returns:
            list of :class:`ActiveModel` (empty when nobody serves it).

        Raises:
            HordeValidationError (a ``/`` in the name), RateLimited, HordeUnavailable.
        """
        if "/" in name:
            raise_if({"name": "contains '/', which the route cannot carry; filter models()"})
        data = await self._request("GET", f"status/models/{segment(name)}", retries=retries)
        return parse_list(ActiveModel, data)

    async def document(
        self, name: str, *, format: str = "html", retries: int | None = None
    ) -> HordeDocument:
        """A Horde document: ``GET /v2/documents/{privacy|sponsors|terms}``.

        Covers ``GET /v2/documents/privacy``, ``GET /v2/documents/sponsors`` and
        ``GET /v2/documents/terms``. Key: none. ``format``: html | markdown (default html).

        Returns:
            :class:`HordeDocument` (``html`` or ``markdown`` set).

        Raises:
            HordeValidationError, RateLimited, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if name not in DOCUMENTS:
            errors["name"] = "must be privacy, sponsors or terms"
        if format not in DOCUMENT_FORMATS:
            errors["format"] = "must be html or markdown"
        raise_if(errors)
        data = await self._request(
            "GET", f"documents/{name}", query={"format": format}, retries=retries
        )
        return parse_one(HordeDocument, data)
