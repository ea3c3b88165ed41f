"""SHARD_COUNT / SHARD_IDS: parsing, one-line errors, which jobs a process owns."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.sharding import ShardPlan, runs_guild, shard_of

TOKEN = "x" * 59


def settings(**env: str) -> Settings:
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **env})


def error(**env: str) -> str:
    with pytest.raises(ConfigError) as info:
        settings(**env)
    return str(info.value)


def test_unset_means_one_process_runs_every_shard() -> None:
    assert settings().shards is None
    assert runs_guild(None, 123 << 22)


@pytest.mark.parametrize(
    ("ids", "expected"),
    [("0-3", (0, 1, 2, 3)), ("0,2", (0, 2)), ("3, 1-2", (1, 2, 3)), ("2,2", (2,)), ("", None)],
)
def test_shard_ids_are_parsed_sorted_and_unique(ids: str, expected: tuple[int, ...] | None) -> None:
    plan = settings(SHARD_COUNT="4", SHARD_IDS=ids).shards
    assert plan == ShardPlan(4, expected or (0, 1, 2, 3))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS: needs SHARD_COUNT (the number of shards in all)"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT: must be between 1 and 4096"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT: must be an integer"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "4"}, "SHARD_IDS: shard 4 is not below SHARD_COUNT (4)"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS: the range 3-1 runs backwards"),
        (
            {"SHARD_COUNT": "4", "SHARD_IDS": "0,,1"},
            "SHARD_IDS: must be shard ids such as 0-3 or 0,2 (an empty item)",
        ),
        (
            {"SHARD_COUNT": "4", "SHARD_IDS": "-1"},
            "SHARD_IDS: must be shard ids such as 0-3 or 0,2",
        ),
    ],
)
def test_bad_shard_settings_fail_with_one_line(env: dict[str, str], message: str) -> None:
    assert error(**env) == message


def test_a_job_belongs_to_its_servers_shard_and_a_dm_to_shard_zero() -> None:
    plan = ShardPlan(4, (1, 3))
    guild_on_3 = (7 << 22) + 5  # (id >> 22) % 4 == 3
    assert (shard_of(guild_on_3, 4), plan.owns(guild_on_3), plan.owns(None)) == (3, True, False)
    assert ShardPlan(4, (0,)).owns(None)


def test_only_the_process_running_shard_zero_syncs_commands() -> None:
    assert (ShardPlan(2, (0,)).syncs_commands, ShardPlan(2, (1,)).syncs_commands) == (True, False)


def test_described_as_ranges() -> None:
    assert ShardPlan(8, (0, 1, 2, 5, 7)).describe() == "0-2, 5, 7 of 8"
