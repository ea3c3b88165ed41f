"""Message menus: ``Continue with AI Horde`` and ``Ask AI Horde…`` (Apps → on any message).

Both are front doors to /generate: the prompt is built from the chosen message
(:mod:`bot.ui.message_prompt`, which says why they share the /generate job kind), then the
job goes through the same policy, key, engine, reply and buttons
(:meth:`~bot.ui.generate_frontend.GenerateFrontEnd.start_job`). Installable both ways and
usable everywhere (:func:`bot.reach.everywhere`); blocked members are refused by the command
tree before the menu runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import HordeBot
from bot.chat.formats import ALPACA, InstructFormat
from bot.generation import JobKind
from bot.policy import check_interaction
from bot.reach import everywhere
from bot.tree import answer_error
from bot.ui.generate_frontend import GenerateFrontEnd, Job, checked_params

if TYPE_CHECKING:
    from bot.ui.message_prompt import MenuPrompt

__all__ = ["ASK_MENU", "CONTINUE_MENU", "MessageMenus", "setup"]

log = logging.getLogger(__name__)

CONTINUE_MENU = "Continue with AI Horde"
ASK_MENU = "Ask AI Horde…"
INSTRUCTION_ID = "instruction"
FORMAT_LOOKUP_SECONDS = 1.0


class MessageMenus(commands.Cog):
    """The two message menus; their replies and buttons are the /generate front end's."""

    def __init__(self, bot: HordeBot) -> None:
        self.bot = bot
        self.front_end = bot.front_ends.get(JobKind.GENERATE, GenerateFrontEnd)
        self.menus = [
            everywhere(app_commands.ContextMenu(name=CONTINUE_MENU, callback=self.continue_it)),
            everywhere(app_commands.ContextMenu(name=ASK_MENU, callback=self.ask)),
        ]

    async def cog_load(self) -> None:
        for menu in self.menus:
            self.bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    async def continue_it(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """The model continues the chosen message's text."""
        # Imported on first use here, in ask and in AskModal, not at start-up: only the menus
        # build prompts from a message.
        from bot.ui.message_prompt import continue_prompt, message_text

        text = await message_text(message, own=self._is_own(message))
        await self.start(interaction, continue_prompt(text))

    async def ask(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """A modal asks for the instruction; the message's text is read first, so a
        message without text is refused before the member types anything."""
        from bot.ui.message_prompt import message_text

        text = await message_text(message, own=self._is_own(message))
        services = self.bot.services
        policy = await check_interaction(services, interaction, record_use=False)
        fmt = await self._format_for(policy.model_for(None))
        await interaction.response.send_modal(AskModal(self, text, fmt))

    async def _format_for(self, model: str | None) -> InstructFormat:
        """The model's instruct format from the reference; Alpaca when unknown or slow (the
        modal must open within Discord's 3 seconds)."""
        try:
            lookup = self.bot.services.chat.reference.lookup(model)
            info = await asyncio.wait_for(lookup, FORMAT_LOOKUP_SECONDS)
        except TimeoutError:
            return ALPACA
        return info.instruct_format if info is not None and info.instruct_format else ALPACA

    def _is_own(self, message: discord.Message) -> bool:
        return self.bot.user is not None and message.author.id == self.bot.user.id

    async def start(self, interaction: discord.Interaction[Any], built: MenuPrompt) -> None:
        """Start a /generate job with the server's defaults (the menus have no options)."""
        with self.front_end.cooldown_undone_on_error(interaction):
            policy = await check_interaction(self.bot.services, interaction)
            raw = {
                "max_length": policy.max_length_for(None),
                "stop_sequence": list(built.stops) or None,
            }
            default_model = policy.model_for(None)
            job = Job(
                prompt=built.prompt,
                params=checked_params(raw),
                models=(default_model,) if default_model else (),
                trusted_workers=False,
                private=False,
                policy=policy,
                shown_prompt=built.shown,
            )
            await self.front_end.start_job(interaction, job)


class AskModal(discord.ui.Modal, title="Ask AI Horde"):
    """What the model should do with the chosen message."""

    instruction: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Instruction",
        placeholder="e.g. Summarise this in one sentence",
        custom_id=INSTRUCTION_ID,
        style=discord.TextStyle.paragraph,
        max_length=1000,
    )

    def __init__(self, menus: MessageMenus, text: str, fmt: InstructFormat) -> None:
        super().__init__()
        self.menus = menus
        self.text = text
        self.format = fmt

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        from bot.ui.message_prompt import ask_prompt

        built = ask_prompt(self.instruction.value, self.text, self.format)
        await self.menus.start(interaction, built)

    async def on_error(  # type: ignore[override]  # Modal narrows BaseView's signature
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        await answer_error(interaction, error)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, HordeBot)
    await bot.add_cog(MessageMenus(bot))
