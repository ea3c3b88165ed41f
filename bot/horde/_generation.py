"""Text generation, requester side: submit, status, cancel, check, and submit-and-wait."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypedDict, Unpack

from bot.horde._base import _ClientBase, parse_one
from bot.horde._transport import segment
from bot.horde.errors import (
    GenerationFaulted,
    GenerationTimeout,
    HordeError,
    HordeUnavailable,
    HordeValidationError,
    NotFound,
)
from bot.horde.models import (
    ExtraSourceImage,
    RequestAsync,
    RequestStatusCheck,
    RequestStatusKobold,
)
from bot.horde.params import ParamsInput, validate_params, validate_prompt
from bot.horde.polling import MIN_POLL_INTERVAL, PollPolicy

log = logging.getLogger(__name__)

"""The Horde allows 60 status GETs a minute per request id: never poll faster than 1/s."""
CANCEL_TIMEOUT: Final = 10.0
"""Seconds a clean-up DELETE may take before it is abandoned."""

ProgressCallback = Callable[[RequestStatusCheck], Any]
"""Receives each poll's :class:`RequestStatusCheck`; may be a plain or an async callable."""


class SubmitOptions(TypedDict, total=False):
    """Submit options shared by :meth:`generate_async` and :meth:`generate_sync`."""

    workers: Sequence[str]
    trusted_workers: bool
    slow_workers: bool
    worker_blacklist: bool
    softprompt: str | None
    allow_downgrade: bool
    validated_backends: bool
    extra_slow_workers: bool
    disable_batching: bool
    webhook: str | None
    proxied_account: str | None
    style: str | None
    extra_source_images: Sequence[ExtraSourceImage | Mapping[str, Any]]


def _generation_input(
    prompt: str,
    params: ParamsInput,
    models: Sequence[str],
    dry_run: bool,
    options: SubmitOptions,
) -> dict[str, Any]:
    """The ``GenerationInputKobold`` body; optional strings are sent only when set."""
    validate_prompt(prompt)
    if isinstance(models, str) or isinstance(options.get("workers", ()), str):
        raise HordeValidationError(
            "models and workers must be sequences of strings, not a string",
            errors={"models": "must be a sequence of strings"},
        )
    body: dict[str, Any] = {
        "prompt": prompt,
        "models": list(models),
        "workers": list(options.get("workers", ())),
        "trusted_workers": options.get("trusted_workers", False),
        "slow_workers": options.get("slow_workers", True),
        "worker_blacklist": options.get("worker_blacklist", False),
        # Sent explicitly: the Horde's effective default differs from its documented one.
        "validated_backends": options.get("validated_backends", False),
        "extra_slow_workers": options.get("extra_slow_workers", False),
        "disable_batching": options.get("disable_batching", False),
        "allow_downgrade": options.get("allow_downgrade", False),
        "dry_run": dry_run,
    }
    sent_params = validate_params(params)
    if sent_params:
        body["params"] = sent_params
    for name in ("softprompt", "webhook", "proxied_account", "style"):
        value = options.get(name)
        if value is not None:
            body[name] = value
    images = options.get("extra_source_images", ())
    if images:
        body["extra_source_images"] = [_source_image(image) for image in images]
    return body


def _source_image(image: ExtraSourceImage | Mapping[str, Any]) -> dict[str, Any]:
    """One ``ExtraSourceImage`` as sent: ``image`` (base64 webp or URL) and ``strength``."""
    parsed = image if isinstance(image, ExtraSourceImage) else ExtraSourceImage(**image)
    if not parsed.image:
        raise HordeValidationError(
            "extra_source_images: each needs a non-empty image",
            errors={"extra_source_images": "each needs a non-empty image"},
        )
    return {"image": parsed.image, "strength": parsed.strength}


async def _notify(on_progress: ProgressCallback, check: RequestStatusCheck) -> None:
    result = on_progress(check)
    if inspect.isawaitable(result):
        await result


class _GenerationMixin(_ClientBase):
    """Requester-side text generation endpoints."""

    async def generate_async(
        self,
        prompt: str,
        *,
        params: ParamsInput = None,
        models: Sequence[str] = (),
        workers: Sequence[str] = (),
        trusted_workers: bool = False,
        slow_workers: bool = True,
        worker_blacklist: bool = False,
        softprompt: str | None = None,
        allow_downgrade: bool = False,
        validated_backends: bool = False,
        extra_slow_workers: bool = False,
        disable_batching: bool = False,
        webhook: str | None = None,
        proxied_account: str | None = None,
        style: str | None = None,
        extra_source_images: Sequence[ExtraSourceImage | Mapping[str, Any]] = (),
        dry_run: bool = False,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> RequestAsync:
        """Queue a text generation: ``POST /v2/generate/text/async`` (seed: AsyncGenerate).

        Key: required — the requester's; kudos are charged to it (anonymous: the shared pool).

        Args:
            prompt: the text to continue; must not be empty.
            params: :class:`ModelGenerationInputKobold` or a mapping with its keys, checked
                against the Horde's limits first (``n`` 1..20, ``max_length`` 16..4096, …);
                only the keys set are sent.
            models: model names allowed to serve it (empty: any).
            dry_run: only estimate the cost; nothing is queued.
            apikey: the requester's key (default: the client's key).
            retries: never used for ambiguous failures — a submit is not idempotent; only a
                connection that could not be established is retried (default: client's).
            every other option of the swagger's ``GenerationInputKobold``: ``workers`` (ids,
                first 5 used), ``trusted_workers`` (False), ``slow_workers`` (True),
                ``worker_blacklist`` (False), ``softprompt`` (None), ``allow_downgrade``
                (False), ``validated_backends`` (False, sent explicitly), ``extra_slow_workers``
                (False), ``disable_batching`` (False), ``webhook`` (https only), ``proxied_account``
                (service accounts), ``style`` (a text style id; it replaces params and models),
                ``extra_source_images`` (:class:`ExtraSourceImage` or mappings); None: not sent.
                An unknown keyword is a TypeError before any request.

        Returns:
            :class:`RequestAsync` with the request ``id``. With ``dry_run=True`` the same
            model with ``id=None`` and ``kudos`` set to the estimated cost.

        Raises:
            HordeValidationError (limits, empty prompt, 400), MaintenanceMode, InvalidAPIKey,
            KudosError (403 KudosUpfront), Forbidden (TimeoutIP), TooManyPrompts,
            RateLimited, NotFound (WorkerNotFound), HordeUnavailable.
        """
        options = SubmitOptions(
            workers=workers,
            trusted_workers=trusted_workers,
            slow_workers=slow_workers,
            worker_blacklist=worker_blacklist,
            softprompt=softprompt,
            allow_downgrade=allow_downgrade,
            validated_backends=validated_backends,
            extra_slow_workers=extra_slow_workers,
            disable_batching=disable_batching,
            webhook=webhook,
            proxied_account=proxied_account,
            style=style,
            extra_source_images=extra_source_images,
        )
        body = _generation_input(prompt, params, models, dry_run, options)
        data = await self._request(
            "POST",
            "generate/text/async",
            apikey=self._key(apikey, required=True),
            json=body,
            idempotent=False,
            retries=retries,
        )
        return parse_one(RequestAsync, data)

    async def generate_status(self, id: str, *, retries: int | None = None) -> RequestStatusKobold:
        """Progress and results: ``GET /v2/generate/text/status/{id}`` (seed: AsyncStatus).

        Key: none — the request id is the capability.

        Limit: 60 GETs a minute per id.

        Returns:
            :class:`RequestStatusKobold` (``done``, ``faulted``, ``wait_time``,
            ``queue_position``, ``generations`` finished so far, …).

        Raises:
            NotFound (rc RequestNotFound: unknown or expired), RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", f"generate/text/status/{segment(id)}", retries=retries)
        return parse_one(RequestStatusKobold, data)

    async def generate_cancel(self, id: str, *, retries: int | None = None) -> RequestStatusKobold:
        """Cancel a request: ``DELETE /v2/generate/text/status/{id}`` (seed: AsyncStatus).

        Key: none — the request id is the capability.

        Jobs not yet started never run; the answer is the status as it was, with the
        generations finished so far. ``done`` may stay False afterwards: treat the cancel
        as final. Not retried after an ambiguous failure.

        Returns:
            :class:`RequestStatusKobold`.

        Raises:
            NotFound (RequestNotFound), RateLimited, HordeUnavailable.
        """
        data = await self._request("DELETE", f"generate/text/status/{segment(id)}", retries=retries)
        return parse_one(RequestStatusKobold, data)

    async def generate_check(self, id: str, *, retries: int | None = None) -> RequestStatusCheck:
        """Progress only: ``GET /v2/generate/text/status/{id}`` (seed: AsyncCheck).

        Key: none — the request id is the capability.

        Text has no ``/check`` endpoint (the seed-era ``/v2/generate/check`` is the image
        API), so this reads the status endpoint and drops the generations.

        Returns:
            :class:`RequestStatusCheck`.

        Raises:
            NotFound (RequestNotFound), RateLimited, HordeUnavailable.
        """
        return (await self.generate_status(id, retries=retries)).check()

    async def generate_sync(
        self,
        prompt: str,
        *,
        params: ParamsInput = None,
        models: Sequence[str] = (),
        timeout: float = 1170.0,  # noqa: ASYNC109 - a deadline on the client's clock
        poll_min: float = 1.0,
        poll_max: float = 15.0,
        on_progress: ProgressCallback | None = None,
        apikey: str | None = None,
        retries: int | None = None,
        **options: Unpack[SubmitOptions],
    ) -> RequestStatusKobold:
        """Submit and wait (seed: SyncGenerate, removed from the Horde).

        Key: required for the submit (as :meth:`generate_async`); the polls send none.

        ``POST /v2/generate/text/async``, then ``GET /v2/generate/text/status/{id}`` every
        the shared schedule of :mod:`bot.horde.polling` within ``poll_min``..``poll_max``
        (never under 1 s);
        ``on_progress`` (plain or async) receives each poll's :class:`RequestStatusCheck`.
        ``params``, ``models``, ``apikey`` and ``options`` are as for :meth:`generate_async`;
        ``retries`` applies to each call. ``timeout`` (seconds, default 1170 — under the
        Horde's 20-minute expiry) is measured on the client's clock.

        On a fault, a timeout, any other error while polling, or cancellation of the
        calling task, the request is cancelled on the Horde with
        ``DELETE /v2/generate/text/status/{id}`` (shielded from the cancellation, failures
        logged and swallowed) before the error propagates.

        Returns:
            :class:`RequestStatusKobold` once ``done``.

        Raises:
            everything :meth:`generate_async` raises; GenerationFaulted; GenerationTimeout;
            NotFound (RequestNotFound: the request expired); HordeUnavailable.
        """
        submitted = await self.generate_async(
            prompt, params=params, models=models, apikey=apikey, retries=retries, **options
        )
        if submitted.id is None:
            raise HordeUnavailable("the AI Horde accepted the request but returned no id")
        request_id = submitted.id
        try:
            return await self._wait(request_id, timeout, poll_min, poll_max, on_progress, retries)
        except asyncio.CancelledError:
            await self._cancel_quietly(request_id)
            raise
        except NotFound:
            raise  # expired or unknown: nothing left to cancel
        except Exception:
            await self._cancel_quietly(request_id)
            raise

    async def _wait(
        self,
        request_id: str,
        limit: float,
        poll_min: float,
        poll_max: float,
        on_progress: ProgressCallback | None,
        retries: int | None,
    ) -> RequestStatusKobold:
        deadline = self.clock.monotonic() + limit
        floor = max(MIN_POLL_INTERVAL, poll_min)
        schedule = PollPolicy(floor, max(floor, poll_max)).schedule()
        while True:
            status = await self.generate_status(request_id, retries=retries)
            if on_progress is not None:
                await _notify(on_progress, status.check())
            if status.done:
                return status
            if status.faulted:
                raise GenerationFaulted(
                    "the generation faulted on the AI Horde", request_id=request_id
                )
            remaining = deadline - self.clock.monotonic()
            if remaining <= 0:
                raise GenerationTimeout(
                    f"the generation did not finish within {limit:g} s", request_id=request_id
                )
            delay = min(schedule.next_delay(status, self.clock.monotonic()), remaining)
            await self.clock.sleep(max(MIN_POLL_INTERVAL, delay))

    async def _cancel_quietly(self, request_id: str) -> None:
        """DELETE the request, shielded from cancellation of the caller; never raises."""
        task = asyncio.create_task(self._cancel_logged(request_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        await asyncio.shield(task)

    async def _cancel_logged(self, request_id: str) -> None:
        try:
            await self._request(
                "DELETE",
                f"generate/text/status/{segment(request_id)}",
                retries=0,
                request_timeout=CANCEL_TIMEOUT,
            )
        except HordeError as exc:
            log.warning("Could not cancel Horde request %s: %s", request_id, exc)
        else:
            log.info("Cancelled Horde request %s", request_id)
