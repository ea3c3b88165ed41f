"""What /history shows: a member's own recent generations, one page at a time (pure).

Each entry: when, state (results nobody could receive are marked), model, the prompt's
start and the result's start. Results longer than an entry can show come in full in a
``.txt`` attachment of the page, so nothing the member paid for is out of reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.generation.state import JobRecord, JobState
from bot.ui.generate_frontend import shown_prompt_of
from bot.ui.generation_render import DONE_COLOUR, TextFile, describe_job_error

__all__ = ["PAGE_SIZE", "HistoryPage", "render_history"]

PAGE_SIZE = 5
PROMPT_START = 80
RESULT_START = 600  # five entries stay well under Discord's 6000 characters per message

STATE_WORDS = {
    JobState.PENDING: "⏳ waiting",
    JobState.SUBMITTED: "⏳ running",
    JobState.DONE: "✅ done",
    JobState.CANCELLED: "⏹️ cancelled",
    JobState.FAULTED: "❌ failed",
    JobState.EXPIRED: "⌛ expired",
    JobState.FAILED: "❌ failed",
}
UNDELIVERED_MARK = "📭 not delivered (the reply expired and Discord refused the DM)"


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of /history, ready to send."""

    embed: discord.Embed
    attachment: TextFile | None


def render_history(records: Sequence[JobRecord], *, page: int, more: bool) -> HistoryPage:
    """The embed (and the ``.txt`` of long results) of ``records``, page ``page`` (1-based)."""
    embed = discord.Embed(title="Your recent generations", colour=DONE_COLOUR)
    if not records:
        embed.description = (
            "Nothing here yet." if page == 1 else f"There is no page {page}; try page 1."
        )
        return HistoryPage(embed, None)
    clipped: list[JobRecord] = []
    for record in records:
        name, value, was_clipped = _entry(record)
        embed.add_field(name=name, value=value, inline=False)
        if was_clipped:
            clipped.append(record)
    footer = f"Page {page}."
    if more:
        footer += f" Older ones: /history page:{page + 1}"
    embed.set_footer(text=footer)
    attachment = _full_text(clipped, page) if clipped else None
    return HistoryPage(embed, attachment)


def _entry(record: JobRecord) -> tuple[str, str, bool]:
    state = STATE_WORDS.get(record.state, record.state.value)
    name = f"<t:{int(record.created_at)}:R> · {state}"[:256]
    lines = [f"> {_one_line(shown_prompt_of(record), PROMPT_START)}"]
    model = next((g.model for g in record.generations if g.model), None)
    if model:
        lines.append(f"-# {discord.utils.escape_markdown(model)}")
    if record.undelivered:
        lines.append(UNDELIVERED_MARK)
    text = "\n\n".join(g.text for g in record.generations if g.text)
    clipped = len(text) > RESULT_START
    if text:
        shown = text if not clipped else text[: RESULT_START - 1] + "…"
        lines.append(discord.utils.escape_mentions(shown))
        if clipped:
            lines.append("-# (in full in the attached file)")
    elif record.error is not None:
        lines.append(describe_job_error(record.error))
    return name, "\n".join(lines)[:1024], clipped


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return discord.utils.escape_markdown(flat)


def _full_text(records: Sequence[JobRecord], page: int) -> TextFile:
    blocks = []
    for record in records:
        texts = "\n\n---\n\n".join(g.text for g in record.generations if g.text)
        blocks.append(f"Prompt:\n{record.prompt}\n\nResult:\n{texts}")
    return TextFile(f"history-page-{page}.txt", "\n\n=====\n\n".join(blocks))
