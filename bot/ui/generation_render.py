"""What a /generate reply shows for a job snapshot: pure functions, no I/O.

:func:`render` turns a :class:`JobSnapshot` plus the facts of the request into a
:class:`Rendered` value that compares equal when what Discord would show is equal, so the
reply updater can skip edits that change nothing. Times are Discord timestamps
(``<t:…:R>``), which the client keeps ticking by itself: there is never a seconds counter
in the content, so nothing needs editing just because time passes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import discord

from bot.generation.errors import ErrorKind
from bot.generation.state import ErrorInfo, Generation, JobPhase, JobSnapshot, Payer
from bot.ui.horde_messages import describe_failure

__all__ = [
    "Buttons",
    "EmbedSpec",
    "Rendered",
    "RequestFacts",
    "TextFile",
    "describe_job_error",
    "render",
]

# Discord's limits (https://discord.com/developers/docs/resources/message).
CONTENT_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TITLE_LIMIT = 256
EMBEDS_TOTAL_LIMIT = 6000
MAX_EMBEDS = 10
# Below the hard limits, to leave room for titles and footers in previews.
PREVIEW_BUDGET = 5200
PREVIEW_MAX = 1000
PROMPT_PREVIEW = 150

RUNNING_COLOUR = 0x5865F2
DONE_COLOUR = 0x57F287
CANCELLED_COLOUR = 0x99AAB5
ERROR_COLOUR = 0xED4245

NO_WORKER_WARNING = (
    "⚠️ No worker on the Horde can serve this request right now. It waits until one "
    "appears (at most 20 minutes); another model or a smaller `max_length` may help."
)


class Buttons(StrEnum):
    """Which buttons the reply carries."""

    NONE = "none"
    RUNNING = "running"  # Cancel
    FINISHED = "finished"  # Regenerate, Delete
    FINISHED_WITH_TEXT = "finished_with_text"  # Regenerate, Continue, Delete


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """The parts of the request the reply shows (they never change during a job)."""

    prompt: str
    n: int = 1
    models: tuple[str, ...] = ()
    payer: Payer | None = None  # whose key paid: advice on a refusal fits that key
    note: str | None = None  # e.g. which options a style replaced

    @classmethod
    def of(
        cls,
        prompt: str,
        params: Any,
        models: Sequence[str],
        *,
        payer: Payer | None = None,
        note: str | None = None,
    ) -> RequestFacts:
        """From a request's or a stored record's prompt, params mapping and models."""
        n = params.get("n") if hasattr(params, "get") else None
        return cls(
            prompt=prompt,
            n=int(n) if isinstance(n, int) and n > 0 else 1,
            models=tuple(models),
            payer=payer,
            note=note,
        )


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    """One embed as plain data (``discord.Embed`` has no value equality)."""

    description: str
    colour: int
    title: str | None = None
    footer: str | None = None

    def to_embed(self) -> discord.Embed:
        embed = discord.Embed(description=self.description, colour=self.colour, title=self.title)
        if self.footer:
            embed.set_footer(text=self.footer)
        return embed

    def size(self) -> int:
        return len(self.description) + len(self.title or "") + len(self.footer or "")


@dataclass(frozen=True, slots=True)
class TextFile:
    """A ``.txt`` attachment holding every generation in full."""

    filename: str
    text: str

    def to_file(self) -> discord.File:
        return discord.File(io.BytesIO(self.text.encode()), filename=self.filename)


@dataclass(frozen=True, slots=True)
class Rendered:
    """Everything a reply shows; equal values look the same in Discord."""

    content: str
    embeds: tuple[EmbedSpec, ...] = ()
    attachment: TextFile | None = None
    buttons: Buttons = Buttons.NONE

    def discord_embeds(self) -> list[discord.Embed]:
        return [spec.to_embed() for spec in self.embeds]


def render(snapshot: JobSnapshot, facts: RequestFacts) -> Rendered:
    """The reply for ``snapshot``: status, warning, times and kudos, then any text."""
    lines = [_prompt_line(facts), facts.note or "", _status_line(snapshot, facts)]
    if not snapshot.terminal and not snapshot.is_possible:
        lines.append(NO_WORKER_WARNING)
    lines.append(_details_line(snapshot))
    generations = snapshot.generations if snapshot.terminal else ()
    embeds, attachment = _result(snapshot, generations)
    if attachment is not None:
        shown = min(len(generations), MAX_EMBEDS)
        note = "The full text is in the attached file"
        if shown < len(generations):
            note += f" (previews of {shown} of {len(generations)} generations below)"
        lines.append(note + ".")
    content = "\n".join(line for line in lines if line)
    return Rendered(
        content=_clip(content, CONTENT_LIMIT),
        embeds=embeds,
        attachment=attachment,
        buttons=_buttons(snapshot),
    )


def describe_job_error(
    error: ErrorInfo | None, *, was_possible: bool = True, payer: Payer | None = None
) -> str:
    """Plain words for why a job ended badly, from what the engine stored (kind, rc, message)."""
    if error is None:
        return "The generation did not finish."
    kind = error.kind
    if kind == ErrorKind.EXPIRED:
        if not was_possible:
            return (
                "No worker on the Horde could serve this request, so it expired. "
                "Try another model or a smaller `max_length`."
            )
        return "The AI Horde dropped this request before it finished (it expired). Try again."
    if kind == ErrorKind.FAULTED:
        return describe_failure(kind, None, error.message)  # the workers' own failure
    if kind == ErrorKind.UNAVAILABLE:
        return "The AI Horde could not be reached, even after retrying. Try again in a few minutes."
    if kind == ErrorKind.INTERNAL:
        return "Something went wrong inside the bot. Try again."
    if kind == ErrorKind.INVALID_API_KEY and error.rc is None:
        return error.message  # the bot's own words: the stored key could not be read
    if kind not in set(ErrorKind):
        return f"The Horde refused: {error.message}"  # a kind this release does not know
    return describe_failure(kind, error.rc, error.message, payer=payer)


# --- content -------------------------------------------------------------------------------


def _prompt_line(facts: RequestFacts) -> str:
    prompt = " ".join(facts.prompt.split())
    if len(prompt) > PROMPT_PREVIEW:
        prompt = prompt[: PROMPT_PREVIEW - 1] + "…"
    model = f" · model `{_code(facts.models[0])}`" if len(facts.models) == 1 else ""
    if len(facts.models) > 1:
        model = f" · {len(facts.models)} models"
    return f"> {discord.utils.escape_markdown(prompt)}{model}"


def _status_line(s: JobSnapshot, facts: RequestFacts) -> str:
    phase = s.phase
    if phase is JobPhase.QUEUED_IN_BOT:
        where = f" — #{s.bot_position} in line" if s.bot_position else ""
        return f"⏳ **Waiting in the bot's queue**{where}."
    if phase is JobPhase.WAITING_FOR_HORDE:
        return (
            "📡 **The AI Horde cannot be reached right now.** Your request waits here and "
            "goes out by itself as soon as the Horde is back."
        )
    if phase is JobPhase.SUBMITTING:
        return "📨 **Sending to the AI Horde…**"
    if phase is JobPhase.QUEUED_ON_HORDE:
        where = f" — position {s.queue_position}" if s.queue_position else ""
        return f"🕒 **Queued on the AI Horde**{where}."
    if phase is JobPhase.PROCESSING:
        progress = f" ({s.finished}/{facts.n} done)" if facts.n > 1 else ""
        return f"⚙️ **A worker is writing**{progress}…"
    if phase is JobPhase.DONE:
        return "✅ **Done.**"
    if phase is JobPhase.CANCELLED:
        partial = " Partial result below." if s.generations else ""
        return f"🛑 **Cancelled.**{partial}"
    return "❌ " + describe_job_error(s.error, was_possible=s.is_possible, payer=facts.payer)


def _details_line(s: JobSnapshot) -> str:
    parts = [f"started <t:{int(s.created_at)}:R>"]
    if s.terminal:
        if s.finished_at is not None:
            parts.append(f"ended <t:{int(s.finished_at)}:R>")
    elif s.eta is not None and s.phase in (JobPhase.QUEUED_ON_HORDE, JobPhase.PROCESSING):
        parts.append(f"ETA <t:{int(s.eta)}:R>")
    if s.kudos > 0:
        parts.append(f"{s.kudos:g} kudos")
    return "-# " + " · ".join(parts)


def _buttons(s: JobSnapshot) -> Buttons:
    if not s.terminal:
        return Buttons.RUNNING
    if any(g.text for g in s.generations):
        return Buttons.FINISHED_WITH_TEXT
    return Buttons.FINISHED


# --- the generated text ------------------------------------------------------------------------


def _result(
    s: JobSnapshot, generations: tuple[Generation, ...]
) -> tuple[tuple[EmbedSpec, ...], TextFile | None]:
    if not generations:
        return (), None
    colour = _colour(s)
    kudos = f"{s.kudos:g} kudos" if s.kudos > 0 else None
    full = _embeds(generations, colour, kudos, limit=EMBED_DESCRIPTION_LIMIT)
    if (
        len(full) <= MAX_EMBEDS
        and all(len(g.text) <= EMBED_DESCRIPTION_LIMIT for g in generations)
        and sum(e.size() for e in full) <= EMBEDS_TOTAL_LIMIT
    ):
        return tuple(full), None
    shown = generations[:MAX_EMBEDS]
    per = min(PREVIEW_MAX, PREVIEW_BUDGET // len(shown))
    previews = _embeds(shown, colour, kudos, limit=per, total=len(generations))
    return tuple(previews), TextFile(f"generation-{s.job_id}.txt", _text_file(generations))


def _embeds(
    generations: Sequence[Generation],
    colour: int,
    kudos: str | None,
    *,
    limit: int,
    total: int | None = None,
) -> list[EmbedSpec]:
    count = total if total is not None else len(generations)
    specs = []
    for index, gen in enumerate(generations):
        last = index == len(generations) - 1
        specs.append(
            EmbedSpec(
                description=_clip(gen.text, limit) if gen.text else "*(empty)*",
                colour=colour,
                title=_title(gen, index, count),
                footer=_footer(gen, kudos if last else None),
            )
        )
    return specs


def _title(gen: Generation, index: int, count: int) -> str | None:
    label = f"{index + 1}/{count}" if count > 1 else None
    if gen.censored:
        flag = "⚠️ Censored by the worker's filter"
        label = f"{label} — {flag}" if label else flag
    return label[:EMBED_TITLE_LIMIT] if label else None


def _footer(gen: Generation, kudos: str | None) -> str | None:
    parts = [p for p in (gen.model, gen.worker_name and f"worker {gen.worker_name}", kudos) if p]
    return " · ".join(parts) or None


def _text_file(generations: Sequence[Generation]) -> str:
    chunks = []
    for index, gen in enumerate(generations):
        about = " — ".join(p for p in (gen.model, gen.worker_name) if p)
        flag = " [censored]" if gen.censored else ""
        head = f"=== Generation {index + 1}/{len(generations)}{flag}"
        chunks.append(f"{head}{' — ' + about if about else ''} ===\n{gen.text}\n")
    return "\n".join(chunks)


def _colour(s: JobSnapshot) -> int:
    if s.phase is JobPhase.DONE:
        return DONE_COLOUR
    if s.phase is JobPhase.CANCELLED:
        return CANCELLED_COLOUR
    return ERROR_COLOUR if s.terminal else RUNNING_COLOUR


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code(text: str) -> str:
    return text.replace("`", "ʼ")
