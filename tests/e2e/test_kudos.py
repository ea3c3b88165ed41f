"""/kudos balance and /kudos transfer through the fake Discord and the fake Horde."""

from __future__ import annotations

import asyncio

import pytest

from bot.bot import HordeBot
from bot.horde.errors import KudosError
from bot.ui.kudos_views import TRANSFER_RC_MESSAGES, describe_transfer_error
from tests.e2e.botkit import World, log_in, view_ready
from tests.fakes.discord import FakeDiscord, FakeInteraction, FakeMessage
from tests.fakes.horde import FakeHorde, User

TRANSFER_PATH = "/v2/kudos/transfer"


# The extension the shared ``bot`` fixture (tests/e2e/conftest.py) loads.
COG = "cogs.kudos"


@pytest.fixture
def horde_alice(fake_horde: FakeHorde) -> User:
    return fake_horde.add_user("alice", kudos=1000.0)


@pytest.fixture
def horde_bob(fake_horde: FakeHorde) -> User:
    return fake_horde.add_user("bob", kudos=50.0)


@pytest.fixture
async def logged_in(bot: HordeBot, world: World, horde_alice: User, horde_bob: User) -> None:
    await log_in(bot, world.alice, horde_alice)
    await log_in(bot, world.bob, horde_bob)


async def ask_transfer(
    discord_fake: FakeDiscord, world: World, amount: int, **target: object
) -> FakeInteraction:
    ia = await discord_fake.send_slash(
        "kudos transfer", {"amount": amount, **target}, user=world.alice, channel=world.channel
    )
    await ia.wait_for_response()
    return ia


async def preview(
    discord_fake: FakeDiscord, world: World, amount: int, **target: object
) -> FakeMessage:
    ia = await ask_transfer(discord_fake, world, amount, **target)
    msg = await ia.wait_for_original(lambda m: "Confirm" in m.buttons())
    return await view_ready(world, discord_fake, msg)


async def confirm(discord_fake: FakeDiscord, msg: FakeMessage, world: World) -> FakeMessage:
    """Press Confirm and return the message once it shows the outcome."""
    edits_before = discord_fake.messages[msg.id].edits
    await discord_fake.click(msg, label="Confirm", user=world.alice)

    def settled() -> FakeMessage | None:
        current = discord_fake.messages[msg.id]
        changed = current.edits > edits_before + 1 or (
            current.edits > edits_before and "Sending" not in current.content
        )
        return current if changed and "Sending" not in current.content else None

    return await discord_fake.wait_for(settled, timeout=5)


async def transfer_outcome(
    discord_fake: FakeDiscord, world: World, amount: int, **target: object
) -> str:
    msg = await preview(discord_fake, world, amount, **target)
    return (await confirm(discord_fake, msg, world)).content


# --- balance ----------------------------------------------------------------------------


@pytest.mark.usefixtures("logged_in")
async def test_balance_shows_the_horde_username_and_kudos(
    discord_fake: FakeDiscord, world: World, horde_alice: User
) -> None:
    ia = await discord_fake.send_slash("kudos balance", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.embeds))
    assert horde_alice.username in msg.text()
    assert "1,000" in msg.text()
    assert msg.ephemeral


@pytest.mark.usefixtures("bot")
async def test_balance_without_login_explains_how_to_log_in(
    discord_fake: FakeDiscord, world: World
) -> None:
    ia = await discord_fake.send_slash("kudos balance", {}, user=world.alice, channel=world.channel)
    msg = await ia.wait_for_original(lambda m: bool(m.content))
    assert "/login" in msg.content
    assert msg.ephemeral


# --- transfer: the happy path and its confirmation ------------------------------------


@pytest.mark.usefixtures("logged_in")
async def test_the_preview_names_the_receiver_and_sends_nothing_yet(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, horde_bob: User
) -> None:
    msg = await preview(discord_fake, world, 100, member=world.bob)
    assert horde_bob.username in msg.content
    assert msg.buttons() == ["Confirm", "Cancel"]
    assert msg.ephemeral
    assert fake_horde.requests_to(TRANSFER_PATH) == []


@pytest.mark.usefixtures("logged_in")
async def test_a_confirmed_transfer_to_a_member_moves_the_kudos_once(
    discord_fake: FakeDiscord, world: World, horde_alice: User, horde_bob: User
) -> None:
    content = await transfer_outcome(discord_fake, world, 100, member=world.bob)
    assert "Sent **100** kudos" in content
    assert "30 s" in content
    assert (horde_alice.kudos, horde_bob.kudos) == (900.0, 150.0)


@pytest.mark.usefixtures("logged_in")
async def test_a_transfer_by_username_reaches_that_user(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    carol = fake_horde.add_user("carol", kudos=0.0)
    await transfer_outcome(discord_fake, world, 25, username=carol.username)
    assert carol.kudos == 25.0


@pytest.mark.usefixtures("logged_in")
async def test_a_double_click_on_confirm_sends_once(
    discord_fake: FakeDiscord,
    fake_horde: FakeHorde,
    world: World,
    horde_alice: User,
    horde_bob: User,
) -> None:
    msg = await preview(discord_fake, world, 100, member=world.bob)
    await asyncio.gather(
        discord_fake.click(msg, label="Confirm", user=world.alice),
        discord_fake.click(msg, label="Confirm", user=world.alice),
    )
    await discord_fake.wait_for(lambda: "Sent" in discord_fake.messages[msg.id].content, 5)
    assert (horde_alice.kudos, horde_bob.kudos) == (900.0, 150.0)
    assert len(fake_horde.requests_to(TRANSFER_PATH, "POST")) == 1


@pytest.mark.usefixtures("logged_in")
async def test_after_the_horde_was_unreachable_a_retry_reuses_the_idempotency_key(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, horde_bob: User
) -> None:
    bot.services.horde.retries = 0
    fake_horde.inject_fault("POST", TRANSFER_PATH, kind="503", count=1)
    msg = await preview(discord_fake, world, 10, member=world.bob)
    first = await confirm(discord_fake, msg, world)
    assert "try again" in first.content
    second = await confirm(discord_fake, first, world)
    assert "Sent **10** kudos" in second.content
    keys = {r.headers.get("Idempotency-Key") for r in fake_horde.requests_to(TRANSFER_PATH)}
    assert len(fake_horde.requests_to(TRANSFER_PATH)) == 2
    assert len(keys) == 1
    assert horde_bob.kudos == 60.0


@pytest.mark.usefixtures("logged_in")
async def test_another_member_cannot_press_confirm(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await preview(discord_fake, world, 100, member=world.bob)
    ia = await discord_fake.click(msg, label="Confirm", user=world.bob)
    await ia.wait_for_response()
    assert "Only the member who ran this command" in (ia.response or {}).get("data", {}).get(
        "content", ""
    )
    assert fake_horde.requests_to(TRANSFER_PATH) == []


@pytest.mark.usefixtures("logged_in")
async def test_confirm_after_sixty_seconds_sends_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, horde_alice: User
) -> None:
    msg = await preview(discord_fake, world, 100, member=world.bob)
    fake_horde.clock.advance(61)
    await discord_fake.click(msg, label="Confirm", user=world.alice)
    await discord_fake.wait_for(lambda: "expired" in discord_fake.messages[msg.id].content, 5)
    assert horde_alice.kudos == 1000.0
    assert fake_horde.requests_to(TRANSFER_PATH) == []


@pytest.mark.usefixtures("logged_in")
async def test_an_unanswered_confirmation_expires_and_disables_its_buttons(
    bot: HordeBot, discord_fake: FakeDiscord, world: World
) -> None:
    cog = bot.get_cog("Kudos")
    assert cog is not None
    cog.confirm_timeout = 0.3  # type: ignore[attr-defined]
    ia = await ask_transfer(discord_fake, world, 100, member=world.bob)
    msg = await ia.wait_for_original(lambda m: "expired" in m.content, timeout=5)
    buttons = [c for c in msg.iter_components() if c.get("type") == 2]
    assert buttons
    assert all(b.get("disabled") for b in buttons)


@pytest.mark.usefixtures("logged_in")
async def test_cancel_sends_nothing(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    msg = await preview(discord_fake, world, 100, member=world.bob)
    await discord_fake.click(msg, label="Cancel", user=world.alice)
    await discord_fake.wait_for(lambda: "cancelled" in discord_fake.messages[msg.id].content, 5)
    assert fake_horde.requests_to(TRANSFER_PATH) == []


# --- transfer: refused before anything is sent ------------------------------------------


async def refusal(ia: FakeInteraction) -> str:
    msg = await ia.wait_for_original(lambda m: bool(m.content))
    assert msg.ephemeral
    assert "Confirm" not in msg.buttons()
    return msg.content


@pytest.mark.usefixtures("logged_in")
async def test_a_member_who_has_not_logged_in_cannot_receive(
    discord_fake: FakeDiscord, world: World
) -> None:
    ia = await ask_transfer(discord_fake, world, 10, member=world.mod)
    assert "has not used `/login`" in await refusal(ia)


@pytest.mark.usefixtures("logged_in")
async def test_both_member_and_username_are_refused(
    discord_fake: FakeDiscord, world: World, horde_bob: User
) -> None:
    ia = await ask_transfer(discord_fake, world, 10, member=world.bob, username=horde_bob.username)
    assert "exactly one" in await refusal(ia)


@pytest.mark.usefixtures("logged_in")
async def test_no_receiver_is_refused(discord_fake: FakeDiscord, world: World) -> None:
    ia = await ask_transfer(discord_fake, world, 10)
    assert "exactly one" in await refusal(ia)


@pytest.mark.usefixtures("logged_in")
async def test_a_malformed_username_is_refused(discord_fake: FakeDiscord, world: World) -> None:
    ia = await ask_transfer(discord_fake, world, 10, username="bob")
    assert "alias#1234" in await refusal(ia)


@pytest.mark.usefixtures("logged_in")
async def test_sending_to_yourself_as_a_member_is_refused(
    discord_fake: FakeDiscord, world: World
) -> None:
    ia = await ask_transfer(discord_fake, world, 10, member=world.alice)
    assert "yourself" in await refusal(ia)


@pytest.mark.usefixtures("bot")
async def test_sending_without_login_is_refused(discord_fake: FakeDiscord, world: World) -> None:
    ia = await ask_transfer(discord_fake, world, 10, username="bob#2")
    assert "/login" in await refusal(ia)


# --- transfer: every refusal the Horde can give, in plain words -------------------------


@pytest.mark.usefixtures("logged_in")
async def test_sending_to_your_own_username_is_explained(
    discord_fake: FakeDiscord, world: World, horde_alice: User
) -> None:
    content = await transfer_outcome(discord_fake, world, 10, username=horde_alice.username)
    assert TRANSFER_RC_MESSAGES["KudosTransferToSelf"] in content


@pytest.mark.usefixtures("logged_in")
async def test_an_unknown_username_is_explained(discord_fake: FakeDiscord, world: World) -> None:
    content = await transfer_outcome(discord_fake, world, 10, username="nobody#999")
    assert TRANSFER_RC_MESSAGES["InvalidTargetUsername"] in content


@pytest.mark.usefixtures("logged_in")
async def test_not_enough_kudos_is_explained(
    discord_fake: FakeDiscord, world: World, horde_alice: User
) -> None:
    content = await transfer_outcome(discord_fake, world, 5000, member=world.bob)
    assert TRANSFER_RC_MESSAGES["KudosTransferNotEnough"] in content
    assert horde_alice.kudos == 1000.0


@pytest.mark.usefixtures("logged_in")
async def test_a_second_transfer_within_a_minute_is_explained(
    discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World
) -> None:
    await transfer_outcome(discord_fake, world, 10, member=world.bob)
    fake_horde.clock.advance(5)  # past the 1/s rate limit, inside the Horde's minute
    content = await transfer_outcome(discord_fake, world, 10, member=world.bob)
    assert TRANSFER_RC_MESSAGES["TooFastKudosTransfers"] in content


@pytest.mark.usefixtures("logged_in")
async def test_sending_to_the_anonymous_account_is_explained(
    discord_fake: FakeDiscord, world: World
) -> None:
    content = await transfer_outcome(discord_fake, world, 10, username="Anonymous#0")
    assert TRANSFER_RC_MESSAGES["KudosTransferToAnon"] in content


async def test_sending_from_the_anonymous_account_is_explained(
    bot: HordeBot, discord_fake: FakeDiscord, fake_horde: FakeHorde, world: World, horde_bob: User
) -> None:
    await log_in(bot, world.alice, fake_horde.anonymous)
    content = await transfer_outcome(discord_fake, world, 10, username=horde_bob.username)
    assert TRANSFER_RC_MESSAGES["KudosTransferFromAnon"] in content


@pytest.mark.parametrize("rc", sorted(TRANSFER_RC_MESSAGES))
def test_every_transfer_rc_has_its_own_plain_message(rc: str) -> None:
    error = KudosError("raw server text", status=400, rc=rc)
    message = describe_transfer_error(error)
    assert message == TRANSFER_RC_MESSAGES[rc]
    assert "raw server text" not in message


def test_an_rc_with_a_trailing_dot_is_still_recognised() -> None:
    error = KudosError("raw", status=400, rc="KudosTransferNotEnough.")
    assert describe_transfer_error(error) == TRANSFER_RC_MESSAGES["KudosTransferNotEnough"]
