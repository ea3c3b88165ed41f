"""Horde Text Bot: a Discord bot for AI Horde text generation.

The :mod:`bot.horde` package is a standalone async client for the AI Horde v2 API and
does not import discord.
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/horde-text-bot/horde-text-bot"
