"""A per-test check that no secret leaks into logs, exception texts or messages sent to Discord.

Used as an autouse fixture by ``tests/e2e/conftest.py`` and ``tests/reliability/conftest.py``.
For the duration of a test every logger records at DEBUG into a list (cheap: records are only
formatted at teardown). At teardown the secrets known to the fakes the test used — every fake
Horde user's API key, every shared key the fake Horde ever made (a server's sponsor key, a
member's new key from ``/sharedkey create``), every key typed into an API-key modal field (a
``/login`` key, a ``/mod sponsor set`` key), the fake Discord bot token,
every interaction token the fake issued — plus every Fernet key generated in this process (the
bot's ``ENCRYPTION_KEY`` in tests) are searched for in:

* the captured log text of all loggers (message, pre-formatted traceback, stack info, and the
  repr of any exception still attached to a record), and each record as ``LOG_FORMAT=json``
  prints it (which adds ``extra=`` context such as job ids);
* every JSON body and uploaded file the bot sent to the fake Discord's REST API;
* any text a test hands to :meth:`SecretGuard.watch` (a ``/metrics`` scrape, say).

One exception, declared by the test: a key the bot must show once (``/sharedkey create``
shows the new key privately to its creator) may appear in exactly one body sent to Discord
(:meth:`SecretGuard.shown_once`); a second body, or any log line, is still a leak.

Teardown order makes this work: an autouse fixture is set up before ``discord_fake`` and
``fake_horde`` and so torn down after them, when every request is recorded.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from cryptography.fernet import Fernet

from bot.logging_setup import JsonFormatter
from tests.fakes.discord import FakeDiscord
from tests.fakes.horde import FakeHorde

__all__ = ["SecretGuard", "generated_fernet_keys", "guard_secrets", "install_key_recorder"]

MIN_SECRET = 8  # shorter values would match by accident
ANONYMOUS_KEY = "0000000000"  # public, shared by every anonymous Horde user
_MODAL_SUBMIT = 5

_generated: list[str] = []


def install_key_recorder() -> None:
    """Remember every key ``Fernet.generate_key`` makes (tests create ENCRYPTION_KEY that way).

    A recording wrapper around a third-party classmethod; behaviour is unchanged.
    """
    original = Fernet.generate_key
    if getattr(original, "_recording", False):
        return

    def generate_key() -> bytes:
        key = original()
        _generated.append(key.decode())
        return key

    generate_key._recording = True  # type: ignore[attr-defined]
    Fernet.generate_key = staticmethod(generate_key)  # type: ignore[assignment, method-assign]


def generated_fernet_keys() -> tuple[str, ...]:
    return tuple(_generated)


class _Capture(logging.Handler):
    """Keeps every record; formatting waits until the check."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def record_text(record: logging.LogRecord) -> str:
    """All text a handler could print for ``record``, plus the repr of an attached exception."""
    try:
        parts = [record.getMessage()]
    except Exception:  # a broken format string: check its pieces instead
        parts = [str(record.msg), repr(record.args)]
    parts += [record.exc_text or "", record.stack_info or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
        parts.append(str(record.exc_info[1]))
    return "\n".join(parts)


class SecretGuard:
    """Captures logs at DEBUG while active; :meth:`leaks` lists what escaped."""

    def __init__(self) -> None:
        self._capture = _Capture()
        self._root_level = logging.NOTSET
        self._watched: dict[str, list[str]] = {}
        self._shown_once: set[str] = set()

    def shown_once(self, secret: str) -> None:
        """``secret`` may appear in one Discord body (never two, never in a log)."""
        self._shown_once.add(secret)

    def __enter__(self) -> SecretGuard:
        root = logging.getLogger()
        self._root_level = root.level
        root.addHandler(self._capture)
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self._capture)
        root.setLevel(self._root_level)

    def watch(self, where: str, text: str) -> None:
        """Check ``text`` too at teardown (e.g. every ``/metrics`` scrape the test made)."""
        self._watched.setdefault(where, []).append(text)

    @property
    def records(self) -> list[logging.LogRecord]:
        return self._capture.records

    def log_text(self) -> str:
        return "\n".join(record_text(r) for r in self._capture.records)

    def json_log_text(self) -> str:
        """The captured records as LOG_FORMAT=json would print them."""
        formatter = JsonFormatter()
        return "\n".join(formatter.format(r) for r in self._capture.records)

    def leaks(self, secrets: Iterable[str], fakes: Iterable[object]) -> list[str]:
        """``where: secret-prefix…`` for every secret found in the logs or a Discord body."""
        wanted = sorted(secrets)
        # One place for both renderings, so a leak is reported once.
        places = {"logs": f"{self.log_text()}\n{self.json_log_text()}"}
        places.update((where, "\n".join(texts)) for where, texts in self._watched.items())
        found: list[str] = []
        for fake in fakes:
            if isinstance(fake, FakeDiscord):
                bodies = sent_body_list(fake)
                for secret in wanted:
                    hits = sum(secret in body for body in bodies)
                    if hits > (1 if secret in self._shown_once else 0):
                        found.append(f"discord bodies: {secret[:4]}…({len(secret)} chars)")
        return found + [
            f"{where}: {secret[:4]}…({len(secret)} chars)"
            for where, text in places.items()
            for secret in wanted
            if secret in text
        ]


def sent_body_list(fake: FakeDiscord) -> list[str]:
    """Every JSON body and uploaded file the bot sent to the fake's REST API, one per call."""
    parts: list[str] = []
    for call in fake.calls:
        texts: list[str] = []
        if call.json is not None:
            texts.append(json.dumps(call.json, ensure_ascii=False, default=str))
        for attachment in call.files:
            data = getattr(attachment, "data", b"")
            texts.append(data.decode(errors="replace") if isinstance(data, bytes) else str(data))
        parts.append("\n".join(texts))
    return parts


def known_secrets(fakes: Iterable[object]) -> set[str]:
    """Secrets the given fakes know, plus the Fernet keys generated in this process.

    The anonymous key (public) and values too short to search for are left out.
    """
    found = set(generated_fernet_keys())
    for fake in fakes:
        if isinstance(fake, FakeHorde):
            found.update(user.apikey for user in fake.users.values())
            found.update(fake.records.shared_keys_ever)
        elif isinstance(fake, FakeDiscord):
            found.add(fake.token)
            for interaction in fake.interactions.values():
                found.add(interaction.token)
                if interaction.type == _MODAL_SUBMIT:
                    found.update(typed_keys(interaction.data))
    return {s for s in found if len(s) >= MIN_SECRET and s != ANONYMOUS_KEY}


def typed_keys(data: Any) -> Iterator[str]:
    """Values typed into modal fields whose custom_id names an API key."""
    if isinstance(data, dict):
        custom_id = str(data.get("custom_id", "")).lower()
        value = data.get("value")
        if isinstance(value, str) and ("apikey" in custom_id or "api-key" in custom_id):
            yield value.strip()
        for child in data.values():
            yield from typed_keys(child)
    elif isinstance(data, list):
        for child in data:
            yield from typed_keys(child)


def guard_secrets(funcargs: dict[str, Any], *, collect: bool = False) -> Iterator[SecretGuard]:
    """Generator body of the autouse fixture: capture, then assert nothing leaked.

    ``collect``: run the garbage collector before the check (~50 ms a test), so an asyncio
    task that died unobserved logs its exception while still captured. The reliability suite
    does, because its scenarios leave such tasks behind: collected later, inside pytest's own
    ``ast.parse``, their finaliser trips CPython 3.11.7's AST recursion check (SystemError).
    """
    with SecretGuard() as guard:
        yield guard
        if collect:
            gc.collect()
    fakes = [v for v in funcargs.values() if isinstance(v, FakeDiscord | FakeHorde)]
    leaks = guard.leaks(known_secrets(fakes), fakes)
    assert not leaks, f"secrets leaked: {leaks}"
