"""What /mod shows: the bot's health and the server's settings."""

from __future__ import annotations

import math
from dataclasses import dataclass

import discord

from bot.generation.processes import ProcessInfo
from bot.storage.guilds import GuildSettings
from bot.ui.safe_markdown import plain

MAX_PROCESS_LINES = 10  # a field holds 1,024 characters


@dataclass(frozen=True)
class BotHealth:
    """The numbers behind ``/mod status`` (None: not known)."""

    uptime_seconds: float
    latency_seconds: float | None
    in_flight: int | None
    queued_in_bot: int | None
    horde: str
    database_bytes: int
    registered_users: int
    blocked_here: int
    # The shards this process runs, e.g. ``0, 2 of 4`` (None: not connected yet).
    shards: str | None = None
    # Every live process on this database, this one first (None: not known).
    processes: list[ProcessInfo] | None = None
    checked_at: float = 0.0  # when ``processes`` was read (their uptimes count to it)


def duration(seconds: float) -> str:
    """``3 d 4 h``, ``2 h 5 min`` or ``42 s``: short enough for a field."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def size(n_bytes: int) -> str:
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def health_embed(health: BotHealth, settings: GuildSettings) -> discord.Embed:
    """Bot health first, then this server's rules."""
    embed = discord.Embed(title="Bot status", colour=discord.Colour.blurple())
    embed.add_field(name="Uptime", value=duration(health.uptime_seconds))
    latency = health.latency_seconds
    shown = "n/a" if latency is None or not math.isfinite(latency) else f"{latency * 1000:.0f} ms"
    embed.add_field(name="Gateway latency", value=shown)
    if health.in_flight is None:
        generations = "not running"
    else:
        generations = (
            f"{health.in_flight} in flight · {health.queued_in_bot or 0} queued in the bot"
        )
    embed.add_field(name="Generations", value=generations)
    embed.add_field(name="Shards of this process", value=health.shards or "not connected")
    if health.processes is not None:
        embed.add_field(name="Bot processes", value=processes_text(health), inline=False)
    embed.add_field(name="AI Horde", value=health.horde)
    embed.add_field(name="Database", value=size(health.database_bytes))
    embed.add_field(name="Registered users", value=str(health.registered_users))
    embed.add_field(
        name="This server", value=settings_text(settings, health.blocked_here), inline=False
    )
    return embed


def processes_text(health: BotHealth) -> str:
    """One line per live process: which is this one, its shards, host and pid, how many
    generations it holds and for how long it has run."""
    processes = health.processes or []
    lines = [_process_line(p, health) for p in processes[:MAX_PROCESS_LINES]]
    if len(processes) > MAX_PROCESS_LINES:
        lines.append(f"and {len(processes) - MAX_PROCESS_LINES} more")
    return "\n".join(lines) or "none seen (the heartbeat could not be written)"


def _process_line(process: ProcessInfo, health: BotHealth) -> str:
    jobs = health.in_flight if process.this and health.in_flight is not None else process.jobs
    parts = [
        "**this process**" if process.this else None,
        process.owner,
        f"{plain(process.host)[:60]}, pid {process.pid}",
        f"{jobs} generation{'' if jobs == 1 else 's'} in flight",
        f"up {duration(health.checked_at - process.started_at)}",
    ]
    return " · ".join(part for part in parts if part)


def channels_text(settings: GuildSettings) -> str:
    if not settings.allowed_channel_ids:
        return "every channel"
    return ", ".join(f"<#{c}>" for c in sorted(settings.allowed_channel_ids))


def settings_text(settings: GuildSettings, blocked: int | None = None) -> str:
    """Every rule of the server in a few lines."""
    cap = settings.max_length_cap
    in_flight = settings.max_in_flight_per_member
    lines = [
        f"Channels: {channels_text(settings)}",
        f"NSFW-only: {'on' if settings.nsfw_only else 'off'}",
        f"Per member in flight: {in_flight if in_flight is not None else 'bot default'}",
        f"max_length cap: {cap if cap is not None else 'none'}",
        f"Cooldown: {settings.cooldown_seconds} s",
        f"Default model: {_code(settings.default_model) if settings.default_model else 'any'}",
        "Default max_length: "
        + (str(settings.default_max_length) if settings.default_max_length else "bot default"),
        "Log channel: " + (f"<#{settings.log_channel_id}>" if settings.log_channel_id else "none"),
    ]
    if blocked is not None:
        lines.append(f"Blocked members: {blocked}")
    return "\n".join(lines)


def _code(text: str) -> str:
    return f"`{text.replace('`', '')}`"
