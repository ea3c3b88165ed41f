"""The harness of the bad-input catalogue: one bot with every user-facing cog, and checks.

A :class:`Case` is one hostile input sent through the real command tree. A refused case must
get an ephemeral answer with a plain explanation (never the "unexpected error" text) and
change nothing stored; a handled case must complete normally. After each catalogue test every
message body the bot sent must carry ``allowed_mentions`` that ping nobody (except, in a
fallback post, the member the result is for).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import open_bot
from bot.bot import HordeBot
from bot.tree import UNEXPECTED_PREFIX
from tests.e2e.generate_support import FERNET_KEY, generate_settings
from tests.fakes.discord import FakeDiscord, FakeInteraction, FakeUser, running_bot
from tests.fakes.horde import FakeHorde
from tests.reliability.support import db_path

EXTENSIONS = (
    "cogs.account",
    "cogs.generate",
    "cogs.kudos",
    "cogs.workers",
    "cogs.moderation",
    "cogs.team",
    "cogs.hordemod",
)
TABLES = ("accounts", "generations", "blocked_users", "guild_settings")


@dataclass(frozen=True)
class Case:
    """One input: ``expect`` is a phrase of the refusal, or None when it must be handled."""

    name: str
    command: str
    options: dict[str, Any] = field(default_factory=dict)
    expect: str | None = None


@contextlib.asynccontextmanager
async def catalogue_bot(
    discord_fake: FakeDiscord, horde: FakeHorde, data_dir: Path
) -> AsyncIterator[HordeBot]:
    settings = generate_settings(data_dir, horde, FERNET_KEY)
    async with open_bot(
        settings, clock=horde.clock, extensions=EXTENSIONS, edit_interval=0.05
    ) as bot:
        bot._connection.guild_ready_timeout = 0.05
        async with running_bot(bot, discord_fake) as ready:
            yield ready


def row_counts(data_dir: Path) -> dict[str, int]:
    uri = f"file:{db_path(data_dir)}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        # Table names come from the constant above, never from input.
        query = "SELECT count(*) FROM {}"
        return {t: int(conn.execute(query.format(t)).fetchone()[0]) for t in TABLES}


async def answer(ia: FakeInteraction, word: str | None = None, timeout: float = 8.0) -> str:
    """The text of the interaction's answer once it is final (``word`` shown, if given)."""
    await ia.wait_for_response()
    if ia.response_type == 4 and ia.response is not None:  # answered directly
        return str((ia.response.get("data") or {}).get("content") or "")
    msg = await ia.wait_for_original(
        lambda m: not m.loading and (word is None or word in m.content), timeout=timeout
    )
    return msg.text()


async def refusal_problem(
    discord_fake: FakeDiscord, case: Case, user: FakeUser, channel: Any, data_dir: Path
) -> str | None:
    """Run a case that must be refused; a description of what went wrong, or None."""
    before = row_counts(data_dir)
    try:
        ia = await discord_fake.send_slash(case.command, case.options, user=user, channel=channel)
        text = await answer(ia)
    except (TimeoutError, ValueError) as exc:
        return f"{case.name}: no answer ({type(exc).__name__})"
    if not ia.ephemeral:
        return f"{case.name}: refusal ephemeral={ia.ephemeral}"
    if UNEXPECTED_PREFIX in text or "Traceback" in text:
        return f"{case.name}: unexpected error shown: {text[:120]!r}"
    if case.expect is not None and case.expect.lower() not in text.lower():
        return f"{case.name}: expected {case.expect!r}, got {text[:160]!r}"
    if row_counts(data_dir) != before:
        return f"{case.name}: something was stored"
    return None


def ping_problems(discord_fake: FakeDiscord, requesters: set[int]) -> list[str]:
    """Bodies sent without mention protection (only a requester may be named in ``users``)."""
    problems = []
    for call in discord_fake.calls:
        body = call.json if isinstance(call.json, dict) else None
        if body is None or call.method not in ("POST", "PATCH"):
            continue
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        if not isinstance(data, dict) or not ({"content", "embeds"} & data.keys()):
            continue
        mentions = data.get("allowed_mentions")
        if not isinstance(mentions, dict):
            problems.append(f"{call.method} {_where(call.path)}: no allowed_mentions")
            continue
        users = {int(u) for u in mentions.get("users") or []}
        if mentions.get("parse") or mentions.get("roles") or not users <= requesters:
            problems.append(f"{call.method} {_where(call.path)}: {mentions}")
    return problems


def _where(path: str) -> str:
    """The path without its interaction token (failure messages must not show secrets)."""
    parts = path.split("/")
    if "webhooks" in parts and len(parts) > parts.index("webhooks") + 2:
        parts[parts.index("webhooks") + 2] = "<token>"
    if "interactions" in parts and len(parts) > parts.index("interactions") + 2:
        parts[parts.index("interactions") + 2] = "<token>"
    return "/".join(parts)
