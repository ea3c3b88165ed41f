"""Which requests carry which key, the Client-Agent header, and never an image path."""

from __future__ import annotations

import inspect

import pytest

from bot.horde import HordeClient, HordeUnavailable, HordeValidationError
from tests.fakes.horde import FakeHorde
from tests.unit.horde.calls import CALLS, WITHOUT_APIKEY_ARG, prepare, run
from tests.unit.horde.conftest import AGENT, ALICE_KEY

OTHER_KEY = "other-key-9876543210"
IMAGE_PATHS = (
    "/v2/generate/async",
    "/v2/generate/status",
    "/v2/generate/check",
    "/v2/generate/pop",
    "/v2/generate/submit",
)
KEY_REQUIRED = sorted(name for name, (_, required) in CALLS.items() if required)
KEY_OPTIONAL = sorted(name for name, (_, required) in CALLS.items() if not required)
OPTIONAL_WITH_ARG = sorted(set(KEY_OPTIONAL) - WITHOUT_APIKEY_ARG)


def test_every_public_method_has_a_representative_call() -> None:
    public = {
        name
        for name, member in inspect.getmembers(HordeClient, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in {"close", "generate_sync"}
    }
    assert public == set(CALLS)


@pytest.mark.parametrize("name", KEY_REQUIRED)
async def test_methods_needing_a_key_send_the_default_key(
    name: str, horde: HordeClient, fake_horde: FakeHorde, alice
) -> None:
    ids = await prepare(fake_horde, horde, alice)
    before = len(fake_horde.requests)
    await run(name, horde, ids, retries=0)
    # The method's own request is the last one (modify_text_style reads the style first).
    assert len(fake_horde.requests) > before
    assert fake_horde.requests[-1].headers.get("apikey") == ALICE_KEY


@pytest.mark.parametrize("name", KEY_REQUIRED + OPTIONAL_WITH_ARG)
async def test_an_explicit_key_wins(
    name: str, horde: HordeClient, fake_horde: FakeHorde, alice
) -> None:
    ids = await prepare(fake_horde, horde, alice)
    before = len(fake_horde.requests)
    await run(name, horde, ids, retries=0, apikey=OTHER_KEY)
    assert len(fake_horde.requests) > before
    assert fake_horde.requests[-1].headers.get("apikey") == OTHER_KEY


@pytest.mark.parametrize("name", KEY_OPTIONAL)
async def test_methods_with_an_optional_key_send_none_by_default(
    name: str, horde: HordeClient, fake_horde: FakeHorde, alice
) -> None:
    ids = await prepare(fake_horde, horde, alice)
    before = len(fake_horde.requests)
    await run(name, horde, ids, retries=0)
    assert "apikey" not in fake_horde.requests[before].headers


async def test_every_request_carries_the_client_agent_and_none_hits_an_image_path(
    horde: HordeClient, fake_horde: FakeHorde, alice
) -> None:
    fake_horde.rate_limits = False  # three submits within a second here
    ids = await prepare(fake_horde, horde, alice)
    for name in CALLS:
        await run(name, horde, ids, retries=0)
    fake_horde.add_worker("w2", models=["koboldcpp/test-model"], seconds_per_job=0.1)
    await horde.generate_sync("sync", params={"max_length": 32}, timeout=30)
    assert len(fake_horde.requests) > len(CALLS)
    assert {r.headers.get("Client-Agent") for r in fake_horde.requests} == {AGENT}
    assert not [r.path for r in fake_horde.requests if r.path.startswith(IMAGE_PATHS)]


async def test_calls_go_under_the_v2_root_of_the_base_url(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    await horde.heartbeat()
    assert fake_horde.requests[-1].path == "/v2/status/heartbeat"


async def test_a_trailing_slash_in_the_base_url_is_harmless(fake_horde: FakeHorde) -> None:
    async with HordeClient(base_url=fake_horde.base_url + "/", client_agent=AGENT) as client:
        assert (await client.heartbeat()).message == "OK"


async def test_a_wrong_base_url_is_unavailable_not_found(fake_horde: FakeHorde) -> None:
    wrong = fake_horde.base_url.removesuffix("/api")
    async with HordeClient(base_url=wrong, client_agent=AGENT, retries=0) as client:
        with pytest.raises(HordeUnavailable) as info:
            await client.heartbeat()
    assert info.value.status == 404


async def test_transfer_sends_a_generated_idempotency_key(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    bob = fake_horde.add_user("bob", apikey="bob-key-0123456789")
    await horde.transfer_kudos(bob.username, 1)
    fake_horde.clock.advance(61)  # the same pair may transfer once a minute
    await horde.transfer_kudos(bob.username, 1)
    keys = [r.headers.get("Idempotency-Key") for r in fake_horde.requests_to("/v2/kudos")]
    assert all(keys)
    assert len(set(keys)) == 2


async def test_transfer_sends_the_callers_idempotency_key(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    bob = fake_horde.add_user("bob", apikey="bob-key-0123456789")
    await horde.transfer_kudos(bob.username, 1, idempotency_key="click-42")
    assert fake_horde.requests_to("/v2/kudos")[-1].headers["Idempotency-Key"] == "click-42"


async def test_a_repeated_transfer_with_the_same_key_moves_kudos_once(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    bob = fake_horde.add_user("bob", apikey="bob-key-0123456789", kudos=0.0)
    await horde.transfer_kudos(bob.username, 5, idempotency_key="click-1")
    await horde.transfer_kudos(bob.username, 5, idempotency_key="click-1")
    assert bob.kudos == 5.0


def test_the_client_repr_hides_the_key() -> None:
    client = HordeClient(base_url="http://127.0.0.1:9/api", apikey=ALICE_KEY)
    assert ALICE_KEY not in repr(client)
    assert ALICE_KEY not in str(client)


async def test_errors_never_show_the_key(horde: HordeClient) -> None:
    failures = []
    for call in (
        horde.find_user("wrong-key-0123456789"),
        horde.modes(apikey=ALICE_KEY),
        horde.ip_timeouts(),
    ):
        try:
            await call
        except Exception as exc:
            failures.append(exc)
    assert len(failures) == 3
    for exc in failures:
        assert ALICE_KEY not in f"{exc} {exc!r} {exc.args}"
        assert "wrong-key-0123456789" not in f"{exc} {exc!r} {exc.args}"


@pytest.mark.parametrize("bad_key", ["key\x00nul-0123", "two words key", "ключ-ключ-ключ", ""])
async def test_a_key_no_header_can_carry_is_refused_before_sending(
    bad_key: str, horde: HordeClient, fake_horde: FakeHorde
) -> None:
    before = len(fake_horde.requests)
    with pytest.raises(HordeValidationError) as raised:
        await horde.find_user(apikey=bad_key, retries=0)
    assert len(fake_horde.requests) == before
    assert raised.value.status is None
    assert "apikey" in raised.value.errors
    if bad_key:
        assert bad_key not in str(raised.value)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_docstring_says_which_key_it_sends(name: str) -> None:
    doc = inspect.getdoc(getattr(HordeClient, name)) or ""
    said = doc.split("Key: ", 1)[1].split()[0].strip(",.;") if "Key: " in doc else None
    _, required = CALLS[name]
    expected = "required" if required else "none" if name in WITHOUT_APIKEY_ARG else "optional"
    assert said == expected
