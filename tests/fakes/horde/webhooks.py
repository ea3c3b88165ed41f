"""The fake Horde's webhook calls on text requests, as the real server makes them.

After each successful generation of a request that has a ``webhook``, one POST of the
generation's JSON (``text``, ``seed``, ``worker_id``, ``worker_name``, ``model``, ``id``,
``request``, ``state``, ``gen_metadata``, ``kudos``); 3 immediate tries with a 3 s timeout, no
backoff, nothing on fault, cancel or expiry. The real Horde only accepts ``https://`` webhooks;
the fake also accepts ``http://127.0.0.1`` so tests can listen without TLS.

The simulation is lazy (caught up at each HTTP request), so a :class:`WebhookPump` wakes on the
fake clock at the next scripted job's deadline, catches the simulation up and sends the calls.
``drop_every`` (tests, bench) drops every n-th call as the real Horde's full queue does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakes.horde.errors import HordeError
from tests.fakes.horde.simulation import generation_view

if TYPE_CHECKING:
    from tests.fakes.horde.models import Job
    from tests.fakes.horde.state import HordeState

log = logging.getLogger(__name__)

TRIES = 3
TIMEOUT = 3.0


@dataclass
class WebhookCall:
    """One generation's call: ``status`` of the last try (None: no answer, or dropped)."""

    url: str
    payload: dict[str, Any]
    dropped: bool = False
    status: int | None = None
    tries: int = 0


def check_webhook(url: str | None) -> None:
    """The server refuses anything but https (the fake lets http on 127.0.0.1 through)."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "127.0.0.1"):
        return
    raise HordeError(400, "BadRequest", "webhooks need to point to an https endpoint")


def payload_of(job: Job) -> dict[str, Any]:
    """One generation's call body: its status view plus the ids and its kudos."""
    return {
        **generation_view(job),
        "id": job.id,
        "request": job.request.id,
        "kudos": job.kudos,
    }


class WebhookOutbox:
    """Calls waiting to be sent, every call made (``calls``), and the drop switch."""

    def __init__(self) -> None:
        self.calls: list[WebhookCall] = []
        self.pending: list[WebhookCall] = []
        self.drop_every = 0  # 0: never drop; 1: drop all; n: drop every n-th call
        self.used = False  # a request with a webhook arrived: the pump runs from then on

    def queue(self, job: Job) -> None:
        url = job.request.webhook
        if not url:
            return
        call = WebhookCall(url, payload_of(job))
        self.calls.append(call)
        if self.drop_every and len(self.calls) % self.drop_every == 0:
            call.dropped = True
            return
        self.pending.append(call)


class WebhookPump:
    """Catches the simulation up at scripted deadlines and sends the queued calls."""

    def __init__(self, state: HordeState) -> None:
        self._state = state
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def poke(self) -> None:
        """Something changed (a request arrived): re-read the deadlines; start if needed."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="fake-horde-webhooks")
        self._wake.set()

    async def close(self) -> None:
        tasks = [t for t in (self._task, *self._sends) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        state = self._state
        while True:
            self._wake.clear()
            state.evaluate()
            self._send_pending()
            # Any job's end may start a webhook request's job, so every deadline counts
            # while a request with a webhook is still live.
            live = any(r.webhook and not r.done for r in state.text_requests.values())
            deadlines = [j.deadline for j in state.processing.values()] if live else []
            wait = min(deadlines) - state.clock.time() if deadlines else None
            await self._sleep_or_wake(wait)

    async def _sleep_or_wake(self, wait: float | None) -> None:
        waiter = asyncio.ensure_future(self._wake.wait())
        pending: set[asyncio.Future[Any]] = {waiter}
        if wait is not None:
            pending.add(asyncio.ensure_future(self._state.clock.sleep(max(0.0, wait))))
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in pending:
                future.cancel()

    def _send_pending(self) -> None:
        outbox = self._state.webhooks
        calls, outbox.pending = outbox.pending, []
        for call in calls:
            task = asyncio.create_task(self._send(call))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    async def _send(self, call: WebhookCall) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        for _ in range(TRIES):
            call.tries += 1
            try:
                async with self._session.post(
                    call.url, json=call.payload, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
                ) as response:
                    call.status = response.status
                    if response.status < 400:
                        return
            except (aiohttp.ClientError, TimeoutError):
                call.status = None
