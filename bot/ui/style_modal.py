"""The modal of ``/styles create`` and ``/styles edit``: name, prompt, info, models, tags.

What the Horde would refuse for its shape (no ``{p}`` in the prompt, 0 or more than 5 models,
more than 10 tags, a too short info) is refused here, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import BadInput
from bot.tree import answer_error

if TYPE_CHECKING:
    from bot.horde.models import StyleKobold

__all__ = ["StyleFields", "StyleModal", "parse_fields"]

MAX_MODELS = 5
MAX_TAGS = 10


@dataclass(frozen=True)
class StyleFields:
    """A style as typed into the modal, checked."""

    name: str
    prompt: str
    info: str | None
    models: tuple[str, ...]
    tags: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())


def parse_fields(name: str, prompt: str, info: str, models: str, tags: str) -> StyleFields:
    """Check what was typed; :class:`BadInput` says what to fix (nothing was sent)."""
    clean_name = " ".join(name.split())
    model_list = _split(models)
    tag_list = _split(tags)
    problems = []
    if not clean_name:
        problems.append("the name is empty")
    if "{p}" not in prompt:
        problems.append("the prompt must contain `{p}`, where the member's prompt goes")
    if not 1 <= len(model_list) <= MAX_MODELS:
        problems.append(f"name 1 to {MAX_MODELS} models, separated by commas")
    if len(tag_list) > MAX_TAGS:
        problems.append(f"at most {MAX_TAGS} tags")
    cleaned_info = info.strip() or None
    if cleaned_info is not None and len(cleaned_info) < 10:
        problems.append("the description needs at least 10 characters (or leave it empty)")
    if problems:
        raise BadInput("Nothing was sent: " + "; ".join(problems) + ".")
    return StyleFields(clean_name, prompt, cleaned_info, model_list, tag_list)


Submit = Callable[[discord.Interaction[Any], StyleFields], Awaitable[str]]


class StyleModal(discord.ui.Modal):
    """Create (empty) or edit (prefilled from ``current``) a text style."""

    def __init__(self, *, title: str, submit: Submit, current: StyleKobold | None = None) -> None:
        super().__init__(title=title, custom_id="style-modal")
        self._submit = submit
        self.name_field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Name", max_length=100, default=current.name if current else None
        )
        self.prompt_field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Prompt template (must contain {p})",
            style=discord.TextStyle.paragraph,
            max_length=4000,
            default=current.prompt if current else "{p}",
        )
        self.info_field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Description (optional, 10+ characters)",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            default=current.info if current else None,
        )
        self.models_field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Models (1 to 5, separated by commas)",
            max_length=1000,
            default=", ".join(current.models) if current else None,
        )
        self.tags_field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Tags (optional, separated by commas)",
            max_length=500,
            required=False,
            default=", ".join(current.tags) if current else None,
        )
        for field in (
            self.name_field,
            self.prompt_field,
            self.info_field,
            self.models_field,
            self.tags_field,
        ):
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        try:
            fields = parse_fields(
                self.name_field.value,
                self.prompt_field.value,
                self.info_field.value,
                self.models_field.value,
                self.tags_field.value,
            )
            await interaction.response.defer(ephemeral=True, thinking=True)
            text = await self._submit(interaction, fields)
            await interaction.edit_original_response(content=text)
        except Exception as error:
            await answer_error(interaction, error)
