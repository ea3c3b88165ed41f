"""/styles list|info|create|edit|delete: the Horde's text styles.

``list`` and ``info`` read the bot's one shared style cache (no key needed, no request per
member); ``create``, ``edit`` and ``delete`` use the member's own key and update the cache
from what the Horde answered. The Horde allows about 20 style requests an hour per IP: when
its limit is reached the member is told so plainly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.horde.errors import RateLimited
from bot.policy import own_key
from bot.style_catalog import StyleLimitReached
from bot.ui.confirm_view import ConfirmView
from bot.ui.replies import reply
from bot.ui.style_views import resolve_style, style_choices, style_details, styles_text

if TYPE_CHECKING:
    from bot.horde.models import StyleKobold
    from bot.ui.style_modal import StyleFields

__all__ = ["Styles", "setup"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Styles(commands.Cog):
    """The Horde's text styles."""

    styles = app_commands.Group(name="styles", description="Text styles of the AI Horde")

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.catalog = bot.services.styles

    async def _spend(self, call: Awaitable[T]) -> T:
        """One style request of the bot's hourly budget; a 429 is remembered and explained."""
        self.catalog.check_budget()
        try:
            return await call
        except RateLimited as exc:
            self.catalog.note_rate_limited()
            raise StyleLimitReached(exc.message, status=exc.status, rc=exc.rc) from None

    @styles.command(name="list", description="Popular text styles (optionally by tag or model)")
    @app_commands.describe(tag="Only styles with this tag", model="Only styles for this model")
    async def list_styles(
        self,
        interaction: discord.Interaction[Any],
        tag: app_commands.Range[str, 1, 100] | None = None,
        model: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await reply(interaction, styles_text(await self.catalog.styles(), tag, model))

    @styles.command(name="info", description="What a text style does")
    @app_commands.describe(style="The style")
    async def info(self, interaction: discord.Interaction[Any], style: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await reply(interaction, style_details(await resolve_style(self.catalog, style)))

    @styles.command(name="create", description="Create a text style (trusted or customizer)")
    async def create(self, interaction: discord.Interaction[Any]) -> None:
        # Imported on first use, not at start-up: only /styles create and edit open the form.
        from bot.ui.style_modal import StyleModal

        apikey = await own_key(self.bot.services, interaction.user.id)

        async def submit(ia: discord.Interaction[Any], fields: StyleFields) -> str:
            made = await self._spend(
                self.bot.services.horde.create_text_style(
                    fields.name,
                    fields.prompt,
                    fields.models,
                    info=fields.info,
                    tags=fields.tags,
                    apikey=apikey,
                )
            )
            profile = await self.bot.services.accounts.profile(ia.user.id)
            creator = profile.horde_username if profile else None
            self.catalog.put(_style_of(made.id, fields, creator))
            log.info("Member %s created a text style", ia.user.id)
            return f"Created the style **{discord.utils.escape_markdown(fields.name)}**."

        await interaction.response.send_modal(StyleModal(title="New text style", submit=submit))

    @styles.command(name="edit", description="Change one of your text styles")
    @app_commands.describe(style="The style")
    async def edit(self, interaction: discord.Interaction[Any], style: str) -> None:
        from bot.ui.style_modal import StyleModal

        apikey = await own_key(self.bot.services, interaction.user.id)
        current = await resolve_style(self.catalog, style)
        style_id = current.id or ""

        async def submit(ia: discord.Interaction[Any], fields: StyleFields) -> str:
            await self._spend(
                self.bot.services.horde.modify_text_style(
                    style_id,
                    name=fields.name,
                    prompt=fields.prompt if fields.prompt != current.prompt else None,
                    models=fields.models,
                    info=fields.info,
                    tags=fields.tags,
                    apikey=apikey,
                )
            )
            self.catalog.put(_style_of(style_id, fields, current.creator, current))
            return (
                f"Changed the style **{discord.utils.escape_markdown(fields.name)}**. "
                "The Horde's own lists may show the old version for about 30 seconds."
            )

        modal = StyleModal(title="Edit text style", submit=submit, current=current)
        await interaction.response.send_modal(modal)

    @styles.command(name="delete", description="Delete one of your text styles")
    @app_commands.describe(style="The style")
    async def delete(self, interaction: discord.Interaction[Any], style: str) -> None:
        user_id = interaction.user.id
        apikey = await own_key(self.bot.services, user_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = await resolve_style(self.catalog, style)
        name = discord.utils.escape_markdown(target.name or "unnamed")
        style_id = target.id or ""

        async def delete_it() -> str:
            await self._spend(self.bot.services.horde.delete_text_style(style_id, apikey=apikey))
            self.catalog.forget(style_id)
            return f"Deleted the style **{name}**."

        view = ConfirmView(invoker_id=user_id, action=delete_it)
        view.origin = interaction
        await interaction.edit_original_response(
            content=f"Delete the style **{name}**? Requests naming it will be refused.", view=view
        )

    @info.autocomplete("style")
    @edit.autocomplete("style")
    @delete.autocomplete("style")
    async def _style_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return style_choices(await self.catalog.for_autocomplete(), current)


def _style_of(
    style_id: str | None,
    fields: StyleFields,
    creator: str | None,
    before: StyleKobold | None = None,
) -> StyleKobold:
    """The style as the Horde now has it, from what was sent (no re-read: reads are cached)."""
    from bot.horde.models import StyleKobold  # at first use: the models bring pydantic

    return StyleKobold(
        id=style_id,
        name=fields.name,
        prompt=fields.prompt,
        info=fields.info,
        models=list(fields.models),
        tags=list(fields.tags),
        creator=creator,
        params=before.params if before else {},
        use_count=before.use_count if before else 0,
    )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Styles(bot))
