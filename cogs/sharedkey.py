"""/sharedkey create|list|edit|delete: shared keys others pay with from the member's kudos.

Every subcommand uses the member's own registered key (``/login``); without one it says so
and sends nothing. The new key is shown once, privately, and never stored by the bot.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput
from bot.policy import own_key
from bot.ui.confirm_view import ConfirmView
from bot.ui.replies import reply
from bot.ui.sharedkey_views import MemberKeys, find_key, key_label, key_line, keys_text

__all__ = ["SharedKeys", "setup"]

log = logging.getLogger(__name__)

Kudos = app_commands.Range[int, -1, 50_000_000]
Days = app_commands.Range[int, -1, 3650]
Tokens = app_commands.Range[int, -1, 500]
Name = app_commands.Range[str, 3, 255]


class SharedKeys(commands.Cog):
    """Shared keys of the member's Horde account."""

    sharedkey = app_commands.Group(
        name="sharedkey", description="Shared keys others can use to spend your kudos"
    )

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.keys = MemberKeys(bot.services.horde, bot.services.clock)

    @sharedkey.command(name="create", description="Make a shared key (shown once, privately)")
    @app_commands.describe(
        name="A name to tell your keys apart",
        kudos="Most kudos it may spend (-1: no cap; default 5000)",
        expiry_days="Days it stays valid (-1: never; default never)",
        max_text_tokens="Most tokens per text job (-1: no limit)",
    )
    async def create(
        self,
        interaction: discord.Interaction[Any],
        name: Name,
        kudos: Kudos = 5000,
        expiry_days: Days = -1,
        max_text_tokens: Tokens | None = None,
    ) -> None:
        name = _checked_name(name)
        apikey = await own_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        created = await self.bot.services.horde.create_shared_key(
            kudos=kudos,
            expiry=expiry_days,
            name=name,
            max_text_tokens=max_text_tokens,
            apikey=apikey,
        )
        self.keys.forget(interaction.user.id)
        log.info("Member %s created a shared key", interaction.user.id)
        await reply(
            interaction,
            f"New shared key {key_line(created, created.name or name)}\n"
            f"||`{created.id}`||\n"
            "Copy it now: this is the only time it is shown, and the bot does not keep it. "
            "Whoever has it spends your kudos, within its limits.",
        )

    @sharedkey.command(name="list", description="Your shared keys: kudos left, expiry, limits")
    async def list_keys(self, interaction: discord.Interaction[Any]) -> None:
        apikey = await own_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await reply(interaction, keys_text(await self.keys.get(interaction.user.id, apikey)))

    @sharedkey.command(name="edit", description="Change one of your shared keys")
    @app_commands.describe(
        key="The key, by name",
        name="Its new name",
        kudos="Most kudos it may spend (-1: no cap)",
        expiry_days="Days from now it stays valid (-1: never)",
        max_text_tokens="Most tokens per text job (-1: no limit)",
    )
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        key: str,
        name: Name | None = None,
        kudos: Kudos | None = None,
        expiry_days: Days | None = None,
        max_text_tokens: Tokens | None = None,
    ) -> None:
        if name is None and kudos is None and expiry_days is None and max_text_tokens is None:
            raise BadInput("Nothing to change: give at least one of the options. Nothing was sent.")
        new_name = _checked_name(name) if name is not None else None
        apikey = await own_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = find_key(await self.keys.get(interaction.user.id, apikey), key)
        assert target.id is not None
        changed = await self.bot.services.horde.modify_shared_key(
            target.id,
            name=new_name,
            kudos=kudos,
            expiry=expiry_days,
            max_text_tokens=max_text_tokens,
            apikey=apikey,
        )
        self.keys.forget(interaction.user.id)
        await reply(interaction, f"Changed: {key_line(changed, changed.name or key)}")

    @sharedkey.command(name="delete", description="Delete one of your shared keys")
    @app_commands.describe(key="The key, by name")
    async def delete(self, interaction: discord.Interaction[Any], key: str) -> None:
        user_id = interaction.user.id
        apikey = await own_key(self.bot.services, user_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = find_key(await self.keys.get(user_id, apikey), key)
        label = discord.utils.escape_markdown(target.name or key)
        horde = self.bot.services.horde

        async def delete_it() -> str:
            assert target.id is not None
            await horde.delete_shared_key(target.id, apikey=apikey)
            self.keys.forget(user_id)
            return f"Deleted the shared key **{label}**; it can no longer spend your kudos."

        view = ConfirmView(invoker_id=user_id, action=delete_it)
        view.origin = interaction
        await interaction.edit_original_response(
            content=f"Delete the shared key **{label}**? Whoever uses it will be refused.",
            view=view,
        )

    @edit.autocomplete("key")
    @delete.autocomplete("key")
    async def _key_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            apikey = await own_key(self.bot.services, interaction.user.id)
            keys = await self.keys.get(interaction.user.id, apikey)
        except Exception:  # no key, or the Horde did not answer: no suggestions
            return []
        labels = [key_label(keys, i) for i in range(len(keys))]
        wanted = current.casefold()
        return [
            app_commands.Choice(name=label[:100], value=label[:100])
            for label in labels
            if wanted in label.casefold()
        ][:25]


def _checked_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if len(cleaned) < 3:
        raise BadInput("A shared key's name needs at least 3 characters. Nothing was sent.")
    return cleaned


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(SharedKeys(bot))
