"""Prompts built from a message for the message menus: limits and refusals."""

from __future__ import annotations

import pytest

from bot.errors import BadInput
from bot.ui.message_prompt import PROMPT_LIMIT, ask_prompt, continue_prompt


def test_continue_keeps_the_end_of_a_long_message() -> None:
    text = "a" * PROMPT_LIMIT + "THE END"
    built = continue_prompt(text)
    assert len(built.prompt) == PROMPT_LIMIT
    assert built.prompt.endswith("THE END")
    assert built.shown == text


def test_ask_wraps_instruction_and_message_and_stops_at_the_next_turn() -> None:
    built = ask_prompt("  Summarise  ", "Long story " * 2000)
    assert built.prompt.startswith("### Instruction:\nSummarise\n\nThe message:\nLong story")
    assert built.prompt.endswith("…\n\n### Response:\n")
    assert len(built.prompt) <= PROMPT_LIMIT
    assert built.shown == "Summarise"
    assert "### Instruction:" in built.stops


@pytest.mark.parametrize("instruction", ["", "   ", "x" * PROMPT_LIMIT])
def test_ask_refuses_an_empty_or_oversized_instruction(instruction: str) -> None:
    with pytest.raises(BadInput):
        ask_prompt(instruction, "text")
