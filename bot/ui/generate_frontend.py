"""The front end of /generate jobs: starting one, its reply, and what its buttons do.

/generate, Regenerate and Continue all run :meth:`GenerateFrontEnd.start_job`: the job is
stored with the interaction token, then the interaction is deferred ("thinking…"), then a
:class:`~bot.ui.reply_updater.ReplyUpdater` edits that reply until the result is in.
Regenerate and Continue run for the member who pressed, with their key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.errors import BadInput
from bot.generation import GenerationRequest, JobNotFound, JobRecord, ReplyAddress
from bot.horde.errors import HordeValidationError
from bot.policy import GenerationPolicy, check_interaction, choose_key
from bot.reach import bot_may_post_here, rules_guild_id
from bot.ui.frontends import ButtonPress, FrontEndBase, require_manager
from bot.ui.generation_render import RequestFacts
from bot.ui.replies import reply
from bot.ui.reply_updater import ReplyUpdater

__all__ = ["GenerateFrontEnd", "Job", "checked_params", "shown_prompt_of"]

log = logging.getLogger(__name__)

SHOWN_PROMPT = "shown_prompt"  # key of the job's context


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
    # What the reply shows as the request when it is not the prompt itself (the message
    # menus: the member's instruction, not the instruct-formatted prompt).
    shown_prompt: str | None = None

    def stored_context(self) -> dict[str, Any]:
        if self.shown_prompt is None:
            return self.context
        return {**self.context, SHOWN_PROMPT: self.shown_prompt}

    style: str | None = None  # a text style's id (the Horde applies it)


class GenerateFrontEnd(FrontEndBase):
    """The :class:`~bot.ui.frontends.FrontEnd` of ``JobKind.GENERATE``."""

    def listener(self, record: JobRecord) -> ReplyUpdater:
        """Completes the same reply after a restart."""
        reply = record.reply
        if reply.issued_at is None:  # a row that never recorded it: count from its creation
            reply = dataclasses.replace(reply, issued_at=record.created_at)
        return ReplyUpdater(
            self._client,
            record.user_id,
            reply,
            RequestFacts.of(
                shown_prompt_of(record),
                record.params,
                record.models,
                payer=record.payer,
                note=_note(record.context),
            ),
            clock=self.services.clock,
            min_interval=self._edit_interval,
        )

    # --- starting a job -------------------------------------------------------------------

    async def start_job(self, interaction: discord.Interaction[Any], job: Job) -> int:
        """Store the job, then acknowledge, then let the listener edit this reply.

        The job is stored (with the interaction token) before the interaction is deferred, so
        a crash between the two cannot leave a "thinking…" reply that no restart knows about.
        """
        services = self.services
        engine = services.generations
        user_id = interaction.user.id
        paid = await choose_key(services, user_id, rules_guild_id(interaction))
        request = GenerationRequest(
            prompt=job.prompt,
            user_id=user_id,
            params=job.params,
            models=job.models,
            trusted_workers=job.trusted_workers,
            options={"style": job.style} if job.style else {},
            guild_id=rules_guild_id(interaction),  # None where no server rules exist
            reply=ReplyAddress(
                channel_id=interaction.channel_id,
                application_id=interaction.application_id,
                interaction_token=interaction.token,
                private=job.private,
                issued_at=services.clock.time(),
                dm_fallback=not bot_may_post_here(interaction),
            ),
            context=job.stored_context(),
            payer=paid.payer,
        )
        listener = ReplyUpdater(
            self._client,
            user_id,
            request.reply,
            RequestFacts.of(
                job.shown_prompt or job.prompt,
                job.params,
                job.models,
                payer=paid.payer,
                note=_note(job.context),
            ),
            clock=services.clock,
            min_interval=self._edit_interval,
            attached=False,
        )
        watched = self.watch_sponsor(listener, paid.payer, request.guild_id)
        limit = job.policy.max_in_flight
        job_id = await engine.submit(
            request, apikey=paid.apikey, listener=watched, max_in_flight=limit
        )
        try:
            callback = await interaction.response.defer(thinking=True, ephemeral=job.private)
            message_id = callback.message_id if callback is not None else None
            if message_id is None:
                message_id = (await interaction.original_response()).id
        except discord.HTTPException:
            await engine.cancel(job_id)  # nobody can see this reply: do not spend kudos
            raise
        await engine.set_message_id(job_id, message_id)
        listener.attach(message_id)
        log.info("Member %s started generation job %s", user_id, job_id)
        return job_id

    @contextlib.contextmanager
    def cooldown_undone_on_error(self, interaction: discord.Interaction[Any]) -> Iterator[None]:
        """A refused request must not start the member's cooldown."""
        try:
            yield
        except Exception:
            if not interaction.response.is_done():
                self.services.cooldowns.forget(interaction.guild_id, interaction.user.id)
            raise

    # --- buttons ----------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction[Any], press: ButtonPress) -> None:
        if press.action in ("again", "more"):
            await self._again(
                interaction, press.record, press.job_id, extend=press.action == "more"
            )
            return
        if press.owner_id is None:
            raise BadInput("This button is from an older reply; use the newest one.")
        if press.action == "cancel":
            await self._cancel(interaction, press.job_id, press.owner_id)
        else:
            await self._delete(interaction, press.job_id, press.owner_id)

    async def _cancel(self, interaction: discord.Interaction[Any], job_id: int, owner: int) -> None:
        require_manager(interaction, owner, "cancel it")
        await interaction.response.defer()
        if not await self.services.generations.cancel(job_id):
            await reply(interaction, "That generation had already finished.")

    async def _again(
        self,
        interaction: discord.Interaction[Any],
        record: JobRecord | None,
        job_id: int,
        *,
        extend: bool,
    ) -> None:
        if record is None:
            raise JobNotFound(job_id)
        prompt = record.prompt
        if extend:
            text = next((g.text for g in record.generations if g.text), None)
            if text is None:
                raise BadInput("There is no generated text to continue.")
            prompt += text
        with self.cooldown_undone_on_error(interaction):
            policy = await check_interaction(self.services, interaction)
            params = dict(record.params)
            params["max_length"] = policy.max_length_for(_int_or_none(params.get("max_length")))
            job = Job(
                prompt=prompt,
                params=checked_params(params),
                models=record.models,
                trusted_workers=bool(record.options.get("trusted_workers", False)),
                private=record.reply.private,
                policy=policy,
                context={"from_job": job_id, "continued": extend, **_style_context(record)},
                shown_prompt=record.context.get(SHOWN_PROMPT),
                style=_opt_str(record.options.get("style")),
            )
            await self.start_job(interaction, job)

    async def _delete(self, interaction: discord.Interaction[Any], job_id: int, owner: int) -> None:
        require_manager(interaction, owner, "delete it")
        await interaction.response.defer()
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            # Not the interaction's own message (e.g. a fallback post): delete it directly.
            if interaction.message is None:
                raise
            await interaction.message.delete()
        log.info("Member %s deleted the reply of job %s", interaction.user.id, job_id)


def checked_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The Horde's limits, checked here so a bad value is refused before anything is stored."""
    from bot.horde.params import validate_params  # pydantic: loaded on first use, not at start

    try:
        return validate_params({k: v for k, v in raw.items() if v is not None})
    except HordeValidationError as exc:
        problems = "; ".join(
            f"`{name.removeprefix('params.')}`: {problem}" for name, problem in exc.errors.items()
        )
        raise BadInput(f"Invalid option — {problems or exc.message}.") from exc


def shown_prompt_of(record: JobRecord) -> str:
    """What the reply shows as the request (see ``Job.shown_prompt``)."""
    shown = record.context.get(SHOWN_PROMPT)
    return shown if isinstance(shown, str) else record.prompt


def _note(context: Mapping[str, Any]) -> str | None:
    """The line a job's reply shows under its prompt (e.g. what a style replaced)."""
    return _opt_str(context.get("style_note"))


def _style_context(record: JobRecord) -> dict[str, Any]:
    note = record.context.get("style_note")
    return {"style_note": note} if isinstance(note, str) else {}


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None
