"""The one place that reads discord.py's private state (pyproject.toml pins 2.7.x).

Both readings are pinned by ``tests/unit/ui/test_discord_internals.py``, which fails if a
discord.py upgrade changes them.

1. :func:`watch_unhandled`: when discord.py hands a component press or a modal submit to nobody.

discord.py 2.7 routes every component interaction through the connection's view store
(``ConnectionState._view_store``): ``ViewStore.dispatch_view`` schedules, through
``ViewStore.add_task``, one task per dynamic item whose template matches the custom id
(the job buttons, the worker panel) and one for the item of a live view on that message (or of
a persistent view); ``dispatch_modal`` does the same for an open modal. When nothing is
scheduled, discord.py drops the interaction without a word and the member sees Discord's
"This interaction failed".

Counting ``add_task`` calls while discord.py dispatches is the exact test, made at the very
moment discord.py decides. A later check (an ``on_interaction`` listener looking the custom id
up in the store) would race a view whose callback stops it before the listener runs.

2. :func:`answered_command`: the command a message answers. Only the older
``Message.interaction`` carries the command's name (``interaction_metadata`` does not), and its
public property warns on every read (and resets the process's DeprecationWarning filter), so the
attribute behind it is read instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import discord
from discord.ui.view import ViewStore

# Called, synchronously, with an interaction no view, dynamic item or modal will answer.
Unhandled = Callable[[discord.Interaction[Any]], None]


class _StoreWatch:
    """Wraps one store's dispatch methods; ``scheduled`` counts the handlers they started."""

    def __init__(self, store: ViewStore, on_unhandled: Unhandled) -> None:
        self.scheduled = 0
        self._on_unhandled = on_unhandled
        self._add_task = store.add_task
        self._dispatch_view = store.dispatch_view
        self._dispatch_modal = store.dispatch_modal

    def add_task(self, task: asyncio.Task[None]) -> None:
        self.scheduled += 1
        self._add_task(task)

    def dispatch_view(
        self, component_type: int, custom_id: str, interaction: discord.Interaction[Any]
    ) -> None:
        before = self.scheduled
        self._dispatch_view(component_type, custom_id, interaction)
        if self.scheduled == before:
            self._on_unhandled(interaction)

    def dispatch_modal(
        self,
        custom_id: str,
        interaction: discord.Interaction[Any],
        components: Any,
        resolved: Any,
    ) -> None:
        before = self.scheduled
        self._dispatch_modal(custom_id, interaction, components, resolved)
        if self.scheduled == before:
            self._on_unhandled(interaction)


def watch_unhandled(client: discord.Client, on_unhandled: Unhandled) -> None:
    """Call ``on_unhandled`` for each press or submit that ``client`` will leave unanswered.

    Idempotent per store; call it again after ``Client.clear()``, which makes a new store.
    """
    store = client._connection._view_store
    if isinstance(getattr(store, "_horde_watch", None), _StoreWatch):
        return
    watch = _StoreWatch(store, on_unhandled)
    store._horde_watch = watch  # type: ignore[attr-defined]
    store.add_task = watch.add_task  # type: ignore[method-assign]
    store.dispatch_view = watch.dispatch_view  # type: ignore[method-assign]
    store.dispatch_modal = watch.dispatch_modal  # type: ignore[method-assign]


def answered_command(message: discord.Message) -> discord.MessageInteraction | None:
    """The interaction ``message`` answers, with its ``name``, as Discord sent it (or None)."""
    origin = getattr(message, "_interaction", None)
    return origin if isinstance(origin, discord.MessageInteraction) else None
