"""Client-side checks of generation parameters (no server needed)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.horde import HordeValidationError, ModelGenerationInputKobold
from bot.horde.params import PARAM_LIMITS, validate_params, validate_prompt


def _problem(params: object) -> HordeValidationError:
    with pytest.raises(HordeValidationError) as info:
        validate_params(params)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(("name", "limits"), sorted(PARAM_LIMITS.items()))
def test_each_limit_accepts_its_bounds(name: str, limits: tuple[float, float]) -> None:
    low, high = limits
    for value in (low, high):
        params = {name: value}
        if name == "max_length":
            params["max_context_length"] = 4096
        assert validate_params(params)[name] == value


@pytest.mark.parametrize(("name", "limits"), sorted(PARAM_LIMITS.items()))
def test_each_limit_rejects_values_outside_with_the_field_named(
    name: str, limits: tuple[float, float]
) -> None:
    low, high = limits
    step = 1 if isinstance(low, int) and isinstance(high, int) else 0.0001
    for value in (low - step, high + step):
        error = _problem({name: value})
        assert f"params.{name}" in error.errors
        assert f"params.{name}" in str(error)


def test_n_above_twenty_is_refused_with_status_none() -> None:
    error = _problem({"n": 21})
    assert error.status is None
    assert error.errors["params.n"] == "21 is greater than the maximum of 20"


def test_typed_params_are_checked_too() -> None:
    error = _problem(ModelGenerationInputKobold(temperature=6.0))
    assert "params.temperature" in error.errors


def test_only_the_parameters_set_are_sent() -> None:
    sent = validate_params(ModelGenerationInputKobold(max_length=100, temperature=None))
    assert sent == {"max_length": 100}


def test_none_values_in_a_mapping_are_not_sent() -> None:
    assert validate_params({"max_length": 100, "top_k": None}) == {"max_length": 100}


def test_no_params_sends_nothing() -> None:
    assert validate_params(None) == {}


def test_unknown_keys_are_forwarded() -> None:
    assert validate_params({"max_length": 64, "xtc_threshold": 0.1}) == {
        "max_length": 64,
        "xtc_threshold": 0.1,
    }


def test_unknown_keys_survive_the_typed_model() -> None:
    params = ModelGenerationInputKobold(max_length=64, xtc_probability=0.5)  # type: ignore[call-arg]
    assert validate_params(params)["xtc_probability"] == 0.5


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_refused_in_known_fields(value: float) -> None:
    assert "params.temperature" in _problem({"temperature": value}).errors


def test_non_finite_floats_are_refused_in_unknown_keys() -> None:
    assert "params.custom.1" in _problem({"custom": [1.0, math.nan]}).errors


def test_wrong_types_are_refused() -> None:
    assert "params.max_length" in _problem({"max_length": "long"}).errors


def test_max_length_may_not_exceed_max_context_length() -> None:
    error = _problem({"max_length": 1024, "max_context_length": 512})
    assert "max_context_length" in error.errors["params.max_length"]


def test_max_length_is_compared_with_the_default_context_when_unset() -> None:
    assert "params.max_length" in _problem({"max_length": 4096}).errors


def test_sampler_order_needs_seven_entries() -> None:
    assert "params.sampler_order" in _problem({"sampler_order": [0, 1, 2, 3, 4, 5]}).errors


def test_sampler_order_needs_distinct_entries() -> None:
    order = [0, 1, 2, 3, 4, 5, 5]
    assert "params.sampler_order" in _problem({"sampler_order": order}).errors


def test_a_full_sampler_order_is_accepted() -> None:
    order = [6, 0, 1, 3, 4, 2, 5]
    assert validate_params({"sampler_order": order}) == {"sampler_order": order}


def test_stop_sequence_is_limited_to_128_entries() -> None:
    assert "params.stop_sequence" in _problem({"stop_sequence": ["x"] * 129}).errors


def test_stop_sequence_is_limited_to_2000_characters() -> None:
    assert "params.stop_sequence" in _problem({"stop_sequence": ["y" * 1001] * 2}).errors


def test_stop_sequence_within_limits_is_accepted() -> None:
    stops = ["\n###"] * 128
    assert validate_params({"stop_sequence": stops})["stop_sequence"] == stops


def test_every_problem_is_reported_at_once() -> None:
    assert set(_problem({"n": 0, "top_k": 500}).errors) == {"params.n", "params.top_k"}


def test_params_of_another_type_are_refused() -> None:
    assert "params" in _problem([("n", 1)]).errors


@pytest.mark.parametrize("prompt", ["", "   \n"])
def test_an_empty_prompt_is_refused(prompt: str) -> None:
    with pytest.raises(HordeValidationError) as info:
        validate_prompt(prompt)
    assert "prompt" in info.value.errors


@st.composite
def in_range(draw: st.DrawFn) -> dict[str, float]:
    names = draw(st.sets(st.sampled_from(sorted(PARAM_LIMITS)), min_size=1))
    chosen: dict[str, float] = {}
    for name in names:
        low, high = PARAM_LIMITS[name]
        if isinstance(low, int) and isinstance(high, int):
            chosen[name] = draw(st.integers(low, high))
        else:
            chosen[name] = draw(st.floats(low, high))
    if chosen.get("max_length", 0) > chosen.get("max_context_length", 2048):
        chosen["max_context_length"] = 1048576
    return chosen


@given(in_range())
def test_any_values_within_the_limits_are_sent_unchanged(params: dict[str, float]) -> None:
    assert validate_params(params) == params


@given(st.sampled_from(sorted(PARAM_LIMITS)), st.floats(1e-3, 1e6))
def test_any_value_above_a_maximum_is_refused(name: str, excess: float) -> None:
    high = PARAM_LIMITS[name][1]
    value = high + max(1, round(excess)) if isinstance(high, int) else high + excess
    assert f"params.{name}" in _problem({name: value}).errors
