"""A plain answer for a press on a menu whose view is gone.

The pager of ``/workers list``, the confirmations of ``/kudos transfer``, ``/styles``,
``/sharedkey`` and ``/team``, the ``/status`` refresh button and the forms (modals) live in
memory with a timeout. They grey themselves out when they time out, but after a restart (or in
the instant between a timeout and that edit) their buttons still show, and discord.py would
drop a press without a word: the member would only see "This interaction failed".
:func:`bot.ui.discord_internals.watch_unhandled` reports those presses; this module answers
them privately.
Job buttons and the worker panel are dynamic items, answered from stored state: never here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.ui.discord_internals import answered_command, watch_unhandled
from bot.ui.replies import reply

log = logging.getLogger(__name__)

STALE_MENU = "This menu is no longer active (it timed out or the bot restarted)."
STALE_FORM = (
    "This form is no longer active (it timed out or the bot restarted), so nothing was "
    "saved. Please open it again."
)


def stale_answer(interaction: discord.Interaction[Any]) -> str:
    """What the member is told; names the command when the message answers a slash command."""
    if interaction.type is discord.InteractionType.modal_submit:
        return STALE_FORM
    command = origin_command(interaction)
    if command is None:
        return f"{STALE_MENU} Run the command again."
    return f"{STALE_MENU} Run `/{command}` again."


def origin_command(interaction: discord.Interaction[Any]) -> str | None:
    """The slash command ("workers list") whose reply holds the pressed component, if known.

    A name that is not one of the bot's slash commands (a message menu's, say) is not offered
    as something to run.
    """
    message = interaction.message
    if message is None:
        return None
    origin = answered_command(message)
    if origin is None or origin.type is not discord.InteractionType.application_command:
        return None
    tree = getattr(interaction.client, "tree", None)
    if not origin.name or tree is None or tree.get_command(origin.name.split()[0]) is None:
        return None
    return origin.name


class StaleComponentAnswerer:
    """Answers, in the background, every press or submit that nothing else will answer."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def install(self, client: discord.Client) -> None:
        watch_unhandled(client, self.answer_later)

    def answer_later(self, interaction: discord.Interaction[Any]) -> None:
        task = asyncio.create_task(self.answer(interaction), name="stale-component-answer")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def answer(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        log.info(
            "Answered a %s nobody listens to (custom id %r, message %s)",
            "form" if interaction.type is discord.InteractionType.modal_submit else "press",
            data.get("custom_id"),
            interaction.message.id if interaction.message is not None else None,
        )
        await reply(interaction, stale_answer(interaction))
