"""Build a chat prompt in a model's instruct format, trimmed to its context window.

The persona always stays; the oldest turns go first when the history does not fit in
``max_context_length - max_length`` tokens. Without a tokenizer, tokens are estimated at
one per :data:`CHARS_PER_TOKEN` characters — fewer characters than real English tokens
hold, so the estimate errs on the short side and the worker never has to cut the front
of the prompt (which would cut the persona).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.chat.formats import PLAIN, InstructFormat
from bot.chat.sanitize import neutralise

__all__ = [
    "CHARS_PER_TOKEN",
    "BuiltPrompt",
    "ChatTurn",
    "build_prompt",
    "estimate_tokens",
    "trim_reply",
]

CHARS_PER_TOKEN = 3
MAX_STOPS = 16  # the Horde allows 128; a few speakers' names are what matters
MAX_STOP_CHARS = 1500  # of the Horde's 2000-character total

Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """One message of the history: who said it and what."""

    role: Role
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class BuiltPrompt:
    """The prompt to send, its stop sequences and how many turns made it in."""

    prompt: str
    stop_sequences: tuple[str, ...]
    kept: int
    dropped: int


def estimate_tokens(text: str) -> int:
    """A conservative token count for ``text`` (over-counts rather than under-counts)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def build_prompt(
    fmt: InstructFormat,
    system: str,
    turns: Sequence[ChatTurn],
    *,
    bot_name: str,
    budget_tokens: int,
    continue_last: bool = False,
) -> BuiltPrompt:
    """Render ``system`` and the newest ``turns`` that fit in ``budget_tokens``.

    The prompt ends where the model's reply starts (the assistant's prefix), or — with
    ``continue_last`` — inside the last (assistant) turn so the model continues it.
    """
    budget_chars = max(0, budget_tokens) * CHARS_PER_TOKEN
    blocks: list[str] = []
    used = _fixed_chars(fmt, system, bot_name)
    newest = len(turns) - 1
    for index in range(newest, -1, -1):
        is_open = continue_last and index == newest
        block = _turn_block(fmt, turns[index], is_open=is_open)
        if used + len(block) > budget_chars and blocks:
            break
        if used + len(block) > budget_chars:
            block = _clipped(fmt, turns[index], budget_chars - used, is_open=is_open)
        blocks.append(block)
        used += len(block)
    blocks.reverse()
    kept = turns[len(turns) - len(blocks) :]
    prompt = _assemble(fmt, system, kept, blocks, bot_name, continue_last=continue_last)
    return BuiltPrompt(
        prompt=prompt,
        stop_sequences=_stops(fmt, turns, bot_name),
        kept=len(blocks),
        dropped=len(turns) - len(blocks),
    )


def trim_reply(text: str, stops: Sequence[str], *, bot_name: str | None = None) -> str:
    """The model's reply up to the first stop sequence, without an echoed ``Name:``."""
    cut = len(text)
    for stop in stops:
        if stop:
            found = text.find(stop)
            if found != -1:
                cut = min(cut, found)
    reply = text[:cut].strip()
    if bot_name and reply.startswith(f"{bot_name}:"):
        reply = reply[len(bot_name) + 1 :].strip()
    return reply


# --- rendering ---------------------------------------------------------------------------------


def _content(fmt: InstructFormat, turn: ChatTurn) -> str:
    # Speakers' names keep a group chat readable; the model's own turns need none,
    # except in a plain transcript where every line is "Name: text".
    # Members' text (names included) never acts as markup; see bot.chat.sanitize.
    if turn.role == "user" or fmt is PLAIN:
        return f"{neutralise(turn.name)}: {neutralise(turn.text)}"
    return neutralise(turn.text)


def _turn_block(fmt: InstructFormat, turn: ChatTurn, *, is_open: bool = False) -> str:
    if turn.role == "user":
        return fmt.user_prefix + _content(fmt, turn) + fmt.user_suffix
    suffix = "" if is_open else fmt.assistant_suffix
    return fmt.assistant_prefix + _content(fmt, turn) + suffix


def _clipped(fmt: InstructFormat, turn: ChatTurn, room: int, *, is_open: bool) -> str:
    """The turn with the start of its text cut so the block fits in ``room`` characters."""
    overhead = len(_turn_block(fmt, ChatTurn(turn.role, turn.name, ""), is_open=is_open))
    keep = max(0, room - overhead - 1)
    text = "…" + turn.text[len(turn.text) - keep :] if keep < len(turn.text) else turn.text
    return _turn_block(fmt, ChatTurn(turn.role, turn.name, text), is_open=is_open)


def _system_block(fmt: InstructFormat, system: str) -> str:
    if not system:
        return ""
    return fmt.system_prefix + neutralise(system) + fmt.system_suffix


def _reply_start(fmt: InstructFormat, bot_name: str) -> str:
    return fmt.assistant_prefix + (f"{bot_name}:" if fmt is PLAIN else "")


def _fixed_chars(fmt: InstructFormat, system: str, bot_name: str) -> int:
    return len(fmt.start) + len(_system_block(fmt, system)) + len(_reply_start(fmt, bot_name))


def _assemble(
    fmt: InstructFormat,
    system: str,
    kept: Sequence[ChatTurn],
    blocks: list[str],
    bot_name: str,
    *,
    continue_last: bool,
) -> str:
    head = fmt.start
    system_block = _system_block(fmt, system)
    if fmt.system_in_first_user and system_block:
        if kept and kept[0].role == "user" and blocks:
            # Formats without a system role: the persona opens the first user message.
            blocks[0] = fmt.user_prefix + system_block + blocks[0][len(fmt.user_prefix) :]
        else:
            head += fmt.user_prefix + neutralise(system) + fmt.user_suffix
    else:
        head += system_block
    body = head + "".join(blocks)
    if continue_last:
        return body
    return body + _reply_start(fmt, bot_name)


def _stops(fmt: InstructFormat, turns: Sequence[ChatTurn], bot_name: str) -> tuple[str, ...]:
    """The format's end-of-turn markers, then ``\\nName:`` for every other speaker."""
    found = [stop for stop in fmt.stops if stop]
    speakers = [t.name for t in reversed(turns) if t.role == "user" and t.name != bot_name]
    for name in dict.fromkeys(speakers):
        found.append(f"\n{name}:")
    if fmt is PLAIN and not speakers:
        found.append("\nUser:")
    stops: list[str] = []
    total = 0
    for stop in dict.fromkeys(found):
        if len(stops) == MAX_STOPS or total + len(stop) > MAX_STOP_CHARS:
            break
        stops.append(stop)
        total += len(stop)
    return tuple(stops)
