"""Every instruct format renders persona, turns and the reply start as the model expects."""

from __future__ import annotations

import pytest

from bot.chat.formats import FORMATS, PLAIN, find_format, strip_backend
from bot.chat.prompt import ChatTurn, build_prompt

TURNS = [
    ChatTurn("user", "alice", "Hello"),
    ChatTurn("assistant", "Bot", "Hi alice"),
    ChatTurn("user", "bob", "Who am I?"),
]

EXPECTED = {
    "ChatML": (
        "<|im_start|>system\nBe nice.<|im_end|>\n"
        "<|im_start|>user\nalice: Hello<|im_end|>\n"
        "<|im_start|>assistant\nHi alice<|im_end|>\n"
        "<|im_start|>user\nbob: Who am I?<|im_end|>\n"
        "<|im_start|>assistant\n"
    ),
    "Alpaca": (
        "Be nice.\n\n### Instruction:\nalice: Hello\n\n### Response:\nHi alice\n\n"
        "### Instruction:\nbob: Who am I?\n\n### Response:\n"
    ),
    "Vicuna": (
        "Be nice.\n\nUSER: alice: Hello\nASSISTANT: Hi alice</s>\nUSER: bob: Who am I?\nASSISTANT: "
    ),
    "Mistral": (
        "<s>[INST] Be nice.\n\nalice: Hello [/INST]Hi alice</s>[INST] bob: Who am I? [/INST]"
    ),
    "Llama 2": (
        "<s>[INST] <<SYS>>\nBe nice.\n<</SYS>>\n\nalice: Hello [/INST] Hi alice </s><s>"
        "[INST] bob: Who am I? [/INST] "
    ),
    "Llama 3": (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe nice.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nalice: Hello<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nHi alice<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nbob: Who am I?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    ),
    "Gemma": (
        "<start_of_turn>user\nBe nice.\n\nalice: Hello<end_of_turn>\n"
        "<start_of_turn>model\nHi alice<end_of_turn>\n"
        "<start_of_turn>user\nbob: Who am I?<end_of_turn>\n<start_of_turn>model\n"
    ),
    "Metharme": (
        "<|system|>Be nice.<|user|>alice: Hello<|model|>Hi alice<|user|>bob: Who am I?<|model|>"
    ),
    "Command-R": (
        "<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>Be nice.<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>alice: Hello<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>Hi alice<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>bob: Who am I?<|END_OF_TURN_TOKEN|>"
        "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>"
    ),
    "Phi-3": (
        "<|system|>\nBe nice.<|end|>\n<|user|>\nalice: Hello<|end|>\n"
        "<|assistant|>\nHi alice<|end|>\n<|user|>\nbob: Who am I?<|end|>\n<|assistant|>\n"
    ),
    "Zephyr": (
        "<|system|>\nBe nice.</s>\n<|user|>\nalice: Hello</s>\n"
        "<|assistant|>\nHi alice</s>\n<|user|>\nbob: Who am I?</s>\n<|assistant|>\n"
    ),
}


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_format_renders_the_whole_conversation(fmt: object) -> None:
    from bot.chat.formats import InstructFormat

    assert isinstance(fmt, InstructFormat)
    built = build_prompt(fmt, "Be nice.", TURNS, bot_name="Bot", budget_tokens=10_000)
    assert built.prompt == EXPECTED[fmt.name]


def test_every_format_has_an_expected_rendering() -> None:
    assert sorted(EXPECTED) == sorted(f.name for f in FORMATS)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_format_stops_at_its_end_of_turn_and_at_other_speakers(fmt: object) -> None:
    from bot.chat.formats import InstructFormat

    assert isinstance(fmt, InstructFormat)
    built = build_prompt(fmt, "Be nice.", TURNS, bot_name="Bot", budget_tokens=10_000)
    assert built.stop_sequences[: len(fmt.stops)] == fmt.stops
    assert "\nbob:" in built.stop_sequences
    assert "\nalice:" in built.stop_sequences


def test_plain_transcript_names_every_speaker_and_ends_with_the_bot() -> None:
    built = build_prompt(PLAIN, "Be nice.", TURNS, bot_name="Bot", budget_tokens=10_000)
    assert built.prompt == "Be nice.\n\nalice: Hello\nBot: Hi alice\nbob: Who am I?\nBot:"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ChatML", "ChatML"),
        ("chatml", "ChatML"),
        ("Llama 3", "Llama 3"),
        ("llama-3", "Llama 3"),
        ("LLAMA3", "Llama 3"),
        ("Mistral V7-Tekken", "Mistral"),
        ("gemma 2", "Gemma"),
        ("Pygmalion", "Metharme"),
        ("Command-R", "Command-R"),
    ],
)
def test_format_names_are_found_in_any_spelling(name: str, expected: str) -> None:
    found = find_format(name)
    assert found is not None
    assert found.name == expected


@pytest.mark.parametrize("name", ["", None, "Klingon"])
def test_unknown_format_names_are_not_found(name: str | None) -> None:
    assert find_format(name) is None


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("koboldcpp/Mistral-7B", "Mistral-7B"),
        ("aphrodite/org/Model-13B", "org/Model-13B"),
        ("org/Model-13B", "org/Model-13B"),
        ("KoboldCpp/x", "x"),
    ],
)
def test_backend_prefix_is_stripped(model: str, expected: str) -> None:
    assert strip_backend(model) == expected
