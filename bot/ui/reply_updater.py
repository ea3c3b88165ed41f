"""The JobListener that shows a /generate job in its Discord reply, edited in place.

It edits the interaction's original response through the interaction webhook (application
id + token), so it needs no ``Interaction`` object and works the same after a restart. It
edits only when the rendered reply changed, and at most once per ``min_interval`` seconds
(it sleeps on the injected clock; the engine collapses snapshots meanwhile). When the token
is too old or Discord answers 401/404, the result is posted as a new message replying to
the original one in the channel — or sent by DM only: for a private generation, and where
the bot cannot post in the channel (``ReplyAddress.dm_fallback``: DMs, group DMs, servers
without the bot). A DM that Discord refuses (50007) leaves the result in /history
(:class:`~bot.generation.ResultUndeliverable`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import discord

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.errors import ResultUndeliverable
from bot.generation.state import JobSnapshot, ReplyAddress
from bot.ui.delivery import NO_MENTIONS, DeliveryError, ReplyDelivery
from bot.ui.generation_render import CONTENT_LIMIT, Rendered, RequestFacts
from bot.ui.job_buttons import build_view
from bot.ui.pacing import DEFAULT_EDIT_INTERVAL

__all__ = ["TOKEN_LIFETIME", "DeliveryError", "ReplyUpdater"]

log = logging.getLogger(__name__)

# Discord's interaction tokens live 15 minutes; stop trusting one a little before that.
TOKEN_LIFETIME = 14.5 * 60
# Seconds an updater created before its reply exists waits for ``attach`` before going on.
ATTACH_TIMEOUT = 10.0


class ReplyUpdater(ReplyDelivery):
    """Shows one /generate job in its interaction reply (see the module docstring)."""

    def __init__(
        self,
        client: discord.Client,
        user_id: int,
        target: ReplyAddress,
        facts: RequestFacts,
        *,
        clock: Clock = SYSTEM_CLOCK,
        min_interval: float = DEFAULT_EDIT_INTERVAL,
        token_lifetime: float = TOKEN_LIFETIME,
        attached: bool = True,
    ) -> None:
        """``user_id``: whom the result is for. ``attached=False``: the reply does not exist
        yet (the job is stored before the interaction is acknowledged); updates wait for
        :meth:`attach`. A target without ``issued_at`` counts its token as issued now."""
        super().__init__(client, facts, clock=clock, min_interval=min_interval)
        self.user_id = user_id
        self.target = target
        self._issued_at = target.issued_at if target.issued_at is not None else clock.time()
        self._token_lifetime = token_lifetime
        self._gone = target.interaction_token is None or target.application_id is None
        self._attached = asyncio.Event()
        if attached:
            self._attached.set()

    def attach(self, message_id: int) -> None:
        """The reply now exists as ``message_id``: start showing the job in it."""
        self.target = dataclasses.replace(self.target, message_id=message_id)
        self._attached.set()

    async def prepare(self, snapshot: JobSnapshot) -> JobSnapshot:
        if not self._attached.is_set():
            try:
                await asyncio.wait_for(self._attached.wait(), ATTACH_TIMEOUT)
            except TimeoutError:
                log.warning("reply of job %s never appeared; falling back", snapshot.job_id)
        return snapshot

    def editable(self) -> bool:
        """The interaction token still lives (Discord's 15 minutes, with margin)."""
        if self._gone or self.target.message_id is None:
            return False
        if self._clock.time() - self._issued_at > self._token_lifetime:
            self._gone = True
        return not self._gone

    async def edit(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        target = self.target
        assert target.application_id is not None
        assert target.interaction_token is not None
        assert target.message_id is not None
        webhook = discord.Webhook.partial(
            target.application_id, target.interaction_token, client=self._client
        )
        await webhook.edit_message(
            target.message_id,
            content=rendered.content,
            embeds=rendered.discord_embeds(),
            attachments=[rendered.attachment.to_file()] if rendered.attachment else [],
            view=build_view(rendered.buttons, snapshot.job_id, self.user_id),
            allowed_mentions=NO_MENTIONS,
        )

    # --- the fallback message ---------------------------------------------------------------

    async def fallback(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        """Post the result where the user sees it: the channel, or DM (see the module)."""
        target = self.target
        by_dm = target.private or target.dm_fallback
        if by_dm:
            await self._send_dm(rendered, snapshot)
        else:
            await self._send_in_channel(rendered, snapshot)
        log.info("Job %s delivered by a new message (by DM: %s)", snapshot.job_id, by_dm)

    def _message_kwargs(self, rendered: Rendered, snapshot: JobSnapshot) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"embeds": rendered.discord_embeds()}
        if rendered.attachment is not None:
            kwargs["file"] = rendered.attachment.to_file()
        view = build_view(rendered.buttons, snapshot.job_id, self.user_id)
        if view is not None:
            kwargs["view"] = view
        return kwargs

    async def _send_dm(self, rendered: Rendered, snapshot: JobSnapshot) -> None:
        target = self.target
        user = self._client.get_user(self.user_id) or await self._client.fetch_user(self.user_id)
        where = f" in <#{target.channel_id}>" if target.channel_id else ""
        what = "private generation" if target.private else "generation"
        content = _clip(f"Your {what}{where}:\n{rendered.content}")
        try:
            await user.send(
                content, allowed_mentions=NO_MENTIONS, **self._message_kwargs(rendered, snapshot)
            )
        except discord.Forbidden as exc:  # 50007: DMs closed, or no server shared with the bot
            raise ResultUndeliverable(f"the DM was refused ({exc.code})") from exc

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
            everyone=False, roles=False, replied_user=False, users=[discord.Object(self.user_id)]
        )
        await channel.send(
            _clip(f"<@{self.user_id}> your generation:\n{rendered.content}"),
            allowed_mentions=only_them,
            **kwargs,
        )


def _clip(text: str) -> str:
    return text if len(text) <= CONTENT_LIMIT else text[: CONTENT_LIMIT - 1] + "…"
