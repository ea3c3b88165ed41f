"""A private "are you sure?" with one ``Confirm`` button that runs the change once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.invoker_view import InvokerOnlyView

CONFIRM_SECONDS = 120.0

#: Runs the change with the pressing interaction; returns what to show afterwards.
ConfirmedAction = Callable[[discord.Interaction[Any]], Awaitable[str]]


class ConfirmView(InvokerOnlyView):
    """Confirm runs ``action`` (after a deferred update) and shows its answer; then it is spent."""

    def __init__(
        self, *, invoker_id: int, action: ConfirmedAction, timeout: float = CONFIRM_SECONDS
    ) -> None:
        super().__init__(invoker_id=invoker_id, timeout=timeout)
        self._action = action

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.defer()
        done = await self._action(interaction)
        self.disable_all()
        self.stop()
        await interaction.edit_original_response(content=done, view=self)

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_origin(content="Not confirmed in time: nothing was changed.", view=self)
