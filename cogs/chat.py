"""/chat: conversations with memory in threads, answered through the generation engine.

``/chat start`` opens a thread bound to a conversation; every turn there (a message that
mentions the bot or replies to it; every message with MESSAGE_CONTENT_INTENT) is queued
in :class:`bot.chat.service.ChatService` (``services.chat``), which answers one at a time
through the chat front end (:class:`~bot.ui.chat_frontend.ChatFrontEnd`): it applies the
server rules, posts the placeholder, submits the job and handles the reply's buttons.
"""

from __future__ import annotations

import io
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.chat.personas import DEFAULT_PERSONA
from bot.chat.transcript import transcript
from bot.errors import BadInput, NotAllowedHere, NotPermitted, UserFacingError
from bot.generation import JobKind
from bot.horde.errors import HordeError
from bot.policy import check_interaction
from bot.storage.chat import Conversation
from bot.ui.chat_frontend import CHAT_OFF, ChatFrontEnd
from bot.ui.replies import reply
from bot.ui.style_views import chat_style_model, overridden_note, resolve_style, style_choices
from cogs.chat_personas import (
    add_persona,
    edit_persona,
    persona_list,
    remove_persona,
    resolve_persona,
)

__all__ = ["Chat", "setup"]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
MAX_TURN_CHARS = 4000
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


class NotAChatThreadError(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Use this in a chat thread (start one with `/chat start`).")


class Chat(commands.Cog):
    """/chat and the turns posted in chat threads."""

    chat = app_commands.Group(
        name="chat",
        description="Talk with an AI Horde model in a thread",
        guild_only=True,
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )
    persona = app_commands.Group(
        name="persona", description="This server's chat personas", parent=chat
    )

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        services = bot.services
        self.service = services.chat
        self.repo = services.chat.repo
        self.front_end = bot.front_ends.get(JobKind.CHAT, ChatFrontEnd)
        self.catalog = services.models

    # --- commands -----------------------------------------------------------------------------

    @chat.command(name="start", description="Start a conversation in a new thread")
    @app_commands.describe(
        persona="Who the bot plays (default: Assistant)",
        model="A text model (default: the persona's or the server's)",
        private="A private thread only you (and whoever you add) can see",
        style="A Horde text style whose models share one instruct format (replaces model)",
    )
    async def start(
        self,
        interaction: discord.Interaction[Any],
        persona: str | None = None,
        model: str | None = None,
        private: bool = False,
        style: str | None = None,
    ) -> None:
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel) or interaction.guild_id is None:
            raise BadInput("Start a chat from a text channel of a server (not in a thread).")
        if not await self.repo.enabled(interaction.guild_id):
            raise NotAllowedHere(CHAT_OFF)
        policy = await check_interaction(self.bot.services, interaction, record_use=False)
        chosen = await resolve_persona(self.repo, interaction.guild_id, persona)
        model_name = await self._model(model) or chosen.default_model or policy.default_model
        styled = await resolve_style(self.bot.services.styles, style) if style else None
        if styled is not None:
            model_name = await chat_style_model(self.bot.services.chat.reference, styled)
        await interaction.response.defer(ephemeral=private, thinking=True)
        kind = discord.ChannelType.private_thread if private else discord.ChannelType.public_thread
        try:
            thread = await channel.create_thread(
                name=f"{chosen.name} · {interaction.user.display_name}"[:100],
                type=kind,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.Forbidden as exc:
            raise NotPermitted(
                "I may not create threads in this channel (I need Create Public/Private "
                "Threads and Send Messages in Threads)."
            ) from exc
        if private:
            await thread.add_user(interaction.user)
        conversation = await self.repo.create_conversation(
            guild_id=interaction.guild_id,
            thread_id=thread.id,
            parent_id=channel.id,
            owner_id=interaction.user.id,
            persona=chosen,
            model=model_name,
            private=private,
            style_id=styled.id if styled is not None else None,
        )
        await self._welcome(thread, conversation, chosen.greeting)
        log.info("Member %s started conversation %s", interaction.user.id, conversation.id)
        note = f"\n{overridden_note(styled, {'model': model})}" if styled is not None else ""
        await interaction.followup.send(f"Your conversation is in {thread.mention}.{note}")

    async def _model(self, requested: str | None) -> str | None:
        """The member's model, which some worker must serve now (None: not chosen)."""
        name = (requested or "").strip()
        if not name:
            return None
        try:
            found = await self.catalog.find(name)
        except HordeError:
            return name  # the Horde is briefly unreachable: let it judge the name later
        if found is None or not found.name:
            raise BadInput(
                f"No worker serves a text model called `{name[:100]}` right now. "
                "Pick one from the list, or leave `model` empty."
            )
        return found.name

    @start.autocomplete("model")
    async def _model_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await self.catalog.choices(current)
        return [app_commands.Choice(name=c.label, value=c.value) for c in choices]

    @start.autocomplete("style")
    async def _style_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return style_choices(await self.bot.services.styles.for_autocomplete(), current)

    @start.autocomplete("persona")
    async def _persona_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        names = [DEFAULT_PERSONA.name]
        if interaction.guild_id is not None:
            names += [p.name for p in await self.repo.list_personas(interaction.guild_id)]
        needle = current.strip().casefold()
        return [app_commands.Choice(name=n, value=n) for n in names if needle in n.casefold()][:25]

    async def _welcome(
        self, thread: discord.Thread, conv: Conversation, greeting: str | None
    ) -> None:
        how = (
            "Every message here is a turn."
            if self.bot.services.settings.message_content_intent
            else "Mention me or reply to my messages to talk."
        )
        model = f" (model `{conv.model}`)" if conv.model else ""
        await thread.send(
            f"💬 Chatting with **{conv.persona_name}**{model}. {how}\n"
            "-# Messages go to volunteer AI Horde workers. `/chat reset`, `/chat export`, "
            "`/chat end` work in this thread.",
            allowed_mentions=NO_MENTIONS,
        )
        if greeting:
            sent = await thread.send(greeting, allowed_mentions=NO_MENTIONS)
            await self.repo.add_turn(
                conv.id,
                role="assistant",
                author_name=conv.persona_name,
                content=greeting,
                message_id=sent.id,
            )

    @chat.command(name="reset", description="Forget this conversation's history")
    async def reset(self, interaction: discord.Interaction[Any]) -> None:
        conversation = await self._managed(interaction)
        removed = await self.repo.clear(conversation.id)
        await reply(interaction, f"🧹 History forgotten ({removed} messages).", ephemeral=False)

    @chat.command(name="end", description="End this conversation and archive the thread")
    async def end(self, interaction: discord.Interaction[Any]) -> None:
        conversation = await self._managed(interaction)
        await self.repo.end(conversation.id)
        await reply(interaction, "👋 Conversation ended.", ephemeral=False)
        if isinstance(interaction.channel, discord.Thread):
            await interaction.channel.edit(archived=True)

    @chat.command(name="export", description="Get this conversation as a .txt file")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        conversation = await self._conversation_here(interaction)
        text = transcript(conversation, await self.repo.turns(conversation.id))
        file = discord.File(io.BytesIO(text.encode()), filename=f"chat-{conversation.id}.txt")
        await interaction.response.send_message(
            "Here is the transcript.", file=file, ephemeral=True
        )

    async def _conversation_here(self, interaction: discord.Interaction[Any]) -> Conversation:
        conversation = await self.repo.by_thread(interaction.channel_id or 0)
        if conversation is None:
            raise NotAChatThreadError()
        return conversation

    async def _managed(self, interaction: discord.Interaction[Any]) -> Conversation:
        conversation = await self._conversation_here(interaction)
        if interaction.user.id != conversation.owner_id and not (
            interaction.permissions.manage_messages
        ):
            raise NotPermitted(
                "Only the member who started this chat, or someone with Manage Messages, can."
            )
        return conversation

    @chat.command(name="enable", description="Switch /chat on or off on this server")
    @app_commands.describe(enabled="True: members may chat; False: no new chats or turns")
    async def enable(self, interaction: discord.Interaction[Any], enabled: bool) -> None:
        guild_id = self._require_manage_guild(interaction)
        await self.repo.set_enabled(guild_id, enabled)
        log.info(
            "Member %s set /chat enabled=%s in guild %s", interaction.user.id, enabled, guild_id
        )
        await reply(interaction, f"`/chat` is now {'on' if enabled else 'off'} on this server.")

    # --- personas -----------------------------------------------------------------------------

    def _require_manage_guild(self, interaction: discord.Interaction[Any]) -> int:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            raise NotPermitted("This needs the Manage Server permission.")
        return interaction.guild_id

    @persona.command(name="add", description="Add a persona to this server")
    @app_commands.describe(
        name="The persona's name",
        description="Who it is and how it talks (the system text)",
        greeting="Its first message in a new chat",
        model="A default text model for it",
    )
    async def persona_add(
        self,
        interaction: discord.Interaction[Any],
        name: str,
        description: str,
        greeting: str | None = None,
        model: str | None = None,
    ) -> None:
        guild_id = self._require_manage_guild(interaction)
        persona = await add_persona(
            self.repo, guild_id, interaction.user.id, name, description, greeting, model
        )
        await reply(interaction, f"Added the persona **{persona.name}**.")

    @persona.command(name="edit", description="Change a persona of this server")
    @app_commands.describe(
        name="The persona to change",
        description="New system text",
        greeting="New greeting (empty text clears it)",
        model="New default model (empty text clears it)",
    )
    async def persona_edit(
        self,
        interaction: discord.Interaction[Any],
        name: str,
        description: str | None = None,
        greeting: str | None = None,
        model: str | None = None,
    ) -> None:
        guild_id = self._require_manage_guild(interaction)
        persona = await edit_persona(
            self.repo, guild_id, interaction.user.id, name, description, greeting, model
        )
        await reply(interaction, f"Updated the persona **{persona.name}**.")

    @persona.command(name="remove", description="Remove a persona of this server")
    async def persona_remove(self, interaction: discord.Interaction[Any], name: str) -> None:
        guild_id = self._require_manage_guild(interaction)
        await remove_persona(self.repo, guild_id, name)
        await reply(interaction, f"Removed the persona `{name.strip()[:40]}`.")

    @persona.command(name="list", description="This server's personas")
    async def persona_list(self, interaction: discord.Interaction[Any]) -> None:
        await reply(interaction, await persona_list(self.repo, interaction.guild_id or 0))

    # --- turns --------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        # The thread may be missing from the cache after a restart: look it up by id.
        if message.author.bot or message.guild is None or not self._is_turn(message):
            return
        conversation = await self.repo.by_thread(message.channel.id)
        if conversation is None or not conversation.active:
            return
        text = self._text_of(message.content)
        if not text:
            return
        try:
            await self.front_end.check_member(conversation, message.author.id, message.channel)
        except UserFacingError as error:
            await message.reply(error.user_message, allowed_mentions=NO_MENTIONS)
            return
        await self.service.add_user_turn(
            conversation,
            author_id=message.author.id,
            author_name=message.author.display_name,
            message_id=message.id,
            text=text[:MAX_TURN_CHARS],
        )

    def _is_turn(self, message: discord.Message) -> bool:
        if self.bot.services.settings.message_content_intent:
            return True
        me = self.bot.user
        if me is not None and any(user.id == me.id for user in message.mentions):
            return True
        ref = message.reference
        resolved = ref.resolved if ref is not None else None
        return (
            isinstance(resolved, discord.Message)
            and me is not None
            and (resolved.author.id == me.id)
        )

    def _text_of(self, content: str) -> str:
        me = self.bot.user
        if me is not None:
            content = content.replace(f"<@{me.id}>", "").replace(f"<@!{me.id}>", "")
        return content.strip()

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        author: Any = payload.data.get("author")
        me = self.bot.user
        if me is not None and isinstance(author, dict) and str(author.get("id")) == str(me.id):
            return  # the bot's own progress edits are no turns
        content = payload.data.get("content")
        if isinstance(content, str) and content:
            await self.repo.edit_by_message(payload.message_id, self._text_of(content))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.repo.delete_by_message(payload.message_id)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(Chat(bot))
