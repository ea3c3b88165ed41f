"""Worker-side jobs (pop, submit) and worker lookups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.horde._args import check_int, raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.errors import HordeUnavailable
from bot.horde.models import GenerationPayloadKobold, WorkerDetails

SUBMIT_STATES: Final = frozenset({"ok", "censored", "faulted", "csam"})


class _WorkersMixin(_ClientBase):
    """Endpoints a worker (or a bridge) uses, and worker lookups."""

    async def job_pop(
        self,
        name: str,
        models: Sequence[str],
        *,
        max_length: int = 512,
        max_context_length: int = 2048,
        amount: int = 1,
        threads: int = 1,
        softprompts: Sequence[str] = (),
        priority_usernames: Sequence[str] = (),
        nsfw: bool = False,
        require_upfront_kudos: bool = False,
        extra_slow_worker: bool = False,
        bridge_agent: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> GenerationPayloadKobold:
        """Ask for a job as a worker: ``POST /v2/generate/text/pop`` (seed: JobPop).

        Key: required — the worker owner's; the worker is registered to it.

        Args:
            name: the worker's name (created on first pop; must be the key owner's).
            models: non-empty list of models this worker serves.
            max_length: 512; max_context_length: 2048 (what the worker can generate).
            amount: 1..20 jobs at once; threads: 1..50.
            softprompts, priority_usernames (``alias#id``), nsfw (False),
            require_upfront_kudos (False), extra_slow_worker (False).
            bridge_agent: ``name:version:url`` (default: the client's Client-Agent).
            apikey: the worker owner's key (default: the client's key; anonymous → 403).
            retries: only a connection that could not be established is retried.

        Returns:
            :class:`GenerationPayloadKobold`; its ``id`` is None when no job was available
            (``skipped`` says why).

        Raises:
            HordeValidationError, InvalidAPIKey, Forbidden (AnonForbiddenWorker,
            WrongCredentials), RateLimited, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "must be a non-empty string"
        if isinstance(models, str) or not models:
            errors["models"] = "must be a non-empty sequence of model names"
        check_int(errors, "amount", amount, 1, 20)
        check_int(errors, "threads", threads, 1, 50)
        raise_if(errors)
        body = {
            "name": name,
            "models": list(models),
            "max_length": max_length,
            "max_context_length": max_context_length,
            "amount": amount,
            "threads": threads,
            "softprompts": list(softprompts),
            "priority_usernames": list(priority_usernames),
            "nsfw": nsfw,
            "require_upfront_kudos": require_upfront_kudos,
            "extra_slow_worker": extra_slow_worker,
            "bridge_agent": bridge_agent or self.client_agent,
        }
        data = await self._request(
            "POST",
            "generate/text/pop",
            apikey=self._key(apikey, required=True),
            json=body,
            idempotent=False,
            retries=retries,
        )
        return parse_one(GenerationPayloadKobold, data)

    async def job_submit(
        self,
        id: str,
        generation: str,
        *,
        state: str = "ok",
        seed: int = 0,
        gen_metadata: Sequence[Mapping[str, Any]] = (),
        apikey: str | None = None,
        retries: int | None = None,
    ) -> float:
        """Deliver a job's text: ``POST /v2/generate/text/submit`` (seed: JobSubmit).

        Key: required — the owner's of the worker that popped the job.

        Args:
            id: the job id from :meth:`job_pop`.
            generation: the text (``""`` when faulted).
            state: ok | censored | faulted | csam (default ok).
            seed: int (default 0); gen_metadata: [{type, value, ref?}].
            apikey: the worker owner's key (default: the client's key).
            retries: only a connection that could not be established is retried.

        Returns:
            the kudos reward (float).

        Raises:
            HordeValidationError (bad state, 400 DuplicateGen / AbortedGen), NotFound
            (InvalidJobID), Forbidden (WrongCredentials), InvalidAPIKey, HordeUnavailable.
        """
        if state not in SUBMIT_STATES:
            raise_if({"state": f"must be one of {sorted(SUBMIT_STATES)}, got {state!r}"})
        body: dict[str, Any] = {"id": id, "generation": generation, "state": state, "seed": seed}
        if gen_metadata:
            body["gen_metadata"] = [dict(item) for item in gen_metadata]
        data = await self._request(
            "POST",
            "generate/text/submit",
            apikey=self._key(apikey, required=True),
            json=body,
            idempotent=False,
            retries=retries,
        )
        reward = data.get("reward") if isinstance(data, dict) else None
        if reward is None:
            return 0.0
        if not isinstance(reward, int | float):
            raise HordeUnavailable("the AI Horde answered a submit without a numeric reward")
        return float(reward)

    async def workers(
        self,
        type: str = "text",
        name: str | None = None,
        *,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> list[WorkerDetails]:
        """Active workers: ``GET /v2/workers?type=text[&name=]`` (seed: Workers).

        Key: optional — sent only when given; owners and moderators see more.

        Args:
            type: text | image | interrogation (default text); name: exact worker name.
            apikey: optional, sent only when given (owners/moderators see more).

        Returns:
            list of :class:`WorkerDetails`.

        Raises:
            RateLimited, HordeUnavailable.
        """
        query = {"type": type}
        if name is not None:
            query["name"] = name
        data = await self._request("GET", "workers", apikey=apikey, query=query, retries=retries)
        return parse_list(WorkerDetails, data)

    async def worker(
        self, worker_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> WorkerDetails:
        """One worker: ``GET /v2/workers/{worker_id}`` (seed: WorkerSingle).

        Key: optional — sent only when given; owners and moderators see more.

        Limit: 30 a minute.

        Returns:
            :class:`WorkerDetails`.

        Raises:
            NotFound (WorkerNotFound), Forbidden, RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET", f"workers/{segment(worker_id)}", apikey=apikey, retries=retries
        )
        return parse_one(WorkerDetails, data)

    async def worker_by_name(
        self, name: str, *, apikey: str | None = None, retries: int | None = None
    ) -> WorkerDetails:
        """One worker by name: ``GET /v2/workers/name/{worker_name}`` (seed: WorkerSingle).

        Key: optional — sent only when given; owners and moderators see more.

        Returns:
            :class:`WorkerDetails`.

        Raises:
            NotFound (WorkerNotFound), Forbidden, RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET", f"workers/name/{segment(name)}", apikey=apikey, retries=retries
        )
        return parse_one(WorkerDetails, data)
