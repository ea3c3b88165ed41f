"""Instruct formats: how a model expects system text, user turns and its own turns to look.

Each format is plain data (prefixes and suffixes per role) so one renderer serves all of
them. Names follow the ``instruct_format`` values of the Horde's text model reference
(``ChatML``, ``Alpaca``, ``Mistral``, ``Llama 3``, ``Gemma`` …); :func:`find_format`
accepts them in any spelling. A model without a known format gets :data:`PLAIN`: a
``Name: text`` transcript that any base model can continue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FORMATS",
    "PLAIN",
    "InstructFormat",
    "find_format",
    "strip_backend",
]

# Backends the Horde's text workers prefix to model names ("koboldcpp/Mistral-7B").
BACKEND_PREFIXES = ("koboldcpp/", "aphrodite/", "vllm/", "llamacpp/", "tabbyapi/", "ooba/")


@dataclass(frozen=True, slots=True)
class InstructFormat:
    """The wrapping of each role's text in one instruct format.

    ``system_*`` wraps the persona; when ``system_in_first_user`` is set (formats without a
    system role, e.g. Gemma or Mistral) the persona is put before the first user message
    instead. ``names_in_turns`` prefixes each turn's text with its speaker (``Name: ``),
    which group chats need whatever the format. ``stops`` end the model's turn.
    """

    name: str
    system_prefix: str
    system_suffix: str
    user_prefix: str
    user_suffix: str
    assistant_prefix: str
    assistant_suffix: str
    stops: tuple[str, ...]
    start: str = ""
    system_in_first_user: bool = False
    names_in_turns: bool = True


def _fmt(name: str, system: tuple[str, str], user: tuple[str, str], bot: tuple[str, str],
         stops: tuple[str, ...], **extra: object) -> InstructFormat:  # fmt: skip
    return InstructFormat(name, *system, *user, *bot, stops, **extra)  # type: ignore[arg-type]


CHATML = _fmt(
    "ChatML",
    ("<|im_start|>system\n", "<|im_end|>\n"),
    ("<|im_start|>user\n", "<|im_end|>\n"),
    ("<|im_start|>assistant\n", "<|im_end|>\n"),
    ("<|im_end|>", "<|im_start|>"),
)
ALPACA = _fmt(
    "Alpaca",
    ("", "\n\n"),
    ("### Instruction:\n", "\n\n"),
    ("### Response:\n", "\n\n"),
    ("### Instruction:", "### Response:"),
)
VICUNA = _fmt(
    "Vicuna",
    ("", "\n\n"),
    ("USER: ", "\n"),
    ("ASSISTANT: ", "</s>\n"),
    ("</s>", "\nUSER:"),
)
MISTRAL = _fmt(
    "Mistral",
    ("", "\n\n"),
    ("[INST] ", " [/INST]"),
    ("", "</s>"),
    ("</s>", "[INST]"),
    start="<s>",
    system_in_first_user=True,
)
LLAMA2 = _fmt(
    "Llama 2",
    ("<<SYS>>\n", "\n<</SYS>>\n\n"),
    ("[INST] ", " [/INST]"),
    (" ", " </s><s>"),
    ("</s>", "[INST]"),
    start="<s>",
    system_in_first_user=True,
)
LLAMA3 = _fmt(
    "Llama 3",
    ("<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>"),
    ("<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>"),
    ("<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>"),
    ("<|eot_id|>", "<|start_header_id|>"),
    start="<|begin_of_text|>",
)
GEMMA = _fmt(
    "Gemma",
    ("", "\n\n"),
    ("<start_of_turn>user\n", "<end_of_turn>\n"),
    ("<start_of_turn>model\n", "<end_of_turn>\n"),
    ("<end_of_turn>", "<start_of_turn>"),
    system_in_first_user=True,
)
METHARME = _fmt(
    "Metharme",
    ("<|system|>", ""),
    ("<|user|>", ""),
    ("<|model|>", ""),
    ("<|user|>", "<|system|>"),
)
COMMAND_R = _fmt(
    "Command-R",
    ("<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>", "<|END_OF_TURN_TOKEN|>"),
    ("<|START_OF_TURN_TOKEN|><|USER_TOKEN|>", "<|END_OF_TURN_TOKEN|>"),
    ("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>", "<|END_OF_TURN_TOKEN|>"),
    ("<|END_OF_TURN_TOKEN|>", "<|START_OF_TURN_TOKEN|>"),
)
PHI3 = _fmt(
    "Phi-3",
    ("<|system|>\n", "<|end|>\n"),
    ("<|user|>\n", "<|end|>\n"),
    ("<|assistant|>\n", "<|end|>\n"),
    ("<|end|>", "<|user|>"),
)
ZEPHYR = _fmt(
    "Zephyr",
    ("<|system|>\n", "</s>\n"),
    ("<|user|>\n", "</s>\n"),
    ("<|assistant|>\n", "</s>\n"),
    ("</s>", "<|user|>"),
)
PLAIN = _fmt("Plain", ("", "\n\n"), ("", "\n"), ("", "\n"), (), names_in_turns=True)

FORMATS: tuple[InstructFormat, ...] = (
    CHATML, ALPACA, VICUNA, MISTRAL, LLAMA2, LLAMA3, GEMMA, METHARME, COMMAND_R, PHI3, ZEPHYR,
)  # fmt: skip

# Other spellings seen in model cards and the reference, by normalized key.
_ALIASES = {
    "chatml": CHATML,
    "alpaca": ALPACA,
    "vicuna": VICUNA,
    "mistral": MISTRAL,
    "mistralv1": MISTRAL,
    "mistralv2": MISTRAL,
    "mistralv3": MISTRAL,
    "mistralv7": MISTRAL,
    "mistraltekken": MISTRAL,
    "llama2": LLAMA2,
    "llama2chat": LLAMA2,
    "llama3": LLAMA3,
    "llama31": LLAMA3,
    "llama3instruct": LLAMA3,
    "gemma": GEMMA,
    "gemma2": GEMMA,
    "metharme": METHARME,
    "pygmalion": METHARME,
    "commandr": COMMAND_R,
    "cohere": COMMAND_R,
    "phi3": PHI3,
    "zephyr": ZEPHYR,
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_format(name: str | None) -> InstructFormat | None:
    """The format called ``name`` in any spelling ("Llama 3", "llama-3", "LLAMA3"); else None."""
    if not name:
        return None
    key = _key(name)
    if key in _ALIASES:
        return _ALIASES[key]
    # Variants of a family ("Mistral V7-Tekken", "Llama 3.2") share its layout.
    family = max((k for k in _ALIASES if key.startswith(k)), key=len, default=None)
    return _ALIASES[family] if family is not None else None


def strip_backend(model: str) -> str:
    """``koboldcpp/Mistral-7B`` → ``Mistral-7B``; names without a backend prefix unchanged."""
    lowered = model.lower()
    for prefix in BACKEND_PREFIXES:
        if lowered.startswith(prefix):
            return model[len(prefix) :]
    return model
