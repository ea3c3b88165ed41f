"""Settings: typed, frozen, read once from the environment and ``.env``; fail fast with one line.

Every problem raises :class:`ConfigError` (from :mod:`bot.setting_values`, which parses each
value), whose text names the variable and what is wrong in
one line and never repeats the value (it may be a secret). ``python -m bot`` prints it and exits.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypedDict, TypeVar

from dotenv import dotenv_values

from bot import setting_values as values

# The Horde client's defaults are the settings' defaults (one home for each constant).
from bot.horde import ANONYMOUS_API_KEY, DEFAULT_CLIENT_AGENT
from bot.setting_values import ConfigError as ConfigError
from bot.setting_values import PostgresUrl as PostgresUrl
from bot.setting_values import parse_database_url as parse_database_url
from bot.sharding import MAX_SHARD_COUNT, ShardPlan, parse_shard_ids

DEFAULT_MODEL_REFERENCE_URL = (
    "https://raw.githubusercontent.com/Haidra-Org/AI-Horde-text-model-reference/main/db.json"
)

T = TypeVar("T")
N = TypeVar("N", int, float)


class EnvVar(NamedTuple):
    """One documented setting (kept in step with ``.env.example`` by a test)."""

    name: str
    default: str
    description: str


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar("DISCORD_TOKEN", "", "Bot token from the Discord developer portal (required)"),
    EnvVar("HORDE_API_URL", "https://aihorde.net/api", "AI Horde base URL; the bot calls /v2/..."),
    EnvVar("HORDE_CLIENT_AGENT", DEFAULT_CLIENT_AGENT, "Client-Agent header: name:version:contact"),
    EnvVar("HORDE_DEFAULT_API_KEY", ANONYMOUS_API_KEY, "Key for members who have not logged in"),
    EnvVar("DATA_DIR", "data", "Directory for the database, key file and heartbeat"),
    EnvVar(
        "DATABASE_URL",
        "sqlite:///data/bot.db",
        "sqlite:///path (default: DATA_DIR/bot.db) or postgresql://user:password@host:5432/db",
    ),
    EnvVar("ENCRYPTION_KEY", "", "Fernet key(s), comma-separated; first encrypts"),
    EnvVar("DEV_GUILD_ID", "", "Guild to sync commands to at start (optional)"),
    EnvVar("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    EnvVar("HORDE_SUBMITS_PER_SECOND", "2", "Generation submits per second (all users)"),
    EnvVar("HORDE_SUBMITS_PER_MINUTE", "90", "Generation submits per minute (all users)"),
    EnvVar("MAX_GENERATIONS_PER_USER", "3", "Generations one user may have in flight"),
    EnvVar("POLL_MIN_SECONDS", "2", "Shortest interval between status polls"),
    EnvVar("POLL_MAX_SECONDS", "15", "Longest interval between status polls"),
    EnvVar("JOB_RETENTION_DAYS", "7", "Days finished jobs (prompts, results) are kept"),
    EnvVar("MESSAGE_CONTENT_INTENT", "false", "Read every message in /chat threads"),
    EnvVar("GENERATE_DEFAULT_MAX_LENGTH", "160", "Default max_length for /generate (16..4096)"),
    EnvVar("MODEL_REFERENCE_URL", DEFAULT_MODEL_REFERENCE_URL, "Horde text model reference"),
    EnvVar("HEARTBEAT_FILE", "DATA_DIR/heartbeat", "Touched while connected (Docker HEALTHCHECK)"),
    # Operations (docs/operations.md).
    EnvVar("STARTUP_RETRY_SECONDS", "forever", "Keep retrying an unreachable Discord this long"),
    EnvVar("SHUTDOWN_TIMEOUT_SECONDS", "25", "SIGTERM/SIGINT: exit anyway after this long"),
    EnvVar("LOG_FORMAT", "text", "text, or json (one object per line)"),
    EnvVar("METRICS_LISTEN", "", "host:port for Prometheus /metrics (empty: off)"),
    # Webhook mode (docs/webhooks.md): both set, or neither.
    EnvVar("HORDE_WEBHOOK_URL", "", "Public https:// URL the Horde calls when a job finishes"),
    EnvVar("HORDE_WEBHOOK_LISTEN", "", "host:port of the bot's webhook listener (empty: off)"),
    EnvVar("HORDE_WEBHOOK_POLL_SECONDS", "60", "Webhook mode: safety-net poll interval"),
    # Several processes (docs/databases.md).
    EnvVar("SHARD_COUNT", "", "Discord shards in all (empty: as Discord recommends)"),
    EnvVar("SHARD_IDS", "", "Shards this process runs, e.g. 0-3 or 0,2 (empty: all)"),
    EnvVar("JOB_LEASE_SECONDS", "30", "PostgreSQL: a dead process's jobs are taken over after"),
    EnvVar("HORDE_GOVERNOR_SCOPE", "database", "database: one submit budget for all processes"),
)


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with. Secrets are left out of ``repr``."""

    discord_token: str = field(repr=False)
    horde_api_url: str = "https://aihorde.net/api"
    horde_client_agent: str = DEFAULT_CLIENT_AGENT
    horde_default_api_key: str = field(default=ANONYMOUS_API_KEY, repr=False)
    data_dir: Path = Path("data")
    # DATABASE_URL: a SQLite file, or a PostgreSQL server (its str() hides the password).
    database: Path | PostgresUrl = Path("data/bot.db")
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    horde_submits_per_second: float = 2
    horde_submits_per_minute: int = 90
    max_generations_per_user: int = 3
    poll_min_seconds: float = 2
    poll_max_seconds: float = 15
    job_retention_days: int = 7
    message_content_intent: bool = False
    generate_default_max_length: int = 160
    model_reference_url: str = DEFAULT_MODEL_REFERENCE_URL
    # from_env defaults this to data_dir / "heartbeat"; None (tests) means no heartbeat file.
    heartbeat_file: Path | None = None
    # Operations (docs/operations.md). None: retry an unreachable Discord forever.
    startup_retry_seconds: float | None = None
    shutdown_timeout_seconds: float = 25.0
    log_format: str = "text"
    # (host, port) to serve Prometheus metrics on; None: metrics are off.
    metrics_listen: tuple[str, int] | None = None
    # Webhook mode (docs/webhooks.md): None/None means off.
    horde_webhook_url: str | None = None
    horde_webhook_listen: tuple[str, int] | None = None
    horde_webhook_poll_seconds: float = 60.0
    # SHARD_COUNT / SHARD_IDS (see ``shards``); None: every shard Discord recommends.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    job_lease_seconds: float = 30.0
    # "database": processes on one PostgreSQL database share the submit budget (one IP).
    horde_governor_scope: str = "database"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``environ``; raise :class:`ConfigError` on the first problem."""
        env = _Env(environ)
        data_dir = env.get("DATA_DIR", Path, Path("data"))
        default_database: Path | PostgresUrl = data_dir / "bot.db"
        poll_min = env.number("POLL_MIN_SECONDS", float, 2.0)
        poll_max = env.number("POLL_MAX_SECONDS", float, 15.0)
        if poll_max < poll_min:
            raise ConfigError("POLL_MAX_SECONDS", "must be at least POLL_MIN_SECONDS")
        return cls(
            discord_token=values.discord_token(environ.get("DISCORD_TOKEN", "")),
            horde_api_url=env.get("HORDE_API_URL", values.horde_url, "https://aihorde.net/api"),
            horde_client_agent=env.get("HORDE_CLIENT_AGENT", values.one_line, DEFAULT_CLIENT_AGENT),
            horde_default_api_key=env.get(
                "HORDE_DEFAULT_API_KEY", values.no_space, ANONYMOUS_API_KEY
            ),
            data_dir=data_dir,
            database=env.get("DATABASE_URL", parse_database_url, default_database),
            encryption_keys=env.get("ENCRYPTION_KEY", values.parse_encryption_keys, ()),
            dev_guild_id=env.get("DEV_GUILD_ID", values.snowflake, None),
            log_level=env.get("LOG_LEVEL", values.log_level, "INFO"),
            horde_submits_per_second=env.number("HORDE_SUBMITS_PER_SECOND", float, 2.0),
            horde_submits_per_minute=env.number("HORDE_SUBMITS_PER_MINUTE", int, 90),
            max_generations_per_user=env.number("MAX_GENERATIONS_PER_USER", int, 3),
            poll_min_seconds=poll_min,
            poll_max_seconds=poll_max,
            job_retention_days=env.number("JOB_RETENTION_DAYS", int, 7),
            message_content_intent=env.get("MESSAGE_CONTENT_INTENT", values.boolean, False),
            generate_default_max_length=env.number(
                "GENERATE_DEFAULT_MAX_LENGTH", int, 160, low=16, high=4096
            ),
            model_reference_url=env.get(
                "MODEL_REFERENCE_URL", values.http_url, DEFAULT_MODEL_REFERENCE_URL
            ),
            heartbeat_file=env.get("HEARTBEAT_FILE", Path, data_dir / "heartbeat"),
            startup_retry_seconds=env.get("STARTUP_RETRY_SECONDS", values.parse_retry_limit, None),
            shutdown_timeout_seconds=env.number("SHUTDOWN_TIMEOUT_SECONDS", float, 25.0),
            log_format=env.get("LOG_FORMAT", values.log_format, "text"),
            metrics_listen=env.get("METRICS_LISTEN", values.parse_listen_address, None),
            **_webhook_settings(env, poll_max),
            **_shard_plan(env, environ.get("SHARD_IDS", "").strip()),
            job_lease_seconds=env.number("JOB_LEASE_SECONDS", float, 30.0),
            horde_governor_scope=env.get("HORDE_GOVERNOR_SCOPE", values.governor_scope, "database"),
        )

    @property
    def shards(self) -> ShardPlan | None:
        """The shards this process runs; None: one process runs every shard."""
        if self.shard_count is None:
            return None
        return ShardPlan(self.shard_count, self.shard_ids or tuple(range(self.shard_count)))

    @property
    def database_path(self) -> Path | None:
        """The SQLite file, or None when the bot runs on PostgreSQL."""
        return self.database if isinstance(self.database, Path) else None

    def secret_values(self) -> tuple[str, ...]:
        """The configured secrets, for log redaction (the shared anonymous key is not one)."""
        found = [self.discord_token, *self.encryption_keys]
        if isinstance(self.database, PostgresUrl):
            found.extend(self.database.password_spellings())
        if self.horde_default_api_key != ANONYMOUS_API_KEY:
            found.append(self.horde_default_api_key)
        return tuple(found)


class _WebhookSettings(TypedDict):
    horde_webhook_url: str | None
    horde_webhook_listen: tuple[str, int] | None
    horde_webhook_poll_seconds: float


def _webhook_settings(env: _Env, poll_max: float) -> _WebhookSettings:
    """HORDE_WEBHOOK_URL and HORDE_WEBHOOK_LISTEN go together; the safety net is slow."""
    url = env.get("HORDE_WEBHOOK_URL", values.webhook_url, None)
    listen = env.get("HORDE_WEBHOOK_LISTEN", values.parse_listen_address, None)
    if (url is None) != (listen is None):
        missing = "HORDE_WEBHOOK_LISTEN" if listen is None else "HORDE_WEBHOOK_URL"
        raise ConfigError(missing, "must be set too when the other webhook setting is")
    poll = env.number("HORDE_WEBHOOK_POLL_SECONDS", float, 60.0)
    if poll < poll_max:
        raise ConfigError("HORDE_WEBHOOK_POLL_SECONDS", "must be at least POLL_MAX_SECONDS")
    return {
        "horde_webhook_url": url,
        "horde_webhook_listen": listen,
        "horde_webhook_poll_seconds": poll,
    }


def load_settings(
    env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None
) -> Settings:
    """Read ``env_file`` (if it exists), overlay ``environ`` (default ``os.environ``), parse.

    The real environment wins over the file. ``os.environ`` is not modified.
    """
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        for key, value in dotenv_values(env_file, interpolate=False).items():
            if value is not None:
                merged[key] = value
    merged.update(os.environ if environ is None else environ)
    return Settings.from_env(merged)


class _Env:
    """Reads optional variables: empty or unset means the default."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self._environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return parse(raw)
        except ConfigError as error:
            raise ConfigError(name, error.problem) from None

    def number(
        self,
        name: str,
        kind: Callable[[str], N],
        default: N,
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> N:
        """A positive int or float, optionally within ``low..high``."""
        raw = self._environ.get(name, "").strip()
        if not raw:
            return default
        noun = "an integer" if kind is int else "a number"
        try:
            value = kind(raw)
        except ValueError:
            raise ConfigError(name, f"must be {noun}") from None
        if not math.isfinite(value):
            raise ConfigError(name, f"must be {noun}")
        if low is not None and high is not None and not low <= value <= high:
            raise ConfigError(name, f"must be between {low:g} and {high:g}")
        if value <= 0:
            raise ConfigError(name, "must be greater than 0")
        return value


def _shard_plan(env: _Env, ids: str) -> dict[str, Any]:
    count = env.number("SHARD_COUNT", int, 0, low=1, high=MAX_SHARD_COUNT)
    if not count:
        if ids:
            raise ConfigError("SHARD_IDS", "needs SHARD_COUNT (the number of shards in all)")
        return {}
    if not ids:
        return {"shard_count": count}
    try:
        return {"shard_count": count, "shard_ids": parse_shard_ids(ids, count)}
    except ValueError as error:
        raise ConfigError("SHARD_IDS", str(error)) from None
