"""A private Confirm / Cancel step before an action that cannot be undone (a delete).

Only the member who ran the command may press; one press acts, a second one is told it was
already done; after the timeout the buttons are greyed out and nothing happens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.invoker_view import InvokerOnlyView

__all__ = ["CONFIRM_SECONDS", "ConfirmView"]

CONFIRM_SECONDS = 120.0

# Does the action and returns what the message says afterwards.
Action = Callable[[], Awaitable[str]]


class ConfirmView(InvokerOnlyView):
    """``Confirm`` runs ``action`` once; ``Cancel`` (or the timeout) leaves everything as is."""

    def __init__(
        self, *, invoker_id: int, action: Action, timeout: float = CONFIRM_SECONDS
    ) -> None:
        super().__init__(invoker_id=invoker_id, timeout=timeout)
        self._action = action
        self.done = False

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        if self._already_done():
            await interaction.response.send_message("That was already done.", ephemeral=True)
            return
        self.disable_all()
        await interaction.response.edit_message(view=self)
        try:
            text = await self._action()
        except Exception:
            # Refused (by the Horde, say): nothing changed, so the member may press again.
            self.done = False
            for item in self.children:
                if isinstance(item, discord.ui.Button):
                    item.disabled = False
            await self.edit_origin(view=self)
            raise
        await interaction.edit_original_response(content=text, view=None)
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        if self._already_done():
            await interaction.response.send_message("That was already done.", ephemeral=True)
            return
        await interaction.response.edit_message(content="Cancelled; nothing changed.", view=None)
        self.stop()

    def _already_done(self) -> bool:
        """True for every press after the first (set before any await)."""
        if self.done:
            return True
        self.done = True
        return False

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_origin(view=self)
