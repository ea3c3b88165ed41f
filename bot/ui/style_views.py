"""Text styles in Discord: autocomplete choices, what a style replaces, lists and details.

Style names are not unique across authors, so choices show "name — by creator" and carry the
style's id as their value. Everything here reads :class:`bot.style_catalog.StyleCatalog`'s
cache; nothing asks the Horde per keystroke.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.chat.reference import ModelReference
from bot.errors import BadInput
from bot.style_catalog import StyleCatalog
from bot.ui.generate_frontend import Job

if TYPE_CHECKING:
    from bot.horde.models import StyleKobold

__all__ = [
    "chat_style_model",
    "overridden_note",
    "resolve_style",
    "style_choices",
    "style_details",
    "styled_job",
    "styles_text",
]

MAX_CHOICES = 25
MAX_LIST = 20
# The /generate options a style's own params and models replace (only n is kept).
STYLE_REPLACES = (
    "model",
    "max_length",
    "max_context_length",
    "temperature",
    "top_p",
    "top_k",
    "rep_pen",
    "stop",
)


def _plain(text: str | None, limit: int) -> str:
    """One line of Horde-supplied text, markdown escaped, mentions defused, clipped."""
    flat = " ".join((text or "").split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return discord.utils.escape_mentions(discord.utils.escape_markdown(flat))


def _label(style: StyleKobold) -> str:
    by = f" — by {style.creator}" if style.creator else ""
    name = " ".join((style.name or "unnamed").split())
    label = f"{name}{by}"
    return label if len(label) <= 100 else label[:99] + "…"


def style_choices(styles: Iterable[StyleKobold], current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 choices whose name or creator contains ``current`` (values are style ids)."""
    wanted = current.strip().casefold()
    found = [s for s in styles if s.id and wanted in _label(s).casefold()]
    return [app_commands.Choice(name=_label(s), value=s.id or "") for s in found[:MAX_CHOICES]]


async def resolve_style(catalog: StyleCatalog, value: str) -> StyleKobold:
    """The style a member chose (an id from the list, or a name typed by hand)."""
    wanted = value.strip()
    if not wanted:
        raise BadInput("The style is empty. Pick one from the list.")
    by_name = [s for s in catalog.cached() if (s.name or "").casefold() == wanted.casefold()]
    if len(by_name) == 1:
        return by_name[0]
    found = await catalog.get(wanted[:100])
    if found is None:
        raise BadInput(
            f"The Horde has no text style `{_plain(wanted, 80)}`. Pick one from the list "
            "(`/styles list` shows them)."
        )
    return found


def overridden_note(style: StyleKobold, given: Mapping[str, Any]) -> str:
    """The reply's line saying the style is applied and which of the member's options it
    replaced (the Horde keeps only ``n``)."""
    replaced = [name for name in STYLE_REPLACES if given.get(name) is not None]
    line = f"🎨 Style **{_plain(style.name, 80)}** applied: its own settings and models are used"
    if replaced:
        line += " — replaced your " + ", ".join(f"`{name}`" for name in replaced)
    return line + "."


def _matches(style: StyleKobold, tag: str | None, model: str | None) -> bool:
    if tag and tag.casefold() not in (t.casefold() for t in style.tags):
        return False
    return not (model and not any(model.casefold() in m.casefold() for m in style.models))


def styles_text(styles: list[StyleKobold], tag: str | None, model: str | None) -> str:
    """``/styles list``: the cached popular styles matching the filters."""
    found = [s for s in styles if _matches(s, tag, model)]
    if not found:
        return "No cached text style matches. Try without a filter."
    lines = [
        f"• **{_plain(s.name, 60)}** by {_plain(s.creator, 40)} — used {s.use_count:,} times"
        + (f" · {', '.join(_plain(t, 20) for t in s.tags[:5])}" if s.tags else "")
        for s in found[:MAX_LIST]
    ]
    more = f"\n…and {len(found) - MAX_LIST} more." if len(found) > MAX_LIST else ""
    return "Popular text styles (refreshed every 15 minutes):\n" + "\n".join(lines) + more


def style_details(style: StyleKobold) -> str:
    """``/styles info``: everything a member needs to choose the style."""
    params = style.params.model_dump(exclude_none=True)
    settings = ", ".join(f"`{k}`={v}" for k, v in sorted(params.items())) or "the Horde's defaults"
    models = ", ".join(f"`{_plain(m, 80).replace('`', '')}`" for m in style.models) or "any"
    lines = [
        f"**{_plain(style.name, 100)}** by {_plain(style.creator, 60)}"
        + (" (NSFW)" if style.nsfw else ""),
        _plain(style.info, 500) if style.info else "",
        f"Prompt template: ```{style.prompt.replace('`', 'ˋ')[:800]}```",
        f"Settings: {settings}",
        f"Models: {models}",
        f"Tags: {', '.join(_plain(t, 30) for t in style.tags) or 'none'}",
        f"Used {style.use_count:,} times.",
    ]
    return "\n".join(line for line in lines if line)


async def styled_job(catalog: StyleCatalog, job: Job, value: str, given: Mapping[str, Any]) -> Job:
    """``job`` with the chosen style: the Horde applies the style's params and models (only
    ``n`` is kept), so only ``n`` is sent, no model is asked for, and the reply says which of
    the member's options the style replaced. The server's ``max_length`` cap still holds."""
    style = await resolve_style(catalog, value)
    cap = job.policy.max_length_cap
    wanted = style.params.model_dump(exclude_none=True).get("max_length")
    if cap is not None and isinstance(wanted, int) and wanted > cap:
        raise BadInput(
            f"This server caps `max_length` at {cap} tokens; the style "
            f"**{_plain(style.name, 80)}** asks for {wanted}."
        )
    params = {"n": job.params["n"]} if "n" in job.params else {}
    context = {**job.context, "style_note": overridden_note(style, given)}
    return dataclasses.replace(job, params=params, models=(), context=context, style=style.id)


async def chat_style_model(reference: ModelReference, style: StyleKobold) -> str:
    """The model of a conversation started with ``style``: its first model.

    A chat is written in its model's instruct format, and the Horde gives a styled request
    to any of the style's models; so a style is allowed on ``/chat start`` only when the bot
    knows the instruct format of every model of the style and they all share one.
    """
    if not style.models:
        raise BadInput("That style names no model, so a conversation cannot use it.")
    formats: set[str] = set()
    for model in style.models:
        info = await reference.lookup(model)
        if info is None or info.instruct_format is None:
            raise BadInput(
                f"The bot does not know the instruct format of `{_plain(model, 80)}`, a model "
                "of that style, so it cannot write the conversation in it. Use the style with "
                "`/generate` instead."
            )
        formats.add(info.instruct_format.name)
    if len(formats) > 1:
        raise BadInput(
            "That style's models use different instruct formats; a conversation needs one. "
            "Use the style with `/generate` instead."
        )
    return style.models[0]
