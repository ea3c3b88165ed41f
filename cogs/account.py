"""/login and /logout: register a Horde API key privately, or remove it.

The key is typed into a modal (never a slash-command option, which Discord shows in the
channel), checked with ``find_user``, stored only as a Fernet token and never shown back.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.horde.errors import HordeUnavailable, HordeValidationError, InvalidAPIKey, NotFound
from bot.logging_setup import register_secret
from bot.reach import everywhere
from bot.tree import answer_error
from bot.ui.replies import reply

log = logging.getLogger(__name__)

ANONYMOUS_KEY = "0000000000"


class LoginModal(discord.ui.Modal, title="Log in to the AI Horde"):
    """One text field for the key; its value is never echoed or logged."""

    apikey: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id="horde-apikey",
        label="Your AI Horde API key",
        placeholder="From https://aihorde.net/register",
        min_length=10,
        max_length=100,
        required=True,
    )

    def __init__(self, bot: HordeBot) -> None:
        super().__init__(custom_id="horde-login")
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        key = self.apikey.value.strip()
        register_secret(key)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await reply(interaction, await self._register(interaction.user.id, key))

    async def _register(self, discord_user_id: int, key: str) -> str:
        if key == ANONYMOUS_KEY:
            return "That is the shared anonymous key: you can use the bot without logging in."
        services = self.bot.services
        try:
            # One retry at most: a member is waiting on the other side.
            user = await services.horde.find_user(apikey=key, retries=1)
        except (NotFound, InvalidAPIKey):
            return "The Horde does not recognise that API key. Nothing was stored."
        except HordeValidationError:
            return "That does not look like an AI Horde API key. Nothing was stored."
        except HordeUnavailable:
            return "The AI Horde cannot be reached right now, so nothing was stored. Try again."
        if user.id is None or not user.username:
            return "The Horde answered without a user for that key. Nothing was stored."
        await services.accounts.save(discord_user_id, key, user.id, user.username)
        log.info("Member %s registered a key for Horde user %s", discord_user_id, user.id)
        return (
            f"Logged in as **{discord.utils.escape_markdown(user.username)}**. Your key is "
            "stored encrypted and only used for your own commands; `/logout` removes it."
        )

    async def on_error(  # type: ignore[override]  # Modal narrows BaseView's signature
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await answer_error(interaction, error)


class Account(commands.Cog):
    """Registering and removing a member's Horde API key."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot

    @everywhere
    @app_commands.command(name="login", description="Register your AI Horde API key (private)")
    async def login(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(LoginModal(self.bot))

    @everywhere
    @app_commands.command(name="logout", description="Delete your stored AI Horde API key")
    async def logout(self, interaction: discord.Interaction[Any]) -> None:
        deleted = await self.bot.services.accounts.delete(interaction.user.id)
        if deleted:
            log.info("Member %s deleted their key", interaction.user.id)
            await reply(interaction, "Your Horde API key was deleted from this bot.")
        else:
            await reply(interaction, "You had no Horde API key registered here.")


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Account(bot))
