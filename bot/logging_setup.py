"""Logging set up once, with secrets redacted from every record of every logger.

Redaction happens when a record is created (a ``logging.setLogRecordFactory`` wrapper), so it
covers every handler — ours, pytest's ``caplog``, anything a library adds — and every logger,
including discord.py's, which at DEBUG prints gateway events (a modal submission carries the API
key a member typed) and REST request bodies. The message is formatted once, scrubbed, and stored
back with no arguments; a traceback is pre-formatted into a scrubbed ``exc_text``.

Scrubbing is by structure (modal values, ``apikey``/``token``/``Authorization`` fields, tokens in
webhook and interaction URLs, Fernet tokens, Discord bot tokens) and by value (secrets the bot
knows about: the Discord token, encryption keys, every API key it has handled).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 6
_ANONYMOUS_KEY = "0000000000"  # shared Horde-wide and public; not a secret
_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()  # longest first, so a secret containing another goes first

# The job the current task works on: every record logged meanwhile — the engine's, the Horde
# client's, discord.py's — carries it (as ``task_job_id``: ``job_id`` itself is left to
# ``extra=``, which may not overwrite an attribute), without each call site passing it.
_current_job: contextvars.ContextVar[int | None] = contextvars.ContextVar("job_id", default=None)

# Keys whose values are secrets wherever they appear as "key": "value" / 'key': 'value'.
_SECRET_KEYS = (
    r"apikey|api[_-]key|x-api-key|token|access_token|refresh_token|client_secret|secret|"  # noqa: S105
    r"password|authorization|discord_token|encryption_key|interaction_token"
)
_QUOTED_VALUE = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\\"(?:[^"\\]|\\[^"])*\\")"""
_QUOTED_FIELD = re.compile(
    rf"""(?P<key>\\?["'](?:{_SECRET_KEYS})\\?["']\s*:\s*){_QUOTED_VALUE}""", re.IGNORECASE
)
# Bare key=value / key: value (query strings, header lines, keyword reprs).
_BARE_FIELD = re.compile(
    rf"""(?P<key>(?<![\w"'-])(?:{_SECRET_KEYS})\s*[=:]\s*)(?!["'\\\[])[^\s&,;"'}})\]]+""",
    re.IGNORECASE,
)
# Modal submissions: text input values sit beside a custom_id.
_VALUE_FIELD = re.compile(rf"""(?P<key>\\?["']value\\?["']\s*:\s*){_QUOTED_VALUE}""")
_AUTH_SCHEME = re.compile(r"\b(?P<key>(?:Bot|Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}")
_URL_TOKEN = re.compile(r"(?P<key>/(?:webhooks|interactions)/\d+/)[A-Za-z0-9._~-]+")
_FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
_DISCORD_TOKEN = re.compile(r"\b[A-Za-z0-9_-]{20,40}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")

_KEEP_KEY = rf"\g<key>{REDACTED}"

# The record attribute holding the logged exception once ``exc_info`` is dropped.
RAISED_EXCEPTION = "raised_exception"


def redact(text: str) -> str:
    """Return ``text`` with every known secret and secret-shaped field replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _QUOTED_FIELD.sub(_quoted_replacement, text)
    if "custom_id" in text:
        text = _VALUE_FIELD.sub(_quoted_replacement, text)
    text = _AUTH_SCHEME.sub(_KEEP_KEY, text)
    text = _BARE_FIELD.sub(_KEEP_KEY, text)
    text = _URL_TOKEN.sub(_KEEP_KEY, text)
    text = _FERNET_TOKEN.sub(REDACTED, text)
    return _DISCORD_TOKEN.sub(REDACTED, text)


def _quoted_replacement(match: re.Match[str]) -> str:
    """Keep the key and the value's quoting style; replace what is inside the quotes."""
    value = match.group(0)[len(match.group("key")) :]
    quote = '\\"' if value.startswith('\\"') else value[0]
    return f"{match.group('key')}{quote}{REDACTED}{quote}"


def register_secret(value: str) -> None:
    """Redact ``value`` from every later log record (ignored when shorter than 6 characters)."""
    global _secrets
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH or value == _ANONYMOUS_KEY:
        return
    install_redaction()
    with _lock:
        if value not in _secrets:
            _secrets = tuple(sorted((*_secrets, value), key=len, reverse=True))


def install_redaction() -> None:
    """Install the redacting record factory (idempotent)."""
    with _lock:
        current = logging.getLogRecordFactory()
        if getattr(current, "_redacting", False):
            return
        logging.setLogRecordFactory(_make_factory(current))


def setup_logging(level: str, *, secrets: Iterable[str] = (), fmt: str = "text") -> None:
    """Log to stderr at ``level`` through the root logger; redact ``secrets`` and known shapes.

    ``fmt`` "json" writes one JSON object per line (:class:`JsonFormatter`).
    Calling it again replaces the handler it installed before rather than adding another.
    """
    install_redaction()
    for secret in secrets:
        register_secret(secret)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_horde_text_bot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(_FORMAT))
    handler.addFilter(_RedactFilter())
    handler._horde_text_bot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    from bot.logging_gateway import install_gateway_log_filter  # imports discord: not at import

    install_gateway_log_filter()


def _make_factory(base: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        scrub_record(record)
        record.task_job_id = _current_job.get()
        return record

    factory._redacting = True  # type: ignore[attr-defined]
    return factory


def scrub_record(record: logging.LogRecord) -> None:
    """Format ``record``'s message and traceback once, redacted, in place (idempotent)."""
    # Compared by identity, not a flag: makeLogRecord() runs the factory and then overwrites
    # the fields, so a flag would claim a record is clean when it no longer is.
    if getattr(record, "_redacted", None) == _identity(record) and not record.args:
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not break the caller that logged it
        message = f"{record.msg!s} [log arguments could not be formatted]"
    record.msg = redact(message)
    record.args = ()
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
        # Kept for filters that decide by the exception's type (bot.logging_gateway); never
        # rendered by a formatter.
        setattr(record, RAISED_EXCEPTION, record.exc_info[1])
        # Dropped so no formatter can re-render the unredacted exception; exc_text stands in.
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = _identity(record)


def _identity(record: logging.LogRecord) -> tuple[int, ...]:
    return (id(record.msg), id(record.exc_info), id(record.exc_text), id(record.stack_info))


class _RedactFilter(logging.Filter):
    """Scrubs records built without the factory (``logging.makeLogRecord``, queue listeners)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


# Context a log call may attach with ``extra={...}``; the JSON formatter prints these (redacted).
JSON_CONTEXT_FIELDS = ("error_id", "job_id")


def log_as_job(job_id: int) -> None:
    """From now on in this task (and in tasks it starts), log records carry ``job_id``.

    For a task that works on one job after another (a poll worker); a task made for one job
    gets its context at creation (:func:`job_context`).
    """
    _current_job.set(job_id)


def job_context(job_id: int) -> contextvars.Context:
    """A context for ``asyncio.create_task(..., context=)``: the task's records carry ``job_id``."""
    context = contextvars.copy_context()
    context.run(_current_job.set, job_id)
    return context


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context fields, exception.

    The message and traceback are the redacted ones (:func:`scrub_record` ran when the record
    was made, and runs again here for records that bypassed the factory). ``extra=`` values
    are attached after the factory ran, so they are redacted here.
    """

    def format(self, record: logging.LogRecord) -> str:
        scrub_record(record)
        created = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entry: dict[str, object] = {
            "time": created.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in JSON_CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if name == "job_id" and value is None:
                value = getattr(record, "task_job_id", None)  # the task's job (log_as_job)
            if value is not None:
                entry[name] = value if isinstance(value, int) else redact(str(value))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


# Installed on import too: the bot's code imports this module before it connects, so the
# gateway events logged before any setup (or in tests that never call setup_logging) are scrubbed.
install_redaction()
