"""The webhook registry: unguessable paths, digests only, and every verdict counted."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.webhooks import Verdict, WebhookRegistry
from bot.webhooks.registry import digest_of

BASE = "https://bot.example.org/horde-hooks"


def _token(url: str) -> str:
    assert url.startswith(BASE + "/")
    return url[len(BASE) + 1 :]


def test_each_submit_gets_a_fresh_unguessable_path() -> None:
    registry = WebhookRegistry(BASE + "/")
    first, second = registry.open(1), registry.open(2)
    assert first != second
    assert len(_token(first)) >= 40


def test_an_accepted_call_wakes_its_job_once_per_generation() -> None:
    woken: list[int] = []
    registry = WebhookRegistry(BASE)
    registry.set_wake(woken.append)
    token = _token(registry.open(7))
    digest = registry.bind(7, "req-7")
    assert digest == digest_of(token)
    assert token not in digest
    body = {"id": "gen-1", "request": "req-7"}
    assert registry.claim(token, body) == (Verdict.ACCEPTED, 7)
    assert registry.claim(token, body) == (Verdict.REPLAYED, None)
    assert registry.claim(token, {"id": "gen-2", "request": "req-7"}) == (Verdict.ACCEPTED, 7)
    assert woken == [7, 7]


def test_forged_calls_are_ignored_and_counted() -> None:
    registry = WebhookRegistry(BASE)
    token = _token(registry.open(1))
    registry.bind(1, "req-1")
    assert registry.claim("guess", {"id": "g", "request": "req-1"})[0] is Verdict.UNKNOWN
    assert registry.claim(token, {"id": "g", "request": "other"})[0] is Verdict.MISMATCHED
    assert registry.claim(token, "text")[0] is Verdict.MALFORMED
    registry.close(1)
    assert registry.claim(token, {"id": "g", "request": "req-1"})[0] is Verdict.REPLAYED
    assert registry.counts == {
        Verdict.UNKNOWN: 1,
        Verdict.MISMATCHED: 1,
        Verdict.MALFORMED: 1,
        Verdict.REPLAYED: 1,
    }


def test_a_call_before_the_horde_id_is_known_is_not_accepted() -> None:
    registry = WebhookRegistry(BASE)
    token = _token(registry.open(1))
    assert registry.claim(token, {"id": "g", "request": "req-1"})[0] is Verdict.MISMATCHED


def test_a_restored_digest_recognises_the_path_after_a_restart() -> None:
    before = WebhookRegistry(BASE)
    token = _token(before.open(3))
    digest = before.bind(3, "req-3")
    assert digest is not None
    after = WebhookRegistry(BASE)
    after.restore(3, "req-3", digest)
    assert after.claim(token, {"id": "g", "request": "req-3"}) == (Verdict.ACCEPTED, 3)


ENV = {"DISCORD_TOKEN": "x" * 59 + ".abcdef.ghijklmnopqrstuvwxyzABCDEFGHIJKL"}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"HORDE_WEBHOOK_URL": BASE}, "HORDE_WEBHOOK_LISTEN"),
        ({"HORDE_WEBHOOK_LISTEN": "127.0.0.1:8787"}, "HORDE_WEBHOOK_URL"),
        (
            {"HORDE_WEBHOOK_URL": "http://bot.example.org/h", "HORDE_WEBHOOK_LISTEN": ":1"},
            "HORDE_WEBHOOK_URL",
        ),
        (
            {
                "HORDE_WEBHOOK_URL": BASE,
                "HORDE_WEBHOOK_LISTEN": "0.0.0.0:8787",
                "HORDE_WEBHOOK_POLL_SECONDS": "5",
            },
            "HORDE_WEBHOOK_POLL_SECONDS",
        ),
    ],
)
def test_webhook_settings_are_checked(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({**ENV, **env})
    assert error.value.variable == variable


def test_webhook_mode_is_off_by_default_and_on_with_both_settings() -> None:
    assert Settings.from_env(ENV).horde_webhook_url is None
    on = Settings.from_env(
        {**ENV, "HORDE_WEBHOOK_URL": BASE + "/", "HORDE_WEBHOOK_LISTEN": "127.0.0.1:8787"}
    )
    assert on.horde_webhook_url == BASE
    assert on.horde_webhook_listen == ("127.0.0.1", 8787)
    assert on.horde_webhook_poll_seconds == 60
