"""What /kudos shows: the balance embed, the transfer confirmation and kudos errors in words.

The confirmation carries ONE idempotency key for its whole life: however often Confirm is
pressed (a double click, or a retry after the Horde could not be reached), the Horde moves
the kudos at most once.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.clock import Clock
from bot.horde.errors import HordeError, HordeUnavailable, RateLimited
from bot.ui.horde_messages import describe_horde_error
from bot.ui.invoker_view import InvokerOnlyView
from bot.ui.replies import NO_MENTIONS, reply

if TYPE_CHECKING:
    from bot.horde.models import UserDetails

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 60.0
REFRESH_NOTE = "The Horde refreshes balances within about 30 s, so `/kudos balance` may lag."

# Every rc /v2/kudos/transfer can answer, in plain words (rc_table.md, KudosValidationError).
TRANSFER_RC_MESSAGES: dict[str, str] = {
    "KudosTransferToSelf": "You cannot send kudos to yourself.",
    "KudosTransferToAnon": "Kudos cannot be sent to the shared anonymous account.",
    "KudosTransferFromAnon": (
        "The shared anonymous account cannot send kudos. `/login` with your own key first."
    ),
    "KudosTransferNotEnough": "You do not have that many kudos. Check `/kudos balance`.",
    "NegativeKudosTransfer": "The amount must be a positive number of kudos.",
    "InvalidKudosTransferAmount": "That amount is not valid: send a whole number of kudos above 0.",
    "InvalidTargetUsername": (
        "The Horde has no user with that name. Horde usernames look like `alias#1234`."
    ),
    "TooFastKudosTransfers": (
        "You sent kudos to this user less than a minute ago. Wait a minute, then try again."
    ),
    "SourceAccountFlagged": (
        "Your Horde account is flagged, so it cannot send kudos. Ask the Horde moderators why."
    ),
    "TargetAccountFlagged": "The receiving Horde account is flagged, so it cannot receive kudos.",
    "EducationCannotSendKudos": "Education accounts cannot send kudos.",
    "SharedKeyExpired": "This shared key has expired, so it cannot send kudos.",
    "IdempotencyKeyConflict": (
        "The Horde already handled this confirmation differently. Start a new `/kudos transfer`."
    ),
    "FaultWhenKudosSending": "The Horde failed to take the kudos; nothing was sent. Try later.",
    "FaultWhenKudosReceiving": "The Horde failed to deliver the kudos. Try again later.",
    "KudosValidationError": "The Horde refused this kudos transfer.",
}


def describe_transfer_error(error: HordeError) -> str:
    """Plain words for a failed transfer; falls back to the shared Horde messages."""
    rc = (error.rc or "").rstrip(".")
    return TRANSFER_RC_MESSAGES.get(rc) or describe_horde_error(error)


def balance_embed(user: UserDetails) -> discord.Embed:
    """The member's Horde account at a glance (kudos, usage and contributions)."""
    records = user.records
    name = discord.utils.escape_markdown(user.username or "unknown")
    embed = discord.Embed(title=name, colour=discord.Colour.gold())
    embed.add_field(name="Kudos", value=f"{user.kudos:,.0f}")
    embed.add_field(name="Text requested", value=f"{records.request.text:,} generations")
    embed.add_field(name="Tokens used", value=f"{records.usage.tokens:,}")
    embed.add_field(name="Text fulfilled", value=f"{records.fulfillment.text:,} jobs")
    embed.add_field(name="Tokens contributed", value=f"{records.contribution.tokens:,}")
    embed.add_field(name="Workers", value=str(user.worker_count))
    embed.set_footer(text="The Horde refreshes balances within about 30 s after a transfer.")
    return embed


class TransferState(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    FINISHED = "finished"


# Sends the kudos with the given idempotency key; returns the amount transferred.
SendKudos = Callable[[str], Awaitable[float]]


class TransferConfirmView(InvokerOnlyView):
    """Confirm / Cancel for one transfer; expires ``timeout`` seconds after it was shown.

    Expiry is checked on the injected clock when Confirm is pressed (so a late press never
    sends) and the buttons are greyed out by discord.py's view timeout.
    """

    def __init__(
        self,
        *,
        invoker_id: int,
        preview: str,
        send: SendKudos,
        clock: Clock,
        timeout: float = CONFIRM_SECONDS,
    ) -> None:
        super().__init__(invoker_id=invoker_id, timeout=timeout)
        self.preview = preview
        self.idempotency_key = str(uuid.uuid4())
        self.state = TransferState.PENDING
        self._send = send
        self._clock = clock
        self.expires_at = clock.time() + timeout

    def content(self) -> str:
        """The preview with the moment it expires (rendered live by the Discord client)."""
        return f"{self.preview}\nThis offer expires <t:{int(self.expires_at)}:R>."

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        if not await self._still_pending(interaction):
            return
        if self._clock.time() >= self.expires_at:
            await self._finish(interaction, "This confirmation expired; nothing was sent.")
            return
        # Set before any await: a second click arriving meanwhile sees SENDING.
        self.state = TransferState.SENDING
        self.disable_all()
        await interaction.response.edit_message(content=f"{self.preview}\nSending…", view=self)
        await self._deliver(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        if await self._still_pending(interaction):
            await self._finish(interaction, "Transfer cancelled; nothing was sent.")

    async def _still_pending(self, interaction: discord.Interaction[Any]) -> bool:
        """True while the offer may be confirmed or cancelled; otherwise says so."""
        if self.state is not TransferState.PENDING:
            await reply(interaction, "This transfer was already confirmed or closed.")
            return False
        return True

    async def _deliver(self, interaction: discord.Interaction[Any]) -> None:
        try:
            transferred = await self._send(self.idempotency_key)
        except (HordeUnavailable, RateLimited) as exc:
            # Maybe sent, maybe not: allow another press with the SAME key, which the Horde
            # deduplicates, so retrying can never pay twice.
            log.info("Kudos transfer not confirmed by the Horde: %r", exc)
            if self.is_finished() or self._clock.time() >= self.expires_at:
                self._close()
                await self._edit(
                    interaction,
                    f"{self.preview}\n{describe_horde_error(exc)} The transfer may not have "
                    "happened: check `/kudos balance` in a minute.",
                )
                return
            self.state = TransferState.PENDING
            for item in self.children:
                if isinstance(item, discord.ui.Button):
                    item.disabled = False
            await self._edit(
                interaction,
                f"{self.content()}\n{describe_horde_error(exc)} Press Confirm to try again; "
                "it will not be sent twice.",
            )
            return
        except HordeError as exc:
            self._close()
            await self._edit(
                interaction, f"{self.preview}\n**Not sent.** {describe_transfer_error(exc)}"
            )
            return
        self._close()
        await self._edit(interaction, f"Sent **{transferred:,.0f}** kudos. {REFRESH_NOTE}")

    async def _finish(self, interaction: discord.Interaction[Any], text: str) -> None:
        self._close()
        await interaction.response.edit_message(
            content=text, view=self, allowed_mentions=NO_MENTIONS
        )

    def _close(self) -> None:
        self.state = TransferState.FINISHED
        self.disable_all()
        self.stop()

    async def _edit(self, interaction: discord.Interaction[Any], text: str) -> None:
        try:
            await interaction.edit_original_response(
                content=text, view=self, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as exc:
            log.info("Could not show the transfer outcome: %s", exc.status)

    async def on_timeout(self) -> None:
        if self.state is TransferState.PENDING:
            self.state = TransferState.FINISHED
            self.disable_all()
            await self.edit_origin(
                content="This confirmation expired; nothing was sent.", view=self
            )
