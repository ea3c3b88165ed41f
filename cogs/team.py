"""/team create|info|edit|delete: the Horde's worker teams.

Changes use the member's registered key (the Horde decides who may: creating needs a trusted
account, editing and deleting the team's owner or a Horde moderator). Team names autocomplete
from the bot's shared team list (bot.team_list), never one Horde request per keystroke.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.errors import BadInput
from bot.horde.errors import HordeError, NotFound
from bot.horde_ids import looks_like_id
from bot.own_key import registered_key
from bot.reach import everywhere
from bot.ui.confirm_view import ConfirmView
from bot.ui.replies import NO_MENTIONS, reply
from bot.ui.safe_markdown import plain
from bot.ui.team_render import team_embed
from bot.ui.typed_text import clean_line, clean_text

if TYPE_CHECKING:
    from bot.horde.models import TeamDetails

log = logging.getLogger(__name__)

MAX_TEAM_NAME = 100
MAX_TEAM_INFO = 1000
AUTOCOMPLETE_SECONDS = 2.0


class Team(commands.Cog):
    """Creating, showing, changing and deleting Horde teams."""

    team = everywhere(app_commands.Group(name="team", description="AI Horde worker teams"))

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.cache = bot.services.teams

    @team.command(name="create", description="Create a team for workers (needs /login)")
    @app_commands.describe(name="The team's name", info="A short description")
    async def create(
        self, interaction: discord.Interaction[Any], name: str, info: str | None = None
    ) -> None:
        clean_name = clean_line(name, MAX_TEAM_NAME, "team name")
        clean_info = clean_text(info, MAX_TEAM_INFO, "info") if info else None
        key = await registered_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        made = await self.bot.services.horde.create_team(clean_name, info=clean_info, apikey=key)
        self.cache.changed(_summary(made.id, made.name, made.info))
        log.info("Member %s created team %s", interaction.user.id, made.id)
        await reply(
            interaction,
            f"Team **{plain(made.name)}** created (id `{made.id}`). Put your workers in it with "
            "`/workers manage` → Team.",
        )

    @team.command(name="info", description="One team in detail")
    @app_commands.describe(team="The team's name or id")
    async def info(self, interaction: discord.Interaction[Any], team: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self._resolve(team)
        try:
            details = await self.bot.services.horde.team(found)
        except NotFound:
            raise BadInput("The Horde has no such team (it may have been deleted).") from None
        await reply(interaction, embed=team_embed(details))

    @team.command(name="edit", description="Rename a team or change its info (owner only)")
    @app_commands.describe(team="The team's name or id", name="A new name", info="A new info")
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        team: str,
        name: str | None = None,
        info: str | None = None,
    ) -> None:
        if name is None and info is None:
            raise BadInput("Give a new `name`, a new `info`, or both.")
        new_name = clean_line(name, MAX_TEAM_NAME, "team name") if name is not None else None
        new_info = clean_text(info, MAX_TEAM_INFO, "info") if info is not None else None
        key = await registered_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        team_id = await self._resolve(team)
        changed = await self.bot.services.horde.modify_team(
            team_id, name=new_name, info=new_info, apikey=key
        )
        self.cache.changed(_summary(changed.id, changed.name, changed.info))
        log.info("Member %s changed team %s", interaction.user.id, team_id)
        await reply(
            interaction,
            f"The Horde answered: team **{plain(changed.name)}**, info: "
            f"{plain(changed.info) or '(empty)'}",
        )

    @team.command(name="delete", description="Delete a team (owner or Horde moderator)")
    @app_commands.describe(team="The team's name or id")
    async def delete(self, interaction: discord.Interaction[Any], team: str) -> None:
        await registered_key(self.bot.services, interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        team_id = await self._resolve(team)
        horde = self.bot.services.horde

        async def delete_it() -> str:
            key = await registered_key(self.bot.services, interaction.user.id)
            gone = await horde.delete_team(team_id, apikey=key)
            self.cache.deleted(team_id)
            log.info("Member %s deleted team %s", interaction.user.id, team_id)
            return f"Team **{plain(gone.deleted_name)}** was deleted; its workers have no team now."

        view = ConfirmView(invoker_id=interaction.user.id, action=delete_it)
        await interaction.edit_original_response(
            content=f"Delete the team `{team_id}`? Its workers leave it. Press **Confirm**.",
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        view.origin = interaction

    async def _resolve(self, wanted: str) -> str:
        """A team id from an id (what autocomplete sends) or an exact name."""
        query = " ".join(wanted.split())
        if not query:
            raise BadInput("Give a team name or id.")
        if looks_like_id(query):
            return query
        team = await self.cache.find(query)
        if team is None or not team.id:
            raise BadInput(f"The Horde has no team called `{plain(query)[:100]}`.")
        return team.id

    @info.autocomplete("team")
    @edit.autocomplete("team")
    @delete.autocomplete("team")
    async def _team_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            teams = await asyncio.wait_for(self.cache.get(), timeout=AUTOCOMPLETE_SECONDS)
        except (HordeError, TimeoutError) as exc:
            log.info("No team list for autocomplete: %r", exc)
            teams = self.cache.last
        wanted = current.casefold()
        return [
            app_commands.Choice(name=(t.name or "?")[:100], value=t.id)
            for t in teams
            if t.id and wanted in (t.name or "").casefold()
        ][:25]


def _summary(team_id: str | None, name: str | None, info: str | None) -> TeamDetails:
    """What the team list shows of a team just made or changed (the Horde's reads lag)."""
    from bot.horde.models import TeamDetails  # at first use: the models bring pydantic

    return TeamDetails(id=team_id, name=name, info=info)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Team(bot))
