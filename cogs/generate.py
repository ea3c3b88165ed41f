"""/generate: text from the AI Horde, shown live in the reply.

Everything a member typed is checked before the interaction is deferred, so a refusal is a
short ephemeral message and nothing is stored. Then the job starts through the /generate
front end (:class:`~bot.ui.generate_frontend.GenerateFrontEnd`, which also owns the reply
and its buttons).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput
from bot.generation import JobKind
from bot.policy import GenerationPolicy, check_interaction
from bot.reach import everywhere
from bot.ui.generate_frontend import GenerateFrontEnd, Job, checked_params
from bot.ui.style_views import style_choices, styled_job

__all__ = ["Generate", "setup"]

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 6000  # Discord's own limit for a string option


class Generate(commands.Cog):
    """/generate (its replies and buttons are the :class:`GenerateFrontEnd`'s)."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.catalog = bot.services.models
        self.front_end = bot.front_ends.get(JobKind.GENERATE, GenerateFrontEnd)

    @everywhere
    @app_commands.command(name="generate", description="Generate text with the AI Horde")
    @app_commands.describe(
        prompt="The text for the model to continue",
        model="A text model (default: any model, or the server's default)",
        max_length="Tokens to generate (16-4096)",
        max_context_length="Tokens of context the model may use (80+)",
        temperature="Randomness (0-5)",
        top_p="Nucleus sampling (0.001-1)",
        top_k="Top-k sampling (0-200)",
        rep_pen="Repetition penalty (1-3)",
        n="How many generations (1-20)",
        stop="Stop sequences, separated by |",
        trusted_workers="Only use workers trusted by the Horde",
        private="Only you see the result",
        style="A text style of the Horde (its own settings and models replace yours, except n)",
    )
    async def generate(
        self,
        interaction: discord.Interaction[Any],
        prompt: str,
        model: str | None = None,
        max_length: int | None = None,
        max_context_length: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        rep_pen: float | None = None,
        n: int | None = None,
        stop: str | None = None,
        trusted_workers: bool = False,
        private: bool = False,
        style: str | None = None,
    ) -> None:
        services = self.bot.services
        prompt = _checked_prompt(prompt)
        given = {
            "model": model,
            "max_length": max_length,
            "max_context_length": max_context_length,
            "temperature": temperature,
            "top_p": top_p,
            "top_k": top_k,
            "rep_pen": rep_pen,
            "stop": stop,
        }
        with self.front_end.cooldown_undone_on_error(interaction):
            policy = await check_interaction(services, interaction)
            raw = {
                "max_length": policy.max_length_for(max_length),
                "max_context_length": max_context_length,
                "temperature": temperature,
                "top_p": top_p,
                "top_k": top_k,
                "rep_pen": rep_pen,
                "n": n,
                "stop_sequence": _stop_sequences(stop),
            }
            job = Job(
                prompt=prompt,
                params=checked_params(raw),
                models=await self._models(model, policy),
                trusted_workers=trusted_workers,
                private=private,
                policy=policy,
            )
            if style is not None:
                job = await styled_job(services.styles, job, style, given)
            await self.front_end.start_job(interaction, job)

    @generate.autocomplete("model")
    async def _model_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await self.catalog.choices(current)
        return [app_commands.Choice(name=c.label, value=c.value) for c in choices]

    @generate.autocomplete("style")
    async def _style_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return style_choices(await self.bot.services.styles.for_autocomplete(), current)

    # --- the shared path of /generate, Regenerate and Continue ---------------------------

    async def _models(self, requested: str | None, policy: GenerationPolicy) -> tuple[str, ...]:
        """The member's model must be served now; the server default is used as set."""
        if requested is None or not requested.strip():
            default = policy.model_for(None)
            return (default,) if default else ()
        found = await self.catalog.find(requested.strip())
        if found is None or not found.name:
            raise BadInput(
                f"No worker serves a text model called `{requested.strip()[:100]}` right now. "
                "Pick one from the list, or leave `model` empty to let any model answer."
            )
        return (found.name,)


def _checked_prompt(prompt: str) -> str:
    if not prompt.strip():
        raise BadInput("The prompt is empty.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadInput(f"The prompt is too long (at most {MAX_PROMPT_CHARS} characters).")
    return prompt


def _stop_sequences(stop: str | None) -> list[str] | None:
    if stop is None:
        return None
    found = [part for part in stop.split("|") if part]
    return found or None


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Generate(bot))
