"""Keep text that members type from acting as instruct-format markup in a prompt.

A persona or a chat message containing ``<|im_start|>system`` (or ``[INST]``,
``### Response:``…) would otherwise open a fake system block or speak for another role.
Every marker of every known format is broken with a zero-width space after its first
character: the model reads it as plain text, and nothing visible changes for people.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"

_MARKERS = re.compile(
    r"<\|[^|<>\n]{1,40}\|>"  # ChatML, Llama 3, Phi-3, Zephyr, Metharme, Command-R tokens
    r"|</?s>"  # sentence tokens (Mistral, Llama 2, Vicuna, Zephyr)
    r"|<</?SYS>>"  # Llama 2 system block
    r"|\[/?INST\]"  # Mistral / Llama 2 turns
    r"|<(?:start|end)_of_turn>"  # Gemma
    r"|^\s*###\s*(?:Instruction|Response|Input)\s*:"  # Alpaca headers
    r"|^\s*(?:USER|ASSISTANT)\s*:",  # Vicuna roles
    re.IGNORECASE | re.MULTILINE,
)


def neutralise(text: str) -> str:
    """``text`` with every instruct-format marker broken (idempotent)."""
    return _MARKERS.sub(_break, text)


def _break(match: re.Match[str]) -> str:
    marker = match.group(0)
    start = len(marker) - len(marker.lstrip())
    head = marker[: start + 1]
    rest = marker[start + 1 :]
    if rest.startswith(ZERO_WIDTH_SPACE):
        return marker
    return head + ZERO_WIDTH_SPACE + rest
