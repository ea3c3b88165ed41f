"""HTTP transport of the Horde client: headers, error mapping, retries with backoff.

One aiohttp session carries every call. Errors of every kind become :class:`HordeError`
subclasses here, so nothing from aiohttp or asyncio escapes to callers.

Retry policy: idempotent calls (GETs, and the kudos transfer because it carries an
``Idempotency-Key``) retry on 429, 502, 503, 504, dropped connections and timeouts, with
jittered exponential backoff that honours ``Retry-After``. Other calls (submit, pop, job
submit, DELETE, IP-timeout changes) retry only when the connection could not even be
established, because then the server cannot have acted on them.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import json
import logging
import random
import re
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple
from urllib.parse import quote

import aiohttp

from bot.clock import Clock
from bot.horde.errors import (
    HordeError,
    HordeUnavailable,
    HordeUnreachable,
    HordeValidationError,
    error_from_response,
)
from bot.metrics import record

log = logging.getLogger(__name__)

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
BACKOFF_BASE: Final = 1.0
BACKOFF_CAP: Final = 30.0
MAX_RETRY_AFTER: Final = 120.0
"""A ``Retry-After`` longer than this is not waited out: the error goes to the caller."""

# The seed-era paths that now belong to the IMAGE API; a text client must never call them.
_IMAGE_PREFIXES: Final = (
    "generate/async",
    "generate/status/",
    "generate/check/",
    "generate/pop",
    "generate/submit",
)


# The characters quote() never escapes: a segment made only of them (every request id, most
# names) is its own quoted form, and matching it is cheaper than quoting (status polls).
_UNQUOTED_SEGMENT: Final = re.compile(r"[A-Za-z0-9_.~-]+")


def segment(value: object) -> str:
    """Quote one path segment (ids, names and CIDR blocks may hold ``/`` or spaces)."""
    text = str(value)
    return text if _UNQUOTED_SEGMENT.fullmatch(text) else quote(text, safe="")


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.datetime.now(tz=when.tzinfo or datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, retry_after: float | None) -> float:
    """Jittered exponential backoff for retry ``attempt`` (0-based), at least ``retry_after``."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        # Never earlier than asked; a little jitter so many clients do not return at once.
        delay = retry_after + random.uniform(0, min(1.0, retry_after * 0.1))
    return delay


class Call(NamedTuple):
    """One HTTP call. ``idempotent`` says whether it may be retried after an ambiguous failure.

    A named tuple rather than a frozen dataclass: as immutable, and built in half the time
    (a frozen dataclass sets each field through ``object.__setattr__``); one is made per request.
    """

    method: str
    path: str
    apikey: str | None = None
    json: Any = None
    query: Mapping[str, str] | None = None
    headers: Mapping[str, str] = MappingProxyType({})
    idempotent: bool = False
    timeout: float | None = None


class _ConnectFailedError(Exception):
    """The connection could not be established: the server never saw the request."""


class Transport:
    """Sends :class:`Call` objects to ``{base_url}/v2/…`` and returns the parsed JSON."""

    def __init__(
        self,
        *,
        base_url: str,
        client_agent: str,
        session: aiohttp.ClientSession | None,
        timeout: float,
        clock: Clock,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_agent = client_agent
        self.timeout = timeout
        self.clock = clock
        self._session = session
        self._owns_session = session is None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._owns_session:
                raise HordeUnavailable("the injected aiohttp session is closed")
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session if we created it; an injected one belongs to the caller."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None if self._owns_session else self._session

    async def send(self, call: Call, *, retries: int) -> Any:
        """Send ``call``, retrying per the policy above; return the parsed JSON body."""
        if call.path.startswith(_IMAGE_PREFIXES):
            raise ValueError(f"refusing image endpoint /v2/{call.path}")
        attempt = 0
        while True:
            try:
                return _answer(call, *await self._exchange(call))
            except _ConnectFailedError as exc:
                error: HordeError = HordeUnreachable(f"could not connect to the AI Horde: {exc}")
                retryable = True
            except HordeError as exc:
                error = exc
                # status None: the connection dropped or timed out after the request went out.
                transient = exc.status in RETRY_STATUSES or (
                    exc.status is None and isinstance(exc, HordeUnavailable)
                )
                retryable = call.idempotent and transient
            if not retryable or attempt >= retries:
                raise error
            if error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER:
                raise error
            delay = backoff_delay(attempt, error.retry_after)
            attempt += 1
            log.info(
                "Horde %s /v2/%s failed (%s); retry %d/%d in %.1fs",
                call.method,
                call.path,
                error,
                attempt,
                retries,
                delay,
            )
            await self.clock.sleep(delay)

    def _headers(self, call: Call) -> dict[str, str]:
        headers = {"Client-Agent": self.client_agent, "Accept": "application/json"}
        if call.apikey is not None:
            check_apikey(call.apikey)
            headers["apikey"] = call.apikey
        if call.headers:
            headers.update(call.headers)
        return headers

    async def _exchange(self, call: Call) -> tuple[int, str, float | None]:
        """One HTTP request: its status, body text and ``Retry-After``; counted in the metrics
        (a plain call, which returns at once while metrics are off)."""
        url = f"{self.base_url}/v2/{call.path}"
        status, seconds, started = 0, 0.0, time.perf_counter()
        try:
            async with self.session.request(
                call.method,
                url,
                json=call.json,
                params=call.query,
                headers=self._headers(call),
                timeout=_client_timeout(call.timeout or self.timeout),
            ) as response:
                status, seconds = response.status, time.perf_counter() - started
                # JSON is UTF-8 (RFC 8259), and the Horde says so: naming the encoding spares
                # aiohttp parsing the Content-Type of every answer to find it.
                text = await response.text(encoding="utf-8", errors="replace")
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
        except aiohttp.ClientConnectorError as exc:
            record.horde_no_answer(call.method, call.path, exc)
            raise _ConnectFailedError(type(exc).__name__) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            if status:  # the headers came, the body did not
                record.horde_answered(call.method, call.path, status, seconds, "")
            else:
                record.horde_no_answer(call.method, call.path, exc)
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise HordeUnavailable(f"the AI Horde connection failed: {reason}") from exc
        record.horde_answered(call.method, call.path, status, seconds, text)
        return status, text, retry_after


def _answer(call: Call, status: int, text: str, retry_after: float | None) -> Any:
    """The parsed body of a 2xx answer; the matching :class:`HordeError` for any other."""
    body = _loads(text)
    if 200 <= status < 300:
        if body is _NOT_JSON:
            raise HordeUnavailable("the AI Horde answered with a non-JSON body", status=status)
        return body
    parsed = None if body is _NOT_JSON else body
    secrets = (call.apikey,) if call.apikey else ()
    raise error_from_response(status, parsed, retry_after=retry_after, secrets=secrets)


@functools.lru_cache(maxsize=16)
def _client_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """One (immutable) ClientTimeout per value in use, rather than a new one per request."""
    return aiohttp.ClientTimeout(total=seconds)


_NOT_JSON: Final = object()


def check_apikey(apikey: str) -> None:
    """Refuse a key no HTTP header can carry (control characters, spaces, non-ASCII).

    aiohttp would raise a bare ValueError for some of these; a HordeValidationError says
    what is wrong without repeating the key.
    """
    if not apikey or not all("!" <= ch <= "~" for ch in apikey):
        raise HordeValidationError(
            "the API key contains characters an API key cannot have",
            errors={"apikey": "only visible ASCII characters, no spaces"},
        )


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON
