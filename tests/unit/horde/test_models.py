"""Tolerant parsing of the Horde's answers: extra fields, missing fields, nulls."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.horde import (
    ActiveModel,
    GenerationPayloadKobold,
    Heartbeat,
    HordeModes,
    HordePerformance,
    IPTimeout,
    Newspiece,
    RequestAsync,
    RequestStatusCheck,
    RequestStatusKobold,
    TeamDetails,
    UserDetails,
    WorkerDetails,
)
from bot.horde.models import HordeModel

STATUS = {
    "finished": 1,
    "processing": 0,
    "restarted": 0,
    "waiting": 0,
    "done": True,
    "faulted": False,
    "wait_time": 0,
    "queue_position": 0,
    "kudos": 12.5,
    "is_possible": True,
    "generations": [
        {
            "text": "Once upon a time",
            "seed": 7,
            "worker_id": "8e1b0bb2-3f8c-4e5a-9d1c-0c7b0d3f1e2a",
            "worker_name": "w1",
            "model": "koboldcpp/test-model",
            "state": "ok",
            "gen_metadata": [],
        }
    ],
}

USER = {
    "username": "alice#5",
    "id": 5,
    "kudos": 1000.0,
    "concurrency": 30,
    "moderator": False,
    "worker_ids": None,
    "records": {
        "usage": {"tokens": 10, "megapixelsteps": None},
        "contribution": {"tokens": 20},
        "fulfillment": {"text": 3},
        "request": {"text": 4},
    },
    "active_generations": {"text": ["abc"], "image": None},
}

SAMPLES: list[tuple[type[HordeModel], dict[str, Any]]] = [
    (RequestStatusKobold, STATUS),
    (UserDetails, USER),
    (RequestAsync, {"id": "abc", "kudos": 0.0, "warnings": [{"code": "X", "message": "m"}]}),
    (
        GenerationPayloadKobold,
        {"payload": {"prompt": "hi", "n": 1, "temperature": 0.7}, "id": "j1", "ids": ["j1"]},
    ),
    (WorkerDetails, {"id": "w", "name": "w1", "team": {"name": None, "id": None}}),
    (HordePerformance, {"queued_text_requests": 2, "text_worker_count": 3}),
    (HordeModes, {"maintenance_mode": False, "raid_mode": None}),
    (ActiveModel, {"name": "m", "count": 2, "eta": 10, "type": "text"}),
    (Newspiece, {"title": "t", "newspiece": "n", "tags": None}),
    (Heartbeat, {"message": "OK", "version": "5.1.5"}),
    (TeamDetails, {"id": "t1", "name": "team", "workers": [{"id": "w", "name": "w1"}]}),
    (IPTimeout, {"ipaddr": "10.0.0.0/24", "seconds": 3600}),
]

json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
sample = st.sampled_from(SAMPLES)


@given(sample, st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=5))
def test_parsing_accepts_any_superset_of_fields(
    case: tuple[type[HordeModel], dict[str, Any]], extra: dict[str, Any]
) -> None:
    model, data = case
    known = set(model.model_fields)
    superset = {**{k: v for k, v in extra.items() if k not in known}, **data}
    parsed = model.model_validate(superset)
    for key in data:
        if key in known and data[key] is not None and not isinstance(data[key], dict | list):
            assert getattr(parsed, key) == data[key]


@given(sample, st.data())
def test_parsing_tolerates_missing_optional_fields(
    case: tuple[type[HordeModel], dict[str, Any]], data: st.DataObject
) -> None:
    model, full = case
    kept = data.draw(st.sets(st.sampled_from(sorted(full))))
    parsed = model.model_validate({k: full[k] for k in kept})
    assert isinstance(parsed, model)


@given(sample, st.data())
def test_parsing_tolerates_null_in_any_field(
    case: tuple[type[HordeModel], dict[str, Any]], data: st.DataObject
) -> None:
    model, full = case
    nulled = data.draw(st.sets(st.sampled_from(sorted(model.model_fields))))
    parsed = model.model_validate({**full, **dict.fromkeys(nulled)})
    assert isinstance(parsed, model)


def test_json_field_names_are_kept() -> None:
    status = RequestStatusKobold.model_validate(STATUS)
    assert status.generations[0].text == "Once upon a time"
    assert status.wait_time == 0
    assert status.done is True


def test_unknown_fields_remain_readable() -> None:
    parsed = RequestAsync.model_validate({"id": "abc", "brand_new": 3})
    assert parsed.model_extra == {"brand_new": 3}


def test_null_falls_back_to_the_default() -> None:
    assert UserDetails.model_validate(USER).worker_ids == []


def test_nested_records_are_models() -> None:
    user = UserDetails.model_validate(USER)
    assert user.records.usage.tokens == 10
    assert user.records.request.text == 4
    assert user.active_generations.text == ["abc"]


def test_check_drops_the_generations() -> None:
    check = RequestStatusKobold.model_validate(STATUS).check()
    assert type(check) is RequestStatusCheck
    assert check.done is True
    assert "generations" not in check.model_dump()


def test_pop_payload_keeps_generation_parameters() -> None:
    pop = GenerationPayloadKobold.model_validate(SAMPLES[3][1])
    assert pop.payload.prompt == "hi"
    # Typed since issue 12 (they were extras before): a sampler param is a field.
    assert pop.payload.temperature == 0.7
    assert pop.payload.model_extra == {}


def test_an_empty_pop_has_no_id() -> None:
    assert GenerationPayloadKobold.model_validate({"id": None, "payload": {}}).id is None
