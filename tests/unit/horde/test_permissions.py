"""Who may do what, end to end: the fake Horde applies the live server's rules and the
client raises the typed error (still under its HTTP-status class)."""

from __future__ import annotations

import pytest

from bot.horde import (
    CannotDeleteMod,
    Forbidden,
    HordeClient,
    HordeValidationError,
    InvalidAPIKey,
    Locked,
    NameAlreadyExists,
    NotAdmin,
    NotModerator,
    NotOwner,
    NotPrivileged,
    NotTrusted,
    NoValidActions,
    RequiresCustomizer,
    SharedKeyNotFound,
    SharedKeyTooMany,
)
from tests.fakes.horde import FakeHorde, User
from tests.unit.horde.conftest import ALICE_KEY, MODEL

BOB_KEY = "bob-key-0123456789"
MOD_KEY = "mod-key-0123456789"


@pytest.fixture
def bob(fake_horde: FakeHorde, alice: User) -> User:
    fake_horde.rate_limits = False
    return fake_horde.add_user("bob", apikey=BOB_KEY)


@pytest.fixture
def mod(fake_horde: FakeHorde, bob: User) -> User:
    return fake_horde.add_user("mod", apikey=MOD_KEY, moderator=True)


async def test_a_stranger_changing_a_workers_info_is_not_owner(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    with pytest.raises(NotOwner) as raised:
        await horde.modify_worker(worker.id, info="mine now", apikey=BOB_KEY)
    assert isinstance(raised.value, Forbidden)
    assert worker.info == ""


async def test_a_stranger_renaming_a_worker_needs_a_moderator(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    with pytest.raises(NotModerator):
        await horde.modify_worker(worker.id, name="renamed", apikey=BOB_KEY)


async def test_only_a_moderator_may_pause_a_worker(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, mod: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    with pytest.raises(NotModerator):
        await horde.modify_worker(worker.id, paused=True)
    assert (await horde.modify_worker(worker.id, paused=True, apikey=MOD_KEY)).paused is True


async def test_an_empty_worker_change_is_no_valid_actions(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    with pytest.raises(NoValidActions) as raised:
        await horde.modify_worker(worker.id)
    assert raised.value.rc == "NoWorkerModSelected"


async def test_a_taken_worker_name_is_name_already_exists(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    fake_horde.add_worker("taken-name")
    with pytest.raises(NameAlreadyExists):
        await horde.modify_worker(worker.id, name="taken-name")


async def test_a_worker_busy_in_the_last_20_minutes_is_locked(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, clock
) -> None:
    fake_horde.rate_limits = False
    worker = fake_horde.add_worker("alices", owner=alice, models=[MODEL])
    await horde.generate_async("Hi", params={"max_length": 32}, models=[MODEL])
    fake_horde.evaluate()
    with pytest.raises(Locked) as raised:
        await horde.delete_worker(worker.id)
    assert raised.value.status == 423
    fake_horde.clock.advance(20 * 60 + 1)
    assert (await horde.delete_worker(worker.id)).deleted_id == worker.id


async def test_user_kudos_are_admin_only_and_contact_the_users_own(
    horde: HordeClient, alice: User, bob: User, mod: User
) -> None:
    with pytest.raises(NotAdmin):
        await horde.modify_user(bob.id, kudos=100, apikey=MOD_KEY)
    with pytest.raises(NotModerator) as raised:
        await horde.modify_user(alice.id, contact="bob@example.invalid", apikey=BOB_KEY)
    assert raised.value.rc == "NotUserOrMod"
    changed = await horde.modify_user(bob.id, contact="bob@example.invalid", apikey=BOB_KEY)
    assert changed.contact == "bob@example.invalid"


async def test_a_moderator_cannot_be_deleted(horde: HordeClient, mod: User) -> None:
    with pytest.raises(CannotDeleteMod):
        await horde.delete_user(mod.id, apikey=MOD_KEY)


async def test_maintenance_mode_needs_an_admin_raid_mode_a_moderator(
    horde: HordeClient, fake_horde: FakeHorde, mod: User
) -> None:
    with pytest.raises(NotAdmin):
        await horde.set_modes(maintenance_mode=True, apikey=MOD_KEY)
    with pytest.raises(NotModerator):
        await horde.set_modes(raid_mode=True)
    await horde.set_modes(raid_mode=True, apikey=MOD_KEY)
    assert (fake_horde.maintenance, fake_horde.raid_mode) == (False, True)


async def test_only_user_one_may_award_kudos(horde: HordeClient, alice: User, bob: User) -> None:
    with pytest.raises(NotPrivileged) as raised:
        await horde.award_kudos(alice.username, 5, apikey=BOB_KEY)
    assert raised.value.rc == "NotAllowedAwards"


async def test_teams_need_a_trusted_creator_and_a_free_name(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    with pytest.raises(NotTrusted):
        await horde.create_team("Blue")
    alice.trusted = True
    await horde.create_team("Blue")
    with pytest.raises(NameAlreadyExists):
        await horde.create_team("Blue")


async def test_a_fourth_shared_key_is_too_many_unless_trusted(
    horde: HordeClient, alice: User
) -> None:
    for _ in range(3):
        await horde.create_shared_key()
    with pytest.raises(SharedKeyTooMany) as raised:
        await horde.create_shared_key()
    assert isinstance(raised.value, Forbidden)
    alice.trusted = True
    assert (await horde.create_shared_key()).id


async def test_an_unknown_shared_key_is_not_found(horde: HordeClient, alice: User) -> None:
    with pytest.raises(SharedKeyNotFound) as raised:
        await horde.shared_key("no-such-key")
    assert isinstance(raised.value, InvalidAPIKey)
    with pytest.raises(SharedKeyNotFound):
        await horde.delete_shared_key("no-such-key")


async def test_someone_elses_shared_key_is_not_owner(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    key = fake_horde.records.add_shared_key(alice)
    with pytest.raises(NotOwner):
        await horde.modify_shared_key(key.id, kudos=1, apikey=BOB_KEY)
    with pytest.raises(InvalidAPIKey) as raised:
        await horde.delete_shared_key(key.id, apikey="unknown-key-01234")
    assert not isinstance(raised.value, SharedKeyNotFound)  # the caller's key, not the shared one


async def test_styles_need_a_customizer_and_a_name_of_their_own(
    horde: HordeClient, alice: User
) -> None:
    with pytest.raises(RequiresCustomizer):
        await horde.create_text_style("tale", "{p}", [MODEL])
    alice.customizer = True
    await horde.create_text_style("tale", "{p}", [MODEL])
    with pytest.raises(NameAlreadyExists):
        await horde.create_text_style("tale", "Once: {p}", [MODEL])


async def test_style_limits_are_checked_before_any_request(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    before = len(fake_horde.requests)
    with pytest.raises(HordeValidationError) as raised:
        await horde.create_text_style("tale", "no placeholder", [f"m{i}" for i in range(6)])
    assert set(raised.value.errors) == {"models", "prompt"}
    assert len(fake_horde.requests) == before


async def test_changing_a_style_keeps_what_the_caller_left_out(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    style = fake_horde.records.add_style("tale", alice, prompt="Once upon: {p}", public=False)
    with pytest.raises(NotOwner):
        await horde.modify_text_style(style.id, nsfw=True, apikey=BOB_KEY)
    await horde.modify_text_style(style.id, nsfw=True)
    assert (style.prompt, style.public, style.nsfw) == ("Once upon: {p}", False, True)


async def test_a_second_worker_message_within_a_minute_returns_the_first(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    first = await horde.send_worker_message("one", worker_id=worker.id)
    again = await horde.send_worker_message("two", worker_id=worker.id)
    assert (again.id, again.message) == (first.id, "one")
    fake_horde.clock.advance(61)
    assert (await horde.send_worker_message("three", worker_id=worker.id)).id != first.id


async def test_messages_go_only_to_ones_own_workers(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    worker = fake_horde.add_worker("alices", owner=alice)
    with pytest.raises(Forbidden) as raised:
        await horde.send_worker_message("hey", worker_id=worker.id, apikey=BOB_KEY)
    assert raised.value.rc == "MessagesOnlyOwnWorkers"


async def test_filters_are_for_moderators(horde: HordeClient, alice: User) -> None:
    with pytest.raises(NotModerator):
        await horde.filters()


async def test_a_model_name_with_a_slash_is_refused_before_any_request(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    before = len(fake_horde.requests)
    with pytest.raises(HordeValidationError):
        await horde.model(MODEL)
    assert len(fake_horde.requests) == before


async def test_the_key_is_never_in_a_permission_error(
    horde: HordeClient, fake_horde: FakeHorde, alice: User, bob: User
) -> None:
    worker = fake_horde.add_worker("bobs", owner=bob)
    with pytest.raises(NotOwner) as raised:
        await horde.modify_worker(worker.id, info="x")
    assert ALICE_KEY not in f"{raised.value} {raised.value!r}"
