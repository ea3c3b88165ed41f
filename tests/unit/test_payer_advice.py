"""Advice fits the key that paid: own key, the server's sponsor key, or the bot's default key."""

from __future__ import annotations

from bot.generation import ErrorKind, Payer
from bot.ui.horde_messages import describe_failure


def test_own_key_concurrency_limit_does_not_tell_a_logged_in_member_to_log_in() -> None:
    text = describe_failure(ErrorKind.TOO_MANY_PROMPTS, "TooManyPrompts", "x", payer=Payer.OWN)
    assert "your own key" in text
    assert "/login" not in text


def test_sponsor_and_default_limits_name_whose_limit_it_is() -> None:
    sponsor = describe_failure(ErrorKind.TOO_MANY_PROMPTS, None, "x", payer=Payer.SPONSOR)
    default = describe_failure(ErrorKind.TOO_MANY_PROMPTS, None, "x", payer=Payer.DEFAULT)
    assert "sponsor key" in sponsor
    assert "/login" in sponsor
    assert "shared key" in default
    assert "/login" in default
    assert sponsor != default


def test_kudos_upfront_for_own_key_suggests_earning_not_logging_in() -> None:
    text = describe_failure(ErrorKind.KUDOS, "KudosUpfront", "x", payer=Payer.OWN)
    assert "/login" not in text
    assert "kudos" in text


def test_spent_shared_key_words_by_payer() -> None:
    sponsor = describe_failure(ErrorKind.KUDOS, "SharedKeyExpired", "x", payer=Payer.SPONSOR)
    own = describe_failure(ErrorKind.KUDOS, "SharedKeyEmpty", "x", payer=Payer.OWN)
    assert "expired" in sponsor
    assert "a moderator sets a new one" in sponsor
    assert "no kudos left" in own
    assert "moderator" not in own


def test_without_payer_the_general_words_stay() -> None:
    text = describe_failure(ErrorKind.TOO_MANY_PROMPTS, None, "x")
    assert "`/login` with your own key" in text
