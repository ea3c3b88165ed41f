"""Errors typed by rc: the RC enum, each typed class, and that old except clauses still catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.horde import (
    RC,
    CannotDeleteMod,
    Forbidden,
    HordeError,
    HordeValidationError,
    InvalidAPIKey,
    KudosError,
    Locked,
    NameAlreadyExists,
    NotAdmin,
    NotModerator,
    NotOwner,
    NotPrivileged,
    NotTrusted,
    NoValidActions,
    NoValidWorkers,
    Profanity,
    RequiresCustomizer,
    SharedKeyEmpty,
    SharedKeyError,
    SharedKeyExpired,
    SharedKeyInsufficientKudos,
    SharedKeyNotFound,
    SharedKeyTooMany,
    TimeoutIP,
    TokenOverflow,
    TooLong,
    WorkerMaintenance,
)
from bot.horde.errors import error_from_response

RC_TABLE = Path(__file__).resolve().parents[2] / "data" / "rc_table.md"

# (status on the wire, rc, typed class, the class that status gave before typing)
TYPED = [
    (403, "NotOwner", NotOwner, Forbidden),
    (403, "NotModerator", NotModerator, Forbidden),
    (403, "NotUserOrMod", NotModerator, Forbidden),
    (403, "NotAdmin", NotAdmin, Forbidden),
    (403, "NotAllowedAwards", NotPrivileged, Forbidden),
    (403, "UntrustedTeamCreation", NotTrusted, Forbidden),
    (403, "StylesRequiresCustomizer", RequiresCustomizer, Forbidden),
    (403, "StylesAnonForbidden", RequiresCustomizer, Forbidden),
    (403, "CannotDeleteMod", CannotDeleteMod, Forbidden),
    (403, "TimeoutIP", TimeoutIP, Forbidden),
    (403, "UnsafeIP", TimeoutIP, Forbidden),
    (403, "WorkerMaintenance", WorkerMaintenance, Forbidden),
    (400, "WorkerNameAlreadyExists", NameAlreadyExists, HordeValidationError),
    (400, "TeamNameAlreadyExists", NameAlreadyExists, HordeValidationError),
    (400, "PolymorphicNameConflict", NameAlreadyExists, HordeValidationError),
    (400, "ProfaneWorkerName", Profanity, HordeValidationError),
    (400, "ProfaneTeamInfo", Profanity, HordeValidationError),
    (400, "ProfaneUserContact", Profanity, HordeValidationError),
    (400, "TooLongWorkerName", TooLong, HordeValidationError),
    (400, "TooLongUserName", TooLong, HordeValidationError),
    (400, "NoWorkerModSelected", NoValidActions, HordeValidationError),
    (400, "NoSharedKeyModSelected", NoValidActions, HordeValidationError),
    (400, "NoValidWorkers", NoValidWorkers, HordeValidationError),
    (400, "TokenOverflow", TokenOverflow, HordeValidationError),
    (423, "Locked", Locked, HordeError),
    (403, "SharedKeyEmpty", SharedKeyEmpty, Forbidden),
    (403, "SharedKeyInsufficientKudos", SharedKeyInsufficientKudos, KudosError),
    (400, "SharedKeyExpired", SharedKeyExpired, KudosError),
    (401, "SharedKeyInvalid", SharedKeyNotFound, InvalidAPIKey),
]


def _table_codes() -> set[str]:
    codes: set[str] = set()
    lines = RC_TABLE.read_text().splitlines()
    for line in lines:
        if line.startswith("| ") and not line.startswith("| rc "):
            codes.update(part.strip() for part in line.split("|")[1].split(" / "))
        if "enum-only / legacy" in line:
            codes.update(c.strip() for c in line.split(":", 1)[1].split(",") if c.strip())
    return codes


def test_rc_has_a_member_for_every_code_of_the_rc_table() -> None:
    codes = _table_codes()
    assert len(codes) > 150
    assert codes <= {member.value for member in RC}


@pytest.mark.parametrize(("status", "rc", "cls", "old"), TYPED)
def test_each_rc_maps_to_its_typed_class(
    status: int, rc: str, cls: type[HordeError], old: type[HordeError]
) -> None:
    error = error_from_response(status, {"message": "m", "rc": rc})
    assert type(error) is cls
    assert isinstance(error, old), "an except clause for the status class must still catch it"
    assert error.rc == rc
    assert error.rc is RC(rc)


def test_an_unknown_rc_stays_a_plain_string() -> None:
    error = error_from_response(403, {"message": "m", "rc": "BrandNewCode"})
    assert error.rc == "BrandNewCode"
    assert not isinstance(error.rc, RC)


def test_a_typed_rc_with_an_unexpected_status_keeps_the_status_class() -> None:
    # NotOwner is always 403; if it ever came as a 400, an ``except HordeValidationError``
    # written for the status must still catch it.
    error = error_from_response(400, {"message": "m", "rc": "NotOwner"})
    assert type(error) is HordeValidationError


@pytest.mark.parametrize(
    "cls",
    [SharedKeyEmpty, SharedKeyExpired, SharedKeyInsufficientKudos, SharedKeyNotFound],
)
def test_every_shared_key_error_is_one_family(cls: type[HordeError]) -> None:
    assert issubclass(cls, SharedKeyError)


def test_shared_key_errors_about_kudos_are_kudos_errors() -> None:
    for cls in (SharedKeyEmpty, SharedKeyExpired, SharedKeyInsufficientKudos):
        assert issubclass(cls, KudosError)


def test_the_other_shared_key_errors_keep_their_status_class() -> None:
    assert issubclass(SharedKeyNotFound, InvalidAPIKey)
    assert issubclass(SharedKeyTooMany, Forbidden)
    assert issubclass(SharedKeyTooMany, SharedKeyError)
