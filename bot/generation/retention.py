"""Retention: old jobs and chat transcripts (prompts, results, tokens) are deleted after N days.

:func:`purge_daily` is the one daily purge loop; the engine runs it for its jobs and the
chat service for its conversations.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.generation.repository import JobRepository

__all__ = ["DAY", "purge_daily", "purge_finished"]

log = logging.getLogger(__name__)

DAY = 86400.0


async def purge_finished(jobs: JobRepository, clock: Clock, retention_days: float) -> int:
    """Delete jobs finished more than ``retention_days`` ago; returns how many."""
    count = await jobs.purge_finished(older_than=clock.time() - retention_days * DAY)
    if count:
        log.info("purged %d finished generation(s)", count)
    return count


async def purge_daily(
    clock: Clock, purge: Callable[[], Awaitable[object]], what: str, *, at_once: bool = False
) -> None:
    """Run ``purge`` once a day until cancelled (first at once with ``at_once``); a failed
    purge is logged and tried again the next day."""
    if not at_once:
        await clock.sleep(DAY)
    while True:
        try:
            await purge()
        except Exception:
            log.exception("purging old %s failed", what)
        await clock.sleep(DAY)
