"""The ``.txt`` transcript of a conversation (/chat export)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.storage.chat import Conversation, StoredTurn

__all__ = ["transcript"]


def transcript(conversation: Conversation, turns: Sequence[StoredTurn]) -> str:
    """Persona and model first, then every turn as ``[time] Name: text``."""
    lines = [
        f"Conversation with {conversation.persona_name}"
        + (f" (model {conversation.model})" if conversation.model else ""),
        f"Persona: {conversation.system_text}",
        "",
    ]
    for turn in turns:
        if not turn.content:
            continue
        when = datetime.fromtimestamp(turn.created_at, UTC).strftime("%Y-%m-%d %H:%M")
        lines.append(f"[{when}] {turn.author_name}: {turn.content}")
    return "\n".join(lines) + "\n"
