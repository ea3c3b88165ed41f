"""Coalesce the same write statement from many jobs into one ``executemany``.

Every aiosqlite call is a hand-off to SQLite's thread and a wake-up of the event loop. When a
poll round brings news of many jobs at once, their status rows are written together: the first
caller starts a flush on the next turn of the loop, everyone who adds a row before it runs
joins it, and each caller still returns only once its row is committed (or the batch failed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

__all__ = ["WriteBatch"]

Row = tuple[Any, ...]


class WriteBatch:
    """Rows added in the same loop turn go to ``write_many`` together."""

    def __init__(self, write_many: Callable[[Sequence[Row]], Awaitable[None]]) -> None:
        self._write_many = write_many
        self._rows: list[Row] = []
        self._done: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.flushes = 0  # how many batches were written (for tests and the benchmark)

    async def add(self, row: Row) -> None:
        """Queue ``row`` and wait until the batch that holds it is committed."""
        self._rows.append(row)
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(self._flush(self._done), name="write-batch")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await asyncio.shield(self._done)

    async def _flush(self, done: asyncio.Future[None]) -> None:
        await asyncio.sleep(0)  # one more turn: callers woken by the same poll round join
        rows, self._rows, self._done = self._rows, [], None
        self.flushes += 1
        try:
            await self._write_many(rows)
        except asyncio.CancelledError:
            done.cancel()
            raise
        except Exception as exc:
            done.set_exception(exc)
            done.exception()  # retrieved: a caller that was cancelled meanwhile is not warned
        else:
            done.set_result(None)
