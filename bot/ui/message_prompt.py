"""Prompts built from a Discord message, for the message menus (``cogs/message_menus.py``).

The text of a message is what a reader sees: its content, its embeds' descriptions (the
bot's own results are embeds) and its ``.txt`` attachments. ``Continue with AI Horde`` sends
that text for the model to continue; ``Ask AI Horde…`` wraps the member's instruction and the
text in an instruct format: the server's default model's (from the model reference), else
Alpaca, which most instruct-tuned models on the Horde follow well enough when any model may
answer.

Why no new job kind: a menu's job is a /generate job in every way that happens after the
prompt exists — the same policy, key, governor, engine, reply, buttons (Regenerate and
Continue rebuild from the stored prompt) and resume. Only the prompt is built differently,
before anything is stored, so the menus reuse ``JobKind.GENERATE`` and its front end; the
reply shows ``shown_prompt`` (the instruction, or the message's start) instead of the
formatted prompt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

from bot.chat.formats import ALPACA, InstructFormat
from bot.errors import BadInput

__all__ = ["MenuPrompt", "ask_prompt", "continue_prompt", "message_text"]

log = logging.getLogger(__name__)

# Discord's own limit for a /generate prompt option; the menus send no more.
PROMPT_LIMIT = 6000
# A .txt attachment larger than this is not read (its start would not fit anyway).
MAX_ATTACHMENT_BYTES = 256 * 1024
NO_TEXT = (
    "That message has no text I could use: no content, no embed text and no `.txt` file. "
    "Pick a message with text."
)


@dataclass(frozen=True, slots=True)
class MenuPrompt:
    """The prompt the model gets, what the reply shows as the request, and extra stops."""

    prompt: str
    shown: str
    stops: tuple[str, ...] = ()


async def message_text(message: discord.Message, *, own: bool = False) -> str:
    """The text a reader sees in ``message``; BadInput when there is none.

    ``own``: the message is one of the bot's results, whose content is only the status
    line around the result: its embeds and its ``.txt`` hold the text.
    """
    parts = [] if own else [message.content.strip()]
    parts += [(embed.description or "").strip() for embed in message.embeds]
    for attachment in message.attachments:
        if _is_text_file(attachment):
            parts.append(await _read_text(attachment))
    text = "\n\n".join(part for part in parts if part)
    if not text:
        raise BadInput(NO_TEXT)
    return text


def continue_prompt(text: str) -> MenuPrompt:
    """The model continues the message: its last ``PROMPT_LIMIT`` characters."""
    return MenuPrompt(prompt=text[-PROMPT_LIMIT:], shown=text)


def ask_prompt(instruction: str, text: str, fmt: InstructFormat = ALPACA) -> MenuPrompt:
    """The instruction and the message, as one user turn of ``fmt``."""
    instruction = instruction.strip()
    if not instruction:
        raise BadInput("The instruction is empty.")
    room = PROMPT_LIMIT - len(instruction) - 200  # the format's own text, with margin
    if room <= 0:
        raise BadInput("The instruction is too long.")
    quoted = text if len(text) <= room else text[: room - 1] + "…"
    body = f"{instruction}\n\nThe message:\n{quoted}"
    prompt = f"{fmt.start}{fmt.user_prefix}{body}{fmt.user_suffix}{fmt.assistant_prefix}"
    return MenuPrompt(prompt=prompt, shown=instruction, stops=fmt.stops)


def _is_text_file(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";")[0].strip()
    return attachment.filename.lower().endswith(".txt") or content_type == "text/plain"


async def _read_text(attachment: discord.Attachment) -> str:
    if attachment.size > MAX_ATTACHMENT_BYTES:
        raise BadInput(
            f"`{attachment.filename[:100]}` is too large to read "
            f"(at most {MAX_ATTACHMENT_BYTES // 1024} KiB)."
        )
    try:
        data = await attachment.read()
    except discord.HTTPException as exc:
        log.warning("could not read an attachment (%s)", exc.status)
        raise BadInput(f"I could not read `{attachment.filename[:100]}`.") from exc
    return data.decode("utf-8", errors="replace").strip()
