"""Guild settings, allowed channels and blocked members round trip through the database."""

from __future__ import annotations

import pytest

from bot.storage import (
    BlockedUser,
    BlockedUserRepository,
    Database,
    GuildSettings,
    GuildSettingsRepository,
)

GUILD, OTHER_GUILD = 1200000000000000000, 1200000000000000001


class FixedClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def guilds(db: Database) -> GuildSettingsRepository:
    return GuildSettingsRepository(db)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def blocked(db: Database, clock: FixedClock) -> BlockedUserRepository:
    return BlockedUserRepository(db, clock=clock)


async def test_a_new_guild_has_the_defaults(guilds: GuildSettingsRepository) -> None:
    assert await guilds.get(GUILD) == GuildSettings(GUILD)


async def test_update_round_trips_every_field(guilds: GuildSettingsRepository) -> None:
    changes = {
        "nsfw_only": True,
        "max_in_flight_per_member": 2,
        "max_length_cap": 300,
        "cooldown_seconds": 30,
        "default_model": "koboldcpp/Llama-3",
        "default_max_length": 200,
        "log_channel_id": 1300000000000000000,
    }
    returned = await guilds.update(GUILD, **changes)
    assert returned == GuildSettings(GUILD, **changes)
    assert await guilds.get(GUILD) == returned


async def test_update_keeps_fields_not_named(guilds: GuildSettingsRepository) -> None:
    await guilds.update(GUILD, cooldown_seconds=10)
    settings = await guilds.update(GUILD, nsfw_only=True)
    assert (settings.cooldown_seconds, settings.nsfw_only) == (10, True)


async def test_update_can_clear_an_optional_field(guilds: GuildSettingsRepository) -> None:
    await guilds.update(GUILD, max_length_cap=300)
    assert (await guilds.update(GUILD, max_length_cap=None)).max_length_cap is None


async def test_settings_are_per_guild(guilds: GuildSettingsRepository) -> None:
    await guilds.update(GUILD, nsfw_only=True)
    assert await guilds.get(OTHER_GUILD) == GuildSettings(OTHER_GUILD)


async def test_unknown_field_is_refused(guilds: GuildSettingsRepository) -> None:
    with pytest.raises(TypeError, match="colour"):
        await guilds.update(GUILD, colour="red")


@pytest.mark.parametrize(
    ("field", "value"),
    [("cooldown_seconds", -1), ("max_length_cap", 0), ("default_model", " "), ("nsfw_only", 1)],
)
async def test_out_of_range_value_is_refused(
    guilds: GuildSettingsRepository, field: str, value: object
) -> None:
    with pytest.raises((TypeError, ValueError)):
        await guilds.update(GUILD, **{field: value})
    assert await guilds.get(GUILD) == GuildSettings(GUILD)


async def test_added_channels_are_allowed(guilds: GuildSettingsRepository) -> None:
    assert await guilds.add_channel(GUILD, 5) is True
    assert await guilds.add_channel(GUILD, 6) is True
    assert (await guilds.get(GUILD)).allowed_channel_ids == frozenset({5, 6})


async def test_adding_a_channel_twice_reports_it(guilds: GuildSettingsRepository) -> None:
    await guilds.add_channel(GUILD, 5)
    assert await guilds.add_channel(GUILD, 5) is False


async def test_removed_channel_is_no_longer_allowed(guilds: GuildSettingsRepository) -> None:
    await guilds.add_channel(GUILD, 5)
    await guilds.add_channel(GUILD, 6)
    assert await guilds.remove_channel(GUILD, 5) is True
    assert await guilds.remove_channel(GUILD, 5) is False
    assert (await guilds.get(GUILD)).allowed_channel_ids == frozenset({6})


async def test_clear_channels_allows_every_channel(guilds: GuildSettingsRepository) -> None:
    await guilds.add_channel(GUILD, 5)
    await guilds.add_channel(GUILD, 6)
    await guilds.add_channel(OTHER_GUILD, 7)
    assert await guilds.clear_channels(GUILD) == 2
    assert (await guilds.get(GUILD)).allowed_channel_ids == frozenset()
    assert (await guilds.get(OTHER_GUILD)).allowed_channel_ids == frozenset({7})


async def test_blocked_member_is_blocked_in_that_guild_only(
    blocked: BlockedUserRepository,
) -> None:
    assert await blocked.block(GUILD, 42, 1, "spam") is True
    assert await blocked.is_blocked(GUILD, 42) is True
    assert await blocked.is_blocked(OTHER_GUILD, 42) is False


async def test_blocking_twice_updates_the_reason(blocked: BlockedUserRepository) -> None:
    await blocked.block(GUILD, 42, 1, "spam")
    assert await blocked.block(GUILD, 42, 2, "still spam") is False
    assert [b.reason for b in await blocked.list(GUILD)] == ["still spam"]


async def test_unblock_lifts_the_block(blocked: BlockedUserRepository) -> None:
    await blocked.block(GUILD, 42, 1, None)
    assert await blocked.unblock(GUILD, 42) is True
    assert await blocked.is_blocked(GUILD, 42) is False
    assert await blocked.unblock(GUILD, 42) is False


async def test_list_shows_blocks_oldest_first(
    blocked: BlockedUserRepository, clock: FixedClock
) -> None:
    await blocked.block(GUILD, 42, 1, "spam")
    clock.now += 60
    await blocked.block(GUILD, 7, 1, None)
    await blocked.block(OTHER_GUILD, 8, 1, None)
    assert await blocked.list(GUILD) == [
        BlockedUser(GUILD, 42, 1, "spam", 1_700_000_000.0),
        BlockedUser(GUILD, 7, 1, None, 1_700_000_060.0),
    ]
