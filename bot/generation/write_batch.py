"""Coalesce the same write statement from many jobs into one ``executemany``.

Every aiosqlite call is a hand-off to SQLite's thread and a wake-up of the event loop, which
costs several times more CPU when it arrives alone than when it follows another. So rows are
written by one flusher at a time: the first row starts it, which runs on the next turn of
the loop (callers woken by the same poll round join), and rows added while a batch is being written
wait for it and then go together in the next one — batches grow with the load instead of
each row paying its own hand-off, and nothing waits for a timer. Each caller still returns
only once its row is committed (or its batch failed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

__all__ = ["WriteBatch"]

Row = tuple[Any, ...]


class WriteBatch:
    """Rows added while no batch is being written go to ``write_many`` together."""

    def __init__(self, write_many: Callable[[Sequence[Row]], Awaitable[None]]) -> None:
        self._write_many = write_many
        self._rows: list[Row] = []
        self._done: asyncio.Future[None] | None = None  # of the rows waiting in ``_rows``
        self._flusher: asyncio.Task[None] | None = None
        self.flushes = 0  # how many batches were written (for tests and the benchmark)

    async def add(self, row: Row) -> None:
        """Queue ``row`` and wait until the batch that holds it is committed."""
        self._rows.append(row)
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        done = self._done
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="write-batch")
        await asyncio.shield(done)

    async def _flush(self) -> None:
        # A task's first step runs on the loop's next turn, after every callback of this one:
        # callers woken by the same poll round have joined by then (no extra turn is spent:
        # each turn of the loop is a system call, which is most of what a write costs).
        try:
            while self._done is not None:
                rows, done = self._rows, self._done
                self._rows, self._done = [], None
                await self._write(rows, done)
        finally:
            self._flusher = None

    async def _write(self, rows: list[Row], done: asyncio.Future[None]) -> None:
        self.flushes += 1
        try:
            await self._write_many(rows)
        except asyncio.CancelledError:
            done.cancel()
            if self._done is not None:  # rows queued behind: nobody will write them now
                self._done.cancel()
                self._rows, self._done = [], None
            raise
        except Exception as exc:
            done.set_exception(exc)
            done.exception()  # retrieved: a caller that was cancelled meanwhile is not warned
        else:
            done.set_result(None)
