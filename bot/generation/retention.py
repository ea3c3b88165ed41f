"""Retention: finished jobs (prompts, results, interaction tokens) are deleted after N days."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.generation.repository import JobRepository

log = logging.getLogger(__name__)

DAY = 86400.0


async def purge_finished(jobs: JobRepository, clock: Clock, retention_days: float) -> int:
    """Delete jobs finished more than ``retention_days`` ago; returns how many."""
    count = await jobs.purge_finished(older_than=clock.time() - retention_days * DAY)
    if count:
        log.info("purged %d finished generation(s)", count)
    return count


async def purge_daily(jobs: JobRepository, clock: Clock, retention_days: float) -> None:
    """Purge once a day until cancelled; a failed purge is logged and tried again tomorrow."""
    while True:
        await clock.sleep(DAY)
        try:
            await purge_finished(jobs, clock, retention_days)
        except Exception:
            log.exception("purging old generations failed")
