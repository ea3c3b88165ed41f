"""/kudos balance, /kudos transfer and /kudos top: Horde kudos.

``top`` is the Horde's public leaderboard and needs no key.

Both need the member's registered key (``/login``): the shared anonymous account has no
balance of its own and cannot send kudos. A transfer is previewed and only sent when the
member presses Confirm (see :class:`bot.ui.kudos_views.TransferConfirmView`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput, KeyNeedsRelogin, UserFacingError
from bot.reach import everywhere
from bot.secrets import UndecryptableSecret
from bot.storage.accounts import StoredAccount
from bot.ui.kudos_views import CONFIRM_SECONDS, TransferConfirmView, balance_embed
from bot.ui.leaderboard import MAX_PAGE, leaderboard_embed
from bot.ui.replies import NO_MENTIONS, reply

log = logging.getLogger(__name__)

# Horde usernames are ``alias#id`` (the alias itself may contain almost anything).
USERNAME_PATTERN = re.compile(r"^[^#\s][^#]*#\d+$")
MAX_TRANSFER = 100_000_000


class AnonymousAccountError(UserFacingError):
    """The member has no key of their own, so there is no account to use."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"You are using the bot with the shared anonymous account, which {what}. "
            "Get your own free key at https://aihorde.net/register, then use `/login`."
        )


class Kudos(commands.Cog):
    """Kudos balance and transfers."""

    kudos = everywhere(app_commands.Group(name="kudos", description="Your AI Horde kudos"))

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        # Seconds a transfer offer stays valid; tests shorten it.
        self.confirm_timeout = CONFIRM_SECONDS

    async def _own_account(self, user_id: int, what: str) -> StoredAccount:
        try:
            account = await self.bot.services.accounts.get(user_id)
        except UndecryptableSecret as exc:
            raise KeyNeedsRelogin() from exc
        if account is None:
            raise AnonymousAccountError(what)
        return account

    @kudos.command(name="balance", description="Your Horde username, kudos and usage (private)")
    async def balance(self, interaction: discord.Interaction[Any]) -> None:
        account = await self._own_account(interaction.user.id, "has no balance of your own")
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = await self.bot.services.horde.find_user(apikey=account.apikey)
        await reply(interaction, embed=balance_embed(user))

    @kudos.command(name="transfer", description="Send kudos to a member or a Horde user")
    @app_commands.describe(
        amount="How many kudos to send",
        member="A member of this server who has used /login",
        username="A Horde username such as alias#1234",
    )
    async def transfer(
        self,
        interaction: discord.Interaction[Any],
        amount: app_commands.Range[int, 1, MAX_TRANSFER],
        member: discord.User | None = None,
        username: str | None = None,
    ) -> None:
        if (member is None) == (username is None):
            raise BadInput("Give exactly one of `member` or `username` as the receiver.")
        if not 1 <= amount <= MAX_TRANSFER:
            raise BadInput("The amount must be a whole number of kudos above 0.")
        account = await self._own_account(interaction.user.id, "cannot send kudos")
        if member is not None:
            target = await self._member_target(interaction.user.id, member)
            shown = f"**{_escape(target)}** ({member.mention})"
        else:
            assert username is not None
            target = _checked_username(username)
            shown = f"**{_escape(target)}**"
        horde = self.bot.services.horde

        async def send(idempotency_key: str) -> float:
            sent = await horde.transfer_kudos(
                target, amount, idempotency_key=idempotency_key, apikey=account.apikey
            )
            log.info("Member %s sent %s kudos", interaction.user.id, amount)
            return sent

        view = TransferConfirmView(
            invoker_id=interaction.user.id,
            preview=(
                f"Send **{amount:,}** kudos from **{_escape(account.horde_username)}** to {shown}?"
            ),
            send=send,
            clock=self.bot.services.clock,
            timeout=self.confirm_timeout,
        )
        await interaction.response.send_message(
            view.content(), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.origin = interaction

    @kudos.command(name="top", description="The AI Horde's kudos leaderboard")
    @app_commands.describe(page="Page of 25 users (1 is the top)")
    async def top(
        self, interaction: discord.Interaction[Any], page: app_commands.Range[int, 1, MAX_PAGE] = 1
    ) -> None:
        if not 1 <= page <= MAX_PAGE:
            raise BadInput(f"The page must be between 1 and {MAX_PAGE}.")
        await interaction.response.defer(thinking=True)
        users = await self.bot.services.horde.users(page=page, sort="kudos")
        await interaction.edit_original_response(
            embed=leaderboard_embed(users, page), allowed_mentions=NO_MENTIONS
        )

    async def _member_target(self, invoker_id: int, member: discord.User) -> str:
        if member.id == invoker_id:
            raise BadInput("You cannot send kudos to yourself.")
        profile = await self.bot.services.accounts.profile(member.id)
        if profile is None:
            raise BadInput(
                f"{member.mention} has not used `/login`, so I do not know their Horde "
                "account. Ask them for their Horde username and use `username:` instead."
            )
        return profile.horde_username


def _checked_username(raw: str) -> str:
    username = raw.strip()
    if not USERNAME_PATTERN.match(username):
        raise BadInput(
            "That does not look like a Horde username: it should be `alias#1234` "
            "(the name shown on the Horde, with its number)."
        )
    return username


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Kudos(bot))
