"""Parsers of single setting values: each takes the raw text of one variable and returns its typed
value, or raises :class:`ConfigError` (one line, never the value: it may be a secret).

:mod:`bot.config` reads the environment and puts these together into ``Settings``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cryptography.fernet import Fernet

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A missing or malformed setting; ``str()`` is one line without the value."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = " ".join(problem.split())
        super().__init__(f"{variable}: {self.problem}")


def webhook_url(value: str) -> str:
    """The Horde only calls https:// webhooks (plain http on 127.0.0.1 is for tests)."""
    parts = urlsplit(value)
    local_http = parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if not (parts.scheme == "https" or local_http) or not parts.hostname:
        raise ConfigError("HORDE_WEBHOOK_URL", "must be an https:// URL")
    if parts.query or parts.fragment:
        raise ConfigError("HORDE_WEBHOOK_URL", "must not have a query or fragment")
    if len(value) > 900:
        raise ConfigError("HORDE_WEBHOOK_URL", "is too long (the Horde takes 1024 characters)")
    return value.rstrip("/")


@dataclass(frozen=True)
class PostgresUrl:
    """A ``postgresql://`` DATABASE_URL. ``str()`` leaves the password out: it is a secret."""

    dsn: str = field(repr=False)

    @property
    def password(self) -> str | None:
        """The password as the server sees it (percent-decoded), or None."""
        raw = urlsplit(self.dsn).password
        return unquote(raw) if raw else None

    def password_spellings(self) -> tuple[str, ...]:
        """The password as written in the URL and as decoded: both are to be redacted."""
        raw = urlsplit(self.dsn).password
        return tuple(dict.fromkeys((raw, unquote(raw)))) if raw else ()

    def __str__(self) -> str:
        parts = urlsplit(self.dsn)
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"postgresql://{user}{parts.hostname or ''}{port}{parts.path}"


def parse_database_url(url: str) -> Path | PostgresUrl:
    """``sqlite:///relative/path`` → ``Path("relative/path")``; ``sqlite:////abs`` → ``/abs``;
    ``postgresql://user:password@host:5432/db`` → :class:`PostgresUrl`."""
    if url.startswith("postgresql://"):
        return postgres_url(url)
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.startswith(prefix) else ""
    if not rest or rest.endswith("/") or "?" in rest or "#" in rest or rest == ":memory:":
        raise ConfigError(
            "DATABASE_URL",
            "must look like sqlite:///relative/path, sqlite:////absolute/path or "
            "postgresql://user:password@host:5432/database",
        )
    return Path(rest)


def postgres_url(url: str) -> PostgresUrl:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigError("DATABASE_URL", "the postgresql:// URL is malformed") from None
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError("DATABASE_URL", "the postgresql:// URL names no host")
    if parts.path in ("", "/"):
        raise ConfigError("DATABASE_URL", "the postgresql:// URL names no database (…/dbname)")
    return PostgresUrl(url)


def parse_encryption_keys(value: str) -> tuple[str, ...]:
    """Split comma-separated Fernet keys and check each one (never echoing it)."""
    keys = tuple(part.strip() for part in value.split(","))
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(
                "ENCRYPTION_KEY",
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with cryptography.fernet.Fernet.generate_key())",
            ) from None
    return keys


def parse_retry_limit(raw: str) -> float | None:
    """``forever`` → None (no limit); otherwise seconds, 0 meaning "do not retry at all"."""
    if raw.lower() == "forever":
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError("", "must be a number of seconds (0: do not retry) or forever")
    return seconds


def parse_listen_address(raw: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9108`` for IPv6) → ``(host, port)``."""
    host, _, port = raw.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("", "must be host:port, for example 127.0.0.1:9108")
    return host, int(port)


def log_format(raw: str) -> str:
    lowered = raw.lower()
    if lowered not in ("text", "json"):
        raise ConfigError("", "must be text or json")
    return lowered


def governor_scope(raw: str) -> str:
    if raw.lower() not in ("database", "process"):
        raise ConfigError("", "must be database or process")
    return raw.lower()


def discord_token(raw: str) -> str:
    token = raw.strip()
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN", "is required (the bot token from the Discord developer portal)"
        )
    if any(ch.isspace() for ch in token):
        raise ConfigError("DISCORD_TOKEN", "must not contain spaces (paste only the token)")
    return token


def http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError("", "must be an http:// or https:// URL")
    return raw


def horde_url(raw: str) -> str:
    url = http_url(raw).rstrip("/")
    if url.endswith("/v2"):
        raise ConfigError("", "must not end in /v2 (the bot adds /v2/... itself)")
    return url


def one_line(raw: str) -> str:
    if "\n" in raw or "\r" in raw:
        raise ConfigError("", "must be one line")
    return raw


def no_space(raw: str) -> str:
    if any(ch.isspace() for ch in raw):
        raise ConfigError("", "must not contain spaces")
    return raw


def snowflake(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError("", "must be a Discord id (a positive integer)")
    return int(raw)


def log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ConfigError("", f"must be one of {', '.join(LOG_LEVELS)}")
    return level


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError("", "must be true or false")
