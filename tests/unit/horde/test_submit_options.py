"""Submit options: every swagger option is a named parameter, typos are a TypeError before
any request, extra source images are sent typed, and a popped job's params are typed."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from bot.horde import ExtraSourceImage, HordeClient, HordeValidationError
from tests.fakes.horde import FakeHorde
from tests.unit.horde.conftest import MODEL


def test_generate_async_names_every_submit_option() -> None:
    parameters = inspect.signature(HordeClient.generate_async).parameters
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    for name in ("style", "webhook", "proxied_account", "disable_batching", "extra_slow_workers"):
        assert name in parameters
    assert "validated_backends" in parameters
    assert "extra_source_images" in parameters


@pytest.mark.parametrize("method", ["generate_async", "generate_sync"])
async def test_an_unknown_option_is_a_type_error_before_any_request(
    method: str, horde: HordeClient, fake_horde: FakeHorde
) -> None:
    before = len(fake_horde.requests)
    options: dict[str, Any] = {"trusted_worker": True}  # typo of trusted_workers
    with pytest.raises(TypeError, match="trusted_worker"):
        await getattr(horde, method)("Hello", **options)
    assert len(fake_horde.requests) == before


async def test_an_unknown_option_of_a_management_method_is_a_type_error(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    before = len(fake_horde.requests)
    options: dict[str, Any] = {"maintainance": True}
    with pytest.raises(TypeError):
        await horde.modify_worker("some-id", **options)
    assert len(fake_horde.requests) == before


async def test_extra_source_images_are_sent_typed_or_as_mappings(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    images = [ExtraSourceImage(image="aGVsbG8=", strength=0.5), {"image": "https://x.invalid/a"}]
    await horde.generate_async("Hello", params={"max_length": 32}, extra_source_images=images)
    body = fake_horde.requests_to("/v2/generate/text/async")[-1].json
    assert body["extra_source_images"] == [
        {"image": "aGVsbG8=", "strength": 0.5},
        {"image": "https://x.invalid/a", "strength": 1.0},
    ]


async def test_an_extra_source_image_without_image_is_refused_before_any_request(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    with pytest.raises(HordeValidationError):
        await horde.generate_async("Hello", extra_source_images=[{"strength": 1.0}])
    assert fake_horde.requests_to("/v2/generate/text/async") == []


async def test_no_extra_source_images_key_when_none_are_given(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    await horde.generate_async("Hello", params={"max_length": 32})
    assert "extra_source_images" not in fake_horde.requests_to("/v2/generate/text/async")[-1].json


async def test_a_popped_jobs_sampler_params_are_typed_fields(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    params = {"max_length": 32, "temperature": 0.7, "top_k": 40, "stop_sequence": ["\n"]}
    await horde.generate_async("Hello", params=params, models=[MODEL])
    job = await horde.job_pop("alice-worker", [MODEL])
    assert job.id is not None
    payload = job.payload
    assert (payload.temperature, payload.top_k, payload.stop_sequence) == (0.7, 40, ["\n"])
    assert payload.model_extra == {}


async def test_a_popped_job_carries_the_requests_extra_source_images(
    horde: HordeClient, fake_horde: FakeHorde
) -> None:
    image = ExtraSourceImage(image="aGVsbG8=", strength=0.25)
    await horde.generate_async(
        "Hello", params={"max_length": 32}, models=[MODEL], extra_source_images=[image]
    )
    job = await horde.job_pop("alice-worker", [MODEL])
    assert job.extra_source_images == [image]
