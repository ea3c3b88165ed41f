"""A view whose buttons only the member who ran the command may press.

Other members get a short ephemeral note instead of an "interaction failed" toast, and an
exception in a button callback is answered in plain words by the command tree's describer,
exactly as a command error would be.

A graceful shutdown greys out every such view still waiting (:func:`retire_live_views`): after
a restart nobody would answer its buttons, and a button that cannot work is better not offered.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import discord

from bot.tree import answer_error
from bot.ui.replies import reply

log = logging.getLogger(__name__)

# Every view made in this process; weak, so a finished view is forgotten with its message.
_LIVE: weakref.WeakSet[InvokerOnlyView] = weakref.WeakSet()


class InvokerOnlyView(discord.ui.View):
    """Base view: ``invoker_id`` alone may use its components (None: anyone may)."""

    def __init__(self, *, invoker_id: int | None, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        # The command's interaction, set by the cog after sending, so a timeout can edit it.
        self.origin: discord.Interaction[Any] | None = None
        _LIVE.add(self)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if self.invoker_id is None or interaction.user.id == self.invoker_id:
            return True
        await reply(interaction, "Only the member who ran this command can use these buttons.")
        return False

    def disable_all(self) -> None:
        """Grey out every button (the message stays, its actions do not)."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def edit_origin(self, **fields: Any) -> None:
        """Edit the command's reply; quietly gives up when the token or message is gone."""
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(**fields)
        except discord.HTTPException as exc:
            log.info("Could not edit the reply of interaction %s: %s", self.origin.id, exc.status)

    async def retire(self) -> None:
        """Stop now and show it as a timeout would (buttons greyed out)."""
        self.stop()
        await self.on_timeout()

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await answer_error(interaction, error)


async def retire_live_views(client: discord.Client, grace: float) -> int:
    """Grey out ``client``'s views still waiting for a press, for up to ``grace`` seconds.

    Returns how many there were; 0 ``grace`` leaves them as they are (as a crash would).
    """
    views = [
        view
        for view in list(_LIVE)
        if view.origin is not None and view.origin.client is client and not view.is_finished()
    ]
    if not views or grace <= 0:
        return 0
    edits = [asyncio.create_task(view.retire()) for view in views]
    _, late = await asyncio.wait(edits, timeout=grace)
    for edit in late:
        edit.cancel()
    return len(views)
