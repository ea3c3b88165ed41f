"""/generate: text from the AI Horde, shown live in the reply; its buttons.

Everything a member typed is checked before the interaction is deferred, so a refusal is a
short ephemeral message and nothing is stored. Then the reply is deferred ("thinking…"), the
job goes to the generation engine (``services.generations``) and a :class:`ReplyUpdater`
edits that reply until the result is in. Regenerate and Continue run the same path for the
member who pressed, with their key.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput, NotPermitted
from bot.generation import GenerationRequest, JobNotFound
from bot.horde.errors import HordeValidationError
from bot.horde.params import validate_params
from bot.policy import GenerationPolicy, check_interaction
from bot.ui.generation_render import RequestFacts
from bot.ui.generation_views import ACTIONS_COG, DYNAMIC_ITEMS, may_manage
from bot.ui.replies import reply
from bot.ui.reply_updater import (
    ISSUED_AT,
    ReplyTarget,
    ReplyUpdater,
    make_reply_updater,
)

__all__ = ["Generate", "make_reply_updater", "setup"]

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 6000  # Discord's own limit for a string option


@dataclass(frozen=True)
class Job:
    """A checked request, ready to be deferred and submitted."""

    prompt: str
    params: dict[str, Any]
    models: tuple[str, ...]
    trusted_workers: bool
    private: bool
    policy: GenerationPolicy
    context: dict[str, Any] = field(default_factory=dict)


class Generate(commands.Cog, name=ACTIONS_COG):
    """/generate and the buttons of its replies."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.catalog = bot.services.models

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
    ) -> None:
        services = self.bot.services
        prompt = _checked_prompt(prompt)
        with self._cooldown_undone_on_error(interaction):
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
                params=_checked_params(raw),
                models=await self._models(model, policy),
                trusted_workers=trusted_workers,
                private=private,
                policy=policy,
            )
            await self._start(interaction, job)

    @generate.autocomplete("model")
    async def _model_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await self.catalog.choices(current)
        return [app_commands.Choice(name=c.label, value=c.value) for c in choices]

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

    async def _start(self, interaction: discord.Interaction[Any], job: Job) -> int:
        """Store the job, then acknowledge, then let the listener edit this reply.

        The job is stored (with the interaction token) before the interaction is deferred, so
        a crash between the two cannot leave a "thinking…" reply that no restart knows about.
        """
        services = self.bot.services
        service = services.generations
        user_id = interaction.user.id
        apikey = await services.key_for(user_id)
        limit = job.policy.max_in_flight
        issued_at = services.clock.time()
        request = GenerationRequest(
            prompt=job.prompt,
            user_id=user_id,
            params=job.params,
            models=job.models,
            trusted_workers=job.trusted_workers,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            application_id=interaction.application_id,
            interaction_token=interaction.token,
            private=job.private,
            context={**job.context, ISSUED_AT: issued_at},
        )
        target = ReplyTarget(
            user_id=user_id,
            channel_id=interaction.channel_id,
            application_id=interaction.application_id,
            token=interaction.token,
            message_id=None,
            private=job.private,
            issued_at=issued_at,
        )
        listener = ReplyUpdater(
            self.bot,
            target,
            RequestFacts.of(job.prompt, job.params, job.models),
            clock=services.clock,
            min_interval=self.bot.edit_interval,
            attached=False,
        )
        job_id = await service.submit(
            request, apikey=apikey, listener=listener, max_in_flight=limit
        )
        try:
            callback = await interaction.response.defer(thinking=True, ephemeral=job.private)
            message_id = callback.message_id if callback is not None else None
            if message_id is None:
                message_id = (await interaction.original_response()).id
        except discord.HTTPException:
            await service.cancel(job_id)  # nobody can see this reply: do not spend kudos
            raise
        await service.set_message_id(job_id, message_id)
        listener.attach(message_id)
        log.info("Member %s started generation job %s", user_id, job_id)
        return job_id

    @contextlib.contextmanager
    def _cooldown_undone_on_error(self, interaction: discord.Interaction[Any]) -> Iterator[None]:
        """A refused request must not start the member's cooldown."""
        try:
            yield
        except Exception:
            if not interaction.response.is_done():
                self.bot.services.cooldowns.forget(interaction.guild_id, interaction.user.id)
            raise

    # --- buttons (GenerationActions) -------------------------------------------------------

    async def cancel_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, owner_id: int
    ) -> None:
        if not may_manage(interaction, owner_id):
            raise NotPermitted(
                "Only the member who started this generation, or someone with Manage Messages, "
                "can cancel it."
            )
        service = self.bot.services.generations
        await interaction.response.defer()
        if not await service.cancel(job_id):
            await reply(interaction, "That generation had already finished.")

    async def again_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, *, extend: bool
    ) -> None:
        services = self.bot.services
        record = await services.generations.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        prompt = record.prompt
        if extend:
            text = next((g.text for g in record.generations if g.text), None)
            if text is None:
                raise BadInput("There is no generated text to continue.")
            prompt += text
        with self._cooldown_undone_on_error(interaction):
            policy = await check_interaction(services, interaction)
            params = dict(record.params)
            params["max_length"] = policy.max_length_for(_int_or_none(params.get("max_length")))
            job = Job(
                prompt=prompt,
                params=_checked_params(params),
                models=record.models,
                trusted_workers=bool(record.options.get("trusted_workers", False)),
                private=record.private,
                policy=policy,
                context={"from_job": job_id, "continued": extend},
            )
            await self._start(interaction, job)

    async def delete_pressed(
        self, interaction: discord.Interaction[Any], job_id: int, owner_id: int
    ) -> None:
        if not may_manage(interaction, owner_id):
            raise NotPermitted(
                "Only the member who started this generation, or someone with Manage Messages, "
                "can delete it."
            )
        await interaction.response.defer()
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            # Not the interaction's own message (e.g. a fallback post): delete it directly.
            if interaction.message is None:
                raise
            await interaction.message.delete()
        log.info("Member %s deleted the reply of job %s", interaction.user.id, job_id)


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


def _checked_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The Horde's limits, checked here so a bad value is refused before anything is stored."""
    try:
        return validate_params({k: v for k, v in raw.items() if v is not None})
    except HordeValidationError as exc:
        problems = "; ".join(
            f"`{name.removeprefix('params.')}`: {problem}" for name, problem in exc.errors.items()
        )
        raise BadInput(f"Invalid option — {problems or exc.message}.") from exc


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Generate(bot))
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
