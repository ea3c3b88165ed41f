"""§3's timed bare baseline: the engine's submits and status reads, at the engine's times.

:func:`bench.scale_child.bare_run` replays the same requests back to back (4 at a time);
:func:`timed` sends each at the moment the engine sent its own (offset from the first
submit), so the loop wakes from idle as often as the engine's did. On this machine a request
sent after an idle pause costs about three times one sent back to back (the loop, the socket
and the server wake up for it): spaced polls are compared with equally spaced requests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp

from bench.hordeproc import BENCH_KEY, MODEL

__all__ = ["timed"]

_HEADERS = {"apikey": BENCH_KEY, "Client-Agent": "bench:0:bare"}
_BODY = {"prompt": "bare", "params": {"max_length": 64}, "models": [MODEL]}


class _Requests:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url
        self.ids: list[str] = []  # of the replay's own submits
        self._first = asyncio.Event()

    async def post(self) -> None:
        url = f"{self._base_url}/v2/generate/text/async"
        async with self._session.post(url, json=_BODY, headers=_HEADERS) as response:
            self.ids.append(str((await response.json())["id"]))
        self._first.set()

    async def get(self, index: int) -> None:
        await self._first.wait()
        request_id = self.ids[index % len(self.ids)]
        url = f"{self._base_url}/v2/generate/text/status/{request_id}"
        async with self._session.get(url, headers=_HEADERS) as response:
            await response.json()


async def timed(
    base_url: str, sent: Sequence[tuple[float, str]], trace: aiohttp.TraceConfig
) -> float:
    """CPU seconds of the requests ``sent`` ((offset in seconds, method), in order), each
    started at its offset from the replay's start, as many at once as that makes."""
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        requests = _Requests(session, base_url)
        tasks: list[asyncio.Task[None]] = []
        cpu0, start = time.process_time(), time.monotonic()
        for index, (offset, method) in enumerate(sent):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            work = requests.post() if method == "POST" else requests.get(index)
            tasks.append(asyncio.create_task(work))
        await asyncio.gather(*tasks)
        return time.process_time() - cpu0
