"""Shared steps of the reach tests: a server without the bot, what the bot posted where, a
result that outlives its interaction token, a private refusal."""

from __future__ import annotations

from tests.fakes.discord import (
    FakeChannel,
    FakeDiscord,
    FakeInteraction,
    FakeUser,
    RecordedCall,
)

TOKEN_LIFETIME = 15 * 60


def foreign_place(discord_fake: FakeDiscord, *names: str) -> tuple[FakeChannel, list[FakeUser]]:
    """A channel of a server the bot is not in, and its members ``names``."""
    guild = discord_fake.add_foreign_guild("Elsewhere")
    channel = discord_fake.add_channel(guild, "lounge", nsfw=False)
    return channel, [discord_fake.add_member(guild, name, permissions=0) for name in names]


def posts_into(discord_fake: FakeDiscord, channel: FakeChannel) -> list[RecordedCall]:
    """Every message the bot tried to post into ``channel`` through the REST API."""
    path = f"/channels/{channel.id}/messages"
    return [c for c in discord_fake.calls if c.method == "POST" and c.path.startswith(path)]


async def outlive_the_token(discord_fake: FakeDiscord, ia: FakeInteraction) -> None:
    """Once the reply runs, age its token past Discord's 15 minutes."""
    await ia.wait_for_original(lambda m: "Cancel" in m.buttons())
    discord_fake.clock.advance(TOKEN_LIFETIME + 1)


async def dm_refused(discord_fake: FakeDiscord, user: FakeUser) -> None:
    """Wait until Discord refused a DM of the bot to ``user``."""
    await discord_fake.wait_for(
        lambda: any(c.status == 403 for c in discord_fake.dm_attempts(user)) or None, timeout=5
    )


async def private_refusal(ia: FakeInteraction) -> str:
    """The text of the ephemeral message that answered ``ia`` at once."""
    assert await ia.wait_for_response() == 4
    refusal = ia.original()
    assert refusal is not None
    assert refusal.ephemeral
    return refusal.content
