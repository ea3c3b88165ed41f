"""Mapping of the Horde's error answers to error classes (pure, no server)."""

from __future__ import annotations

import pytest

from bot.horde import (
    Forbidden,
    HordeUnavailable,
    HordeValidationError,
    InvalidAPIKey,
    KudosError,
    Locked,
    MaintenanceMode,
    NotFound,
    NotModerator,
    RateLimited,
    SharedKeyInsufficientKudos,
    TimeoutIP,
    TokenOverflow,
    TooManyPrompts,
)
from bot.horde.errors import KUDOS_RCS, error_from_response


@pytest.mark.parametrize(
    ("status", "rc", "cls"),
    [
        (400, "MaintenanceMode", MaintenanceMode),
        (400, "MissingPrompt", HordeValidationError),
        (400, "TokenOverflow", TokenOverflow),
        (400, "KudosTransferToSelf", KudosError),
        (400, "TooFastKudosTransfers", KudosError),
        (401, "InvalidAPIKey", InvalidAPIKey),
        (403, "KudosUpfront", KudosError),
        (403, "SharedKeyInsufficientKudos", SharedKeyInsufficientKudos),
        (403, "NotModerator", NotModerator),
        (403, "TimeoutIP", TimeoutIP),
        (403, "WrongCredentials", Forbidden),
        (404, "RequestNotFound", NotFound),
        (404, "UserNotFound", NotFound),
        (404, "WorkerNotFound", NotFound),
        (404, "InvalidJobID", NotFound),
        (410, "RequestExpired", NotFound),
        (429, "TooManyPrompts", TooManyPrompts),
        (500, None, HordeUnavailable),
        (423, "Locked", Locked),
    ],
)
def test_rc_and_status_map_to_a_class(status: int, rc: str | None, cls: type) -> None:
    body = {"message": "something", "rc": rc}
    error = error_from_response(status, body)
    assert type(error) is cls
    assert (error.status, error.rc) == (status, rc)


def test_every_kudos_rc_is_a_kudos_error() -> None:
    for rc in KUDOS_RCS:
        assert isinstance(error_from_response(400, {"message": "m", "rc": rc}), KudosError)


def test_an_unknown_rc_maps_on_the_status() -> None:
    error = error_from_response(403, {"message": "new", "rc": "SomethingNew."})
    assert type(error) is Forbidden
    assert error.rc == "SomethingNew."


def test_a_429_without_rc_is_rate_limited_with_retry_after() -> None:
    error = error_from_response(429, {"message": "2 per 1 second"}, retry_after=1.0)
    assert type(error) is RateLimited
    assert error.retry_after == 1.0


def test_a_validation_body_keeps_its_field_errors() -> None:
    body = {
        "message": "Input payload validation failed",
        "errors": {"params.n": "50 is greater than the maximum of 20"},
    }
    error = error_from_response(400, body)
    assert type(error) is HordeValidationError
    assert error.errors == {"params.n": "50 is greater than the maximum of 20"}
    assert "params.n" in str(error)


def test_a_404_without_rc_means_no_such_route() -> None:
    assert type(error_from_response(404, None)) is HordeUnavailable


def test_flask_did_you_mean_is_stripped_from_404_messages() -> None:
    message = (
        "Request not found. You have requested this URI [/api/v2/generate/text/status/x] "
        "but did you mean /api/v2/generate/text/status/<string:id> ?"
    )
    error = error_from_response(404, {"message": message, "rc": "RequestNotFound"})
    assert error.message == "Request not found."


def test_str_is_short_and_names_rc_and_status() -> None:
    error = error_from_response(429, {"message": "Too many prompts", "rc": "TooManyPrompts"})
    assert str(error) == "Too many prompts (TooManyPrompts, HTTP 429)"


def test_long_messages_are_shortened() -> None:
    assert len(error_from_response(500, {"message": "x" * 5000}).message) <= 300


def test_a_client_side_error_has_no_status() -> None:
    error = HordeValidationError("prompt: empty", errors={"prompt": "empty"})
    assert error.status is None
    assert str(error) == "prompt: empty"


def test_secrets_echoed_by_the_server_are_blanked() -> None:
    key = "alice-key-0123456789"
    error = error_from_response(
        401, {"message": f"bad key {key}", "rc": "InvalidAPIKey"}, secrets=(key,)
    )
    assert key not in str(error)
    assert key not in repr(error)
