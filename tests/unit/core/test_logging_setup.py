"""Redaction covers every logger, level and handler, by structure and by known value."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator

import pytest

from bot.logging_setup import REDACTED, install_redaction, redact, register_secret, setup_logging

APP_ID = 1234567890123456789


def make_secret(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(16)}"


@pytest.fixture(autouse=True)
def redaction() -> None:
    install_redaction()


@pytest.fixture
def debug_caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def handler_output() -> Iterator[io.StringIO]:
    """A plain handler on the root logger, as an operator's own logging setup would add."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def modal_submit_event(apikey: str, interaction_token: str) -> dict[str, object]:
    """An INTERACTION_CREATE gateway event for a submitted /login modal, as Discord sends it."""
    return {
        "t": "INTERACTION_CREATE",
        "s": 7,
        "op": 0,
        "d": {
            "type": 5,
            "token": interaction_token,
            "id": "1300000000000000001",
            "application_id": str(APP_ID),
            "guild_id": "1200000000000000000",
            "member": {"user": {"id": "1100000000000000000", "username": "alice"}},
            "data": {
                "custom_id": "login:modal",
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 4, "custom_id": "apikey", "value": apikey}],
                    }
                ],
            },
        },
    }


def test_modal_submission_logged_by_discord_gateway_hides_key_and_token(
    debug_caplog: pytest.LogCaptureFixture, handler_output: io.StringIO
) -> None:
    apikey, token = make_secret("typed"), f"aW50ZXJhY3Rpb246{secrets.token_urlsafe(40)}"
    event = modal_submit_event(apikey, token)
    logging.getLogger("discord.gateway").debug("For Shard ID %s: WebSocket Event: %s", None, event)
    for text in (debug_caplog.text, handler_output.getvalue()):
        assert apikey not in text
        assert token not in text
        assert "INTERACTION_CREATE" in text
        assert "login:modal" in text


def test_modal_submission_as_json_hides_the_typed_key(
    debug_caplog: pytest.LogCaptureFixture,
) -> None:
    apikey = make_secret("typed")
    payload = json.dumps(modal_submit_event(apikey, make_secret("tok")))
    logging.getLogger("discord.gateway").debug("Received %s", payload)
    assert apikey not in debug_caplog.text
    assert f'"value": "{REDACTED}"' in debug_caplog.text


def test_discord_http_request_line_hides_interaction_token(
    debug_caplog: pytest.LogCaptureFixture,
) -> None:
    token = f"aW50ZXJhY3Rpb246{secrets.token_urlsafe(40)}"
    url = f"https://discord.example/api/v10/interactions/1300000000000000001/{token}/callback"
    body = json.dumps({"type": 4, "data": {"content": "Logged in as alice#42", "flags": 64}})
    logging.getLogger("discord.http").debug("%s %s with %s has returned %s", "POST", url, body, 204)
    assert token not in debug_caplog.text
    assert "Logged in as alice#42" in debug_caplog.text
    assert "/interactions/1300000000000000001/" in debug_caplog.text


def test_webhook_url_token_is_hidden(debug_caplog: pytest.LogCaptureFixture) -> None:
    token = secrets.token_urlsafe(50)
    url = f"https://discord.example/api/v10/webhooks/{APP_ID}/{token}/messages/@original"
    logging.getLogger("discord.webhook.async_").debug("PATCH %s has returned 200", url)
    assert token not in debug_caplog.text
    assert f"/webhooks/{APP_ID}/{REDACTED}/messages/@original" in debug_caplog.text


def test_apikey_header_in_a_dict_is_hidden(debug_caplog: pytest.LogCaptureFixture) -> None:
    apikey = make_secret("hdr")
    headers = {"apikey": apikey, "Client-Agent": "horde-text-bot:0.1.0:x"}
    logging.getLogger("aiohttp.client").debug("request headers %s", headers)
    assert apikey not in debug_caplog.text
    assert "horde-text-bot:0.1.0:x" in debug_caplog.text


def test_apikey_in_query_string_is_hidden(debug_caplog: pytest.LogCaptureFixture) -> None:
    apikey = make_secret("qs")
    logging.getLogger("some.library").info("GET /v2/find_user?apikey=%s&page=2", apikey)
    assert apikey not in debug_caplog.text
    assert "page=2" in debug_caplog.text


def test_bot_authorization_value_is_hidden(debug_caplog: pytest.LogCaptureFixture) -> None:
    bot_token = f"MTEwMDAwMDAwMDAwMDAwMDAw.GhIjKl.{secrets.token_urlsafe(30)}"
    logging.getLogger("discord.http").debug("headers: %r", {"Authorization": f"Bot {bot_token}"})
    logging.getLogger("discord.client").warning("token was %s", bot_token)
    assert bot_token not in debug_caplog.text
    assert bot_token.split(".")[2] not in debug_caplog.text


def test_fernet_token_is_hidden(debug_caplog: pytest.LogCaptureFixture) -> None:
    from cryptography.fernet import Fernet

    token = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    logging.getLogger("bot.storage").debug("row %s", token)
    assert token not in debug_caplog.text


def test_registered_secret_in_exception_and_traceback_is_hidden(
    debug_caplog: pytest.LogCaptureFixture, handler_output: io.StringIO
) -> None:
    secret = make_secret("reg")
    register_secret(secret)
    try:
        raise RuntimeError(f"the server rejected {secret}")
    except RuntimeError:
        logging.getLogger("discord.client").exception("Ignoring exception in on_message")
    for text in (debug_caplog.text, handler_output.getvalue()):
        assert secret not in text
        assert "Traceback (most recent call last)" in text
        assert "RuntimeError: the server rejected [REDACTED]" in text


def test_registered_secret_is_hidden_in_stack_info(debug_caplog: pytest.LogCaptureFixture) -> None:
    secret = make_secret("stack")
    register_secret(secret)
    logging.getLogger("x").warning("here", stack_info=True)
    logging.getLogger("x").warning("key %s", secret, stack_info=True)
    assert secret not in debug_caplog.text
    assert "Stack (most recent call last)" in debug_caplog.text


def test_short_secret_is_not_registered(debug_caplog: pytest.LogCaptureFixture) -> None:
    register_secret("abc12")
    logging.getLogger("x").info("value abc12 stays")
    assert "value abc12 stays" in debug_caplog.text


def test_dict_argument_logging_is_redacted(debug_caplog: pytest.LogCaptureFixture) -> None:
    secret = make_secret("map")
    register_secret(secret)
    logging.getLogger("x").info("key=%(k)s user=%(u)s", {"k": secret, "u": "alice"})
    assert secret not in debug_caplog.text
    assert "user=alice" in debug_caplog.text


def test_bad_log_arguments_do_not_raise(debug_caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("x").info("two %s %s", "one")
    assert "could not be formatted" in debug_caplog.text


def test_slash_command_option_values_survive() -> None:
    text = str({"type": 2, "data": {"name": "generate", "options": [{"value": "a cat"}]}})
    assert redact(text) == text


def test_plain_text_is_unchanged() -> None:
    text = "Generation 3f2a queued at position 4 (model koboldcpp/Llama-3, 160 tokens)"
    assert redact(text) == text


def test_setup_logging_twice_installs_one_handler() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        setup_logging("info")
        setup_logging("debug")
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1
        assert root.level == logging.DEBUG
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)


def test_setup_logging_handler_redacts_records_made_without_the_factory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = make_secret("direct")
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        setup_logging("INFO", secrets=[secret])
        record = logging.makeLogRecord(
            {"name": "q", "levelno": 20, "levelname": "INFO", "msg": f"k {secret}"}
        )
        logging.getLogger("q").handle(record)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "k [REDACTED]" in err
    assert secret not in err
