"""bot.policy: the server rules /generate and /chat must pass, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.app import open_services
from bot.config import Settings
from bot.errors import BadInput, BlockedMember, CooldownActive, NotAllowedHere
from bot.policy import CooldownTracker, GenerationPolicy, check_generate, ensure_not_blocked
from bot.services import Services
from tests.fakes.horde import OffsetClock

GUILD, OTHER_GUILD = 1001, 1002
CHANNEL, OTHER_CHANNEL, THREAD = 2001, 2002, 2003
ALICE, MOD = 3001, 3002


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def services(tmp_path: Path, clock: OffsetClock) -> AsyncIterator[Services]:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": "unit-test-token",
            "HORDE_API_URL": "http://127.0.0.1:9/api",  # never called by the policy
            "DATA_DIR": str(tmp_path),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "MAX_GENERATIONS_PER_USER": "3",
            "GENERATE_DEFAULT_MAX_LENGTH": "160",
        }
    )
    async with open_services(settings, clock=clock) as built:
        built.cooldowns = CooldownTracker(clock)  # type: ignore[attr-defined]
        yield built


async def check(
    services: Services,
    *,
    guild_id: int | None = GUILD,
    channel_id: int = CHANNEL,
    nsfw: bool = False,
    user_id: int = ALICE,
    parent: int | None = None,
    record_use: bool = True,
) -> GenerationPolicy:
    return await check_generate(
        services,
        guild_id=guild_id,
        channel_id=channel_id,
        channel_nsfw=nsfw,
        user_id=user_id,
        parent_channel_id=parent,
        record_use=record_use,
    )


async def test_a_guild_without_settings_gets_the_bot_defaults(services: Services) -> None:
    policy = await check(services)
    assert policy == GenerationPolicy(
        default_model=None, max_length=160, max_length_cap=None, max_in_flight=3
    )


async def test_direct_messages_get_the_bot_defaults(services: Services) -> None:
    policy = await check(services, guild_id=None)
    assert policy.max_length == 160
    assert policy.max_in_flight == 3


async def test_a_blocked_member_is_refused(services: Services) -> None:
    await services.blocked.block(GUILD, ALICE, MOD, "spam")
    with pytest.raises(BlockedMember):
        await check(services)


async def test_a_block_applies_only_in_its_own_guild(services: Services) -> None:
    await services.blocked.block(OTHER_GUILD, ALICE, MOD, None)
    policy = await check(services)
    assert policy.max_in_flight == 3


async def test_ensure_not_blocked_refuses_a_blocked_member(services: Services) -> None:
    await services.blocked.block(GUILD, ALICE, MOD, None)
    with pytest.raises(BlockedMember):
        await ensure_not_blocked(services, GUILD, ALICE)


async def test_nobody_is_blocked_outside_a_guild(services: Services) -> None:
    await services.blocked.block(GUILD, ALICE, MOD, None)
    await ensure_not_blocked(services, None, ALICE)  # no exception


async def test_an_unblocked_member_may_generate_again(services: Services) -> None:
    await services.blocked.block(GUILD, ALICE, MOD, None)
    await services.blocked.unblock(GUILD, ALICE)
    assert (await check(services)).max_length == 160


async def test_a_channel_outside_the_allowed_list_is_refused(services: Services) -> None:
    await services.guild_settings.add_channel(GUILD, OTHER_CHANNEL)
    with pytest.raises(NotAllowedHere) as refused:
        await check(services, channel_id=CHANNEL)
    assert f"<#{OTHER_CHANNEL}>" in refused.value.user_message


async def test_an_allowed_channel_passes(services: Services) -> None:
    await services.guild_settings.add_channel(GUILD, CHANNEL)
    assert (await check(services, channel_id=CHANNEL)).max_length == 160


async def test_a_thread_of_an_allowed_channel_passes(services: Services) -> None:
    await services.guild_settings.add_channel(GUILD, CHANNEL)
    assert (await check(services, channel_id=THREAD, parent=CHANNEL)).max_in_flight == 3


async def test_nsfw_only_refuses_a_channel_that_is_not_age_restricted(
    services: Services,
) -> None:
    await services.guild_settings.update(GUILD, nsfw_only=True)
    with pytest.raises(NotAllowedHere) as refused:
        await check(services, nsfw=False)
    assert "age-restricted" in refused.value.user_message


async def test_nsfw_only_allows_an_age_restricted_channel(services: Services) -> None:
    await services.guild_settings.update(GUILD, nsfw_only=True)
    assert (await check(services, nsfw=True)).max_length == 160


async def test_a_second_generation_within_the_cooldown_is_refused(
    services: Services, clock: OffsetClock
) -> None:
    await services.guild_settings.update(GUILD, cooldown_seconds=30)
    await check(services)
    clock.advance(10)
    with pytest.raises(CooldownActive) as refused:
        await check(services)
    assert refused.value.retry_at == pytest.approx(clock.time() + 20, abs=1)


async def test_the_cooldown_ends_after_its_seconds(services: Services, clock: OffsetClock) -> None:
    await services.guild_settings.update(GUILD, cooldown_seconds=30)
    await check(services)
    clock.advance(31)
    assert (await check(services)).max_length == 160


async def test_the_cooldown_is_per_member(services: Services) -> None:
    await services.guild_settings.update(GUILD, cooldown_seconds=30)
    await check(services, user_id=ALICE)
    assert (await check(services, user_id=MOD)).max_length == 160


async def test_looking_without_recording_does_not_start_the_cooldown(
    services: Services,
) -> None:
    await services.guild_settings.update(GUILD, cooldown_seconds=30)
    await check(services, record_use=False)
    assert (await check(services)).max_length == 160


async def test_forgetting_a_use_lifts_the_cooldown(services: Services) -> None:
    await services.guild_settings.update(GUILD, cooldown_seconds=30)
    await check(services)
    services.cooldowns.forget(GUILD, ALICE)  # type: ignore[attr-defined]
    assert (await check(services)).max_length == 160


async def test_guild_defaults_replace_the_bot_defaults(services: Services) -> None:
    await services.guild_settings.update(GUILD, default_model="koboldcpp/m", default_max_length=300)
    policy = await check(services)
    assert policy.default_model == "koboldcpp/m"
    assert policy.max_length == 300
    assert policy.model_for(None) == "koboldcpp/m"
    assert policy.model_for("other") == "other"


async def test_the_cap_lowers_the_default_max_length(services: Services) -> None:
    await services.guild_settings.update(GUILD, max_length_cap=100)
    policy = await check(services)
    assert policy.max_length == 100
    assert policy.max_length_for(None) == 100


async def test_a_max_length_above_the_cap_is_refused(services: Services) -> None:
    await services.guild_settings.update(GUILD, max_length_cap=100)
    policy = await check(services)
    with pytest.raises(BadInput) as refused:
        policy.max_length_for(200)
    assert "100" in refused.value.user_message


async def test_a_max_length_within_the_cap_is_kept(services: Services) -> None:
    await services.guild_settings.update(GUILD, max_length_cap=100)
    assert (await check(services)).max_length_for(64) == 64


async def test_a_guild_may_lower_the_in_flight_limit(services: Services) -> None:
    await services.guild_settings.update(GUILD, max_in_flight_per_member=1)
    assert (await check(services)).max_in_flight == 1


async def test_a_guild_may_not_raise_the_in_flight_limit(services: Services) -> None:
    await services.guild_settings.update(GUILD, max_in_flight_per_member=10)
    assert (await check(services)).max_in_flight == 3


def test_the_cooldown_tracker_reports_when_the_member_may_go_again() -> None:
    clock = OffsetClock()
    tracker = CooldownTracker(clock)
    tracker.record(GUILD, ALICE)
    clock.advance(5)
    retry_at = tracker.retry_at(GUILD, ALICE, 20)
    assert retry_at == pytest.approx(clock.time() + 15, abs=0.5)
    assert tracker.retry_at(GUILD, ALICE, 0) is None
