"""The JobListener that shows a /generate job in its Discord reply, edited in place.

It edits the interaction's original response through the interaction webhook (application
id + token), so it needs no ``Interaction`` object and works the same after a restart. It
edits only when the rendered reply changed, and at most once per ``min_interval`` seconds
(it sleeps on the injected clock; the engine collapses snapshots meanwhile). When the token
is too old or Discord answers 401/404, the result is posted as a new message replying to
the original one in the channel — or, for a private generation, sent by DM only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.state import JobRecord, JobSnapshot
from bot.ui.generation_render import CONTENT_LIMIT, Rendered, RequestFacts, render
from bot.ui.generation_views import build_view
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL, EditPacer

__all__ = [
    "TOKEN_LIFETIME",
    "DeliveryError",
    "ReplyTarget",
    "ReplyUpdater",
    "make_reply_updater",
]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
# Discord's interaction tokens live 15 minutes; stop trusting one a little before that.
TOKEN_LIFETIME = 14.5 * 60
EDIT_ATTEMPTS = 3
ISSUED_AT = "issued_at"  # key of the token's issue time in a job's ``context``
# Seconds an updater created before its reply exists waits for ``attach`` before going on.
ATTACH_TIMEOUT = 10.0


class DeliveryError(Exception):
    """The result could not be shown anywhere; the engine will try again at the next resume."""


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Where a job's reply lives and who it is for."""

    user_id: int
    channel_id: int | None
    application_id: int | None
    token: str | None
    message_id: int | None
    private: bool
    issued_at: float  # clock time the interaction token was issued

    @classmethod
    def of_record(cls, record: JobRecord) -> ReplyTarget:
        issued = record.context.get(ISSUED_AT) if isinstance(record.context, Mapping) else None
        return cls(
            user_id=record.user_id,
            channel_id=record.channel_id,
            application_id=record.application_id,
            token=record.interaction_token,
            message_id=record.message_id,
            private=record.private,
            issued_at=float(issued) if isinstance(issued, int | float) else record.created_at,
        )


class ReplyUpdater:
    """Shows one job's snapshots in its reply (see the module docstring)."""

    def __init__(
        self,
        client: discord.Client,
        target: ReplyTarget,
        facts: RequestFacts,
        *,
        clock: Clock = SYSTEM_CLOCK,
        min_interval: float = DEFAULT_EDIT_INTERVAL,
        token_lifetime: float = TOKEN_LIFETIME,
        attached: bool = True,
    ) -> None:
        """``attached=False``: the reply does not exist yet (the job is stored before the
        interaction is acknowledged); updates wait for :meth:`attach`."""
        self._client = client
        self.target = target
        self._facts = facts
        self._clock = clock
        self._pacer = EditPacer(clock, min_interval)
        self._token_lifetime = token_lifetime
        self._shown: Rendered | None = None
        self._token_dead = target.token is None or target.application_id is None
        self._attached = asyncio.Event()
        if attached:
            self._attached.set()

    def attach(self, message_id: int) -> None:
        """The reply now exists as ``message_id``: start showing the job in it."""
        self.target = dataclasses.replace(self.target, message_id=message_id)
        self._attached.set()

    async def on_update(self, snapshot: JobSnapshot) -> None:
        if not self._attached.is_set():
            try:
                await asyncio.wait_for(self._attached.wait(), ATTACH_TIMEOUT)
            except TimeoutError:
                log.warning("reply of job %s never appeared; falling back", snapshot.job_id)
        rendered = render(snapshot, self._facts)
        if rendered == self._shown:
            return
        if self._token_usable():
            await self._pacer.wait_turn()
            if self._token_usable():
                shown = await self._edit(rendered, snapshot)
                if shown:
                    self._shown = rendered
                if shown is not False:  # shown, or a failed progress edit: the next follows
                    return
        if snapshot.terminal:
            await self._fallback(rendered, snapshot)
            self._shown = rendered

    # --- editing the original response ----------------------------------------------------

    def _token_usable(self) -> bool:
        if self._token_dead:
            return False
        if self._clock.time() - self.target.issued_at > self._token_lifetime:
            self._token_dead = True
        return not self._token_dead

    async def _edit(self, rendered: Rendered, snapshot: JobSnapshot) -> bool | None:
        """Edit the reply: True when shown; False when the token or message is gone (then:
        fall back); None when a progress edit failed otherwise. A terminal edit that keeps
        failing raises :class:`DeliveryError`."""
        target = self.target
        assert target.application_id is not None
        assert target.token is not None
        if target.message_id is None:
            self._token_dead = True
            return False
        webhook = discord.Webhook.partial(target.application_id, target.token, client=self._client)
        attempts = EDIT_ATTEMPTS if snapshot.terminal else 1
        for attempt in range(1, attempts + 1):
            self._pacer.edited()
            try:
                await webhook.edit_message(
                    target.message_id,
                    content=rendered.content,
                    embeds=rendered.discord_embeds(),
                    attachments=[rendered.attachment.to_file()] if rendered.attachment else [],
                    view=build_view(rendered.buttons, snapshot.job_id, target.user_id),
                    allowed_mentions=NO_MENTIONS,
                )
                return True
            except (discord.NotFound, discord.Forbidden) as exc:
                return self._dead(snapshot, exc)
            except discord.HTTPException as exc:
                if exc.status == 401:
                    return self._dead(snapshot, exc)
                log.warning(
                    "Editing the reply of job %s failed (%s, attempt %d)",
                    snapshot.job_id,
                    exc.status,
                    attempt,
                )
                if attempt == attempts:
                    if snapshot.terminal:
                        raise DeliveryError(f"editing the reply failed: {exc.status}") from exc
                    return None  # a progress edit is not worth more; the next one follows
                await self._clock.sleep(float(attempt))
        return True

    def _dead(self, snapshot: JobSnapshot, exc: discord.HTTPException) -> bool:
        log.info(
            "The reply of job %s can no longer be edited (%s %s); falling back",
            snapshot.job_id,
            exc.status,
            exc.code,
        )
        self._token_dead = True
        return False

    # --- the fallback message ---------------------------------------------------------------

    async def _fallback(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        """Post the result where the user sees it: DM when private, else the channel."""
        target = self.target
        try:
            if target.private:
                await self._send_dm(rendered, snapshot)
            else:
                await self._send_in_channel(rendered, snapshot)
        except discord.HTTPException as exc:
            raise DeliveryError(f"posting the result failed: {exc.status} {exc.code}") from exc
        log.info("Job %s delivered by a new message (private=%s)", snapshot.job_id, target.private)

    def _message_kwargs(self, rendered: Rendered, snapshot: JobSnapshot) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"embeds": rendered.discord_embeds()}
        if rendered.attachment is not None:
            kwargs["file"] = rendered.attachment.to_file()
        view = build_view(rendered.buttons, snapshot.job_id, self.target.user_id)
        if view is not None:
            kwargs["view"] = view
        return kwargs

    async def _send_dm(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        target = self.target
        user = self._client.get_user(target.user_id) or await self._client.fetch_user(
            target.user_id
        )
        where = f" in <#{target.channel_id}>" if target.channel_id else ""
        content = _clip(f"Your private generation{where}:\n{rendered.content}")
        await user.send(
            content, allowed_mentions=NO_MENTIONS, **self._message_kwargs(rendered, snapshot)
        )

    async def _send_in_channel(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        target = self.target
        if target.channel_id is None:
            raise DeliveryError("the job has no channel to post in")
        channel = self._client.get_channel(target.channel_id)
        if channel is None:
            channel = await self._client.fetch_channel(target.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryError("the job's channel cannot receive messages")
        kwargs = self._message_kwargs(rendered, snapshot)
        if target.message_id is not None:
            kwargs["reference"] = discord.MessageReference(
                message_id=target.message_id,
                channel_id=target.channel_id,
                fail_if_not_exists=False,
            )
        # Ping the member the result is for, and nobody else (the prompt may hold @everyone).
        only_them = discord.AllowedMentions(
            everyone=False, roles=False, replied_user=False, users=[discord.Object(target.user_id)]
        )
        await channel.send(
            _clip(f"<@{target.user_id}> your generation:\n{rendered.content}"),
            allowed_mentions=only_them,
            **kwargs,
        )


def make_reply_updater(
    client: discord.Client,
    clock: Clock = SYSTEM_CLOCK,
    *,
    min_interval: float = DEFAULT_EDIT_INTERVAL,
) -> Callable[[JobRecord], ReplyUpdater]:
    """The ``listener_factory`` for ``GenerationService.resume``: completes the same reply."""

    def factory(record: JobRecord) -> ReplyUpdater:
        facts = RequestFacts.of(record.prompt, record.params, record.models)
        return ReplyUpdater(
            client,
            ReplyTarget.of_record(record),
            facts,
            clock=clock,
            min_interval=min_interval,
        )

    return factory


def _clip(text: str) -> str:
    return text if len(text) <= CONTENT_LIMIT else text[: CONTENT_LIMIT - 1] + "…"
