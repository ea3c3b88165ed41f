"""Edit pacing shared by every reply that is edited in place (/generate and chat turns)."""

from __future__ import annotations

from bot.clock import Clock

# Seconds between two edits of one message: Discord's per-message edit limits, with margin.
DEFAULT_EDIT_INTERVAL = 1.5


class EditPacer:
    """At most one edit per ``min_interval`` seconds of one message (on the injected clock)."""

    def __init__(self, clock: Clock, min_interval: float = DEFAULT_EDIT_INTERVAL) -> None:
        self._clock = clock
        self._min_interval = min_interval
        self._last_edit: float | None = None

    async def wait_turn(self) -> None:
        """Sleep until the next edit is allowed (at once before the first edit)."""
        if self._last_edit is None:
            return
        remaining = self._last_edit + self._min_interval - self._clock.monotonic()
        if remaining > 0:
            await self._clock.sleep(remaining)

    def edited(self) -> None:
        """Record that an edit is being sent now."""
        self._last_edit = self._clock.monotonic()
