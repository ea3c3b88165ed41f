"""A shared key as the requester's key, and a style on a request, end to end."""

from __future__ import annotations

import pytest

from bot.horde import HordeClient, InvalidAPIKey, KudosError, SharedKeyEmpty, SharedKeyError
from tests.fakes.horde import FakeHorde, User
from tests.unit.horde.conftest import MODEL


async def test_a_request_with_a_shared_key_is_its_owners_and_uses_its_kudos(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    key = fake_horde.records.add_shared_key(alice, kudos=1000)
    queued = await horde.generate_async("Hi", params={"max_length": 64}, apikey=key.id)
    request = fake_horde.get_request(queued.id)
    assert request is not None
    assert request.user is alice
    assert key.utilized > 0


async def test_an_empty_shared_key_is_shared_key_empty(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    key = fake_horde.records.add_shared_key(alice, kudos=10, utilized=10)
    with pytest.raises(SharedKeyEmpty) as raised:
        await horde.generate_async("Hi", params={"max_length": 64}, apikey=key.id)
    assert isinstance(raised.value, SharedKeyError)
    assert isinstance(raised.value, KudosError)
    assert raised.value.status == 403


async def test_an_empty_shared_key_with_allow_downgrade_goes_anonymous(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    key = fake_horde.records.add_shared_key(alice, kudos=10, utilized=10)
    queued = await horde.generate_async(
        "Hi", params={"max_length": 64}, allow_downgrade=True, apikey=key.id
    )
    request = fake_horde.get_request(queued.id)
    assert request is not None
    assert request.user.is_anonymous


async def test_a_deleted_shared_key_is_an_invalid_key(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    key = fake_horde.records.add_shared_key(alice)
    await horde.delete_shared_key(key.id)
    with pytest.raises(InvalidAPIKey):
        await horde.generate_async("Hi", params={"max_length": 64}, apikey=key.id)


async def test_a_style_replaces_params_and_models_and_wraps_the_prompt(
    horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    style = fake_horde.records.add_style(
        "tale", alice, prompt="Tell a tale: {p}", models=[MODEL], params={"max_length": 40}
    )
    queued = await horde.generate_async(
        "dragons", params={"max_length": 200, "n": 2}, models=["other"], style=style.id
    )
    request = fake_horde.get_request(queued.id)
    assert request is not None
    assert request.prompt == "Tell a tale: dragons"
    assert (request.models, request.max_length, request.requested_n) == ([MODEL], 40, 2)
    assert fake_horde.requests_to("/v2/generate/text/async")[-1].json["style"] == style.id
