"""Exact requests and parsed answers: text styles, collections, worker messages, filters,
text stats, single models and documents (each against the fake Horde over real HTTP)."""

from __future__ import annotations

import pytest

from bot.horde import HordeClient
from tests.fakes.horde import FakeHorde, User
from tests.unit.horde.conftest import MODEL
from tests.unit.horde.exact import Case, run_case, seed

NEW_STYLE = {
    "name": "new",
    "info": "a long enough info",
    "prompt": "{p}!",
    "params": {"temperature": 0.5},
    "public": True,
    "nsfw": False,
    "tags": ["fun"],
    "models": [MODEL],
}

CASES: dict[str, Case] = {
    "text_styles": Case(
        lambda h, w: h.text_styles(tag="fun", model=MODEL),
        "GET",
        "/v2/styles/text",
        False,
        lambda r, w: r == [],
        query={"sort": "popular", "page": "1", "tag": "fun", "model": MODEL},
    ),
    "text_style": Case(
        lambda h, w: h.text_style(w.style.id),
        "GET",
        "/v2/styles/text/{w.style.id}",
        False,
        lambda r, w: (r.name, r.models, r.creator) == ("tale", [MODEL], "alice#1"),
    ),
    "text_style_by_name": Case(
        lambda h, w: h.text_style_by_name("tale"),
        "GET",
        "/v2/styles/text_by_name/tale",
        False,
        lambda r, w: r.id == w.style.id,
    ),
    "create_text_style": Case(
        lambda h, w: h.create_text_style(
            "new",
            "{p}!",
            [MODEL],
            info="a long enough info",
            params={"temperature": 0.5},
            tags=["fun"],
        ),
        "POST",
        "/v2/styles/text",
        True,
        lambda r, w: w.fake.records.styles[r.id].params == {"temperature": 0.5},
        body=NEW_STYLE,
    ),
    "modify_text_style": Case(
        lambda h, w: h.modify_text_style(w.style.id, nsfw=True),
        "PATCH",
        "/v2/styles/text/{w.style.id}",
        True,
        lambda r, w: r.id == w.style.id and w.style.nsfw,
        # name, prompt and public resent from the style read first: the server resets them.
        # ("{p}" is the default a reset gives back, and too short for a PATCH: not resent).
        body={"name": "tale", "public": True, "nsfw": True},
    ),
    "delete_text_style": Case(
        lambda h, w: h.delete_text_style(w.style.id),
        "DELETE",
        "/v2/styles/text/{w.style.id}",
        True,
        lambda r, w: r.message == "OK" and not w.fake.records.styles,
    ),
    "collections": Case(
        lambda h, w: h.collections(type="text"),
        "GET",
        "/v2/collections",
        False,
        lambda r, w: [(c.name, [s.name for s in c.styles]) for c in r] == [("shelf", ["tale"])],
        query={"sort": "popular", "page": "1", "type": "text"},
    ),
    "collection": Case(
        lambda h, w: h.collection(w.collection.id),
        "GET",
        "/v2/collections/{w.collection.id}",
        False,
        lambda r, w: r.type == "text" and r.styles[0].id == w.style.id,
    ),
    "collection_by_name": Case(
        lambda h, w: h.collection_by_name("shelf"),
        "GET",
        "/v2/collection_by_name/shelf",
        False,
        lambda r, w: r.id == w.collection.id,
    ),
    "create_collection": Case(
        lambda h, w: h.create_collection("box", ["tale"], info="stuff"),
        "POST",
        "/v2/collections",
        True,
        lambda r, w: w.fake.records.collections[r.id].styles == [w.style],
        body={"name": "box", "info": "stuff", "public": True, "styles": ["tale"], "type": "text"},
    ),
    "modify_collection": Case(
        lambda h, w: h.modify_collection(w.collection.id, public=False),
        "PATCH",
        "/v2/collections/{w.collection.id}",
        True,
        lambda r, w: r.id == w.collection.id and not w.collection.public,
        body={"public": False},
    ),
    "delete_collection": Case(
        lambda h, w: h.delete_collection(w.collection.id),
        "DELETE",
        "/v2/collections/{w.collection.id}",
        True,
        lambda r, w: r.message == "OK" and not w.fake.records.collections,
    ),
    "worker_messages": Case(
        lambda h, w: h.worker_messages(worker_id=w.worker.id),
        "GET",
        "/v2/workers/messages",
        True,
        lambda r, w: [m.id for m in r] == ["msg-1"],
        query={"validity": "active", "page": "1", "worker_id": "{w.worker.id}"},
    ),
    "worker_message": Case(
        lambda h, w: h.worker_message("msg-1"),
        "GET",
        "/v2/workers/messages/msg-1",
        False,
        lambda r, w: (r.message, r.origin, r.worker_id) == ("hello", "tests", w.worker.id),
    ),
    "send_worker_message": Case(
        lambda h, w: h.send_worker_message("update please", worker_id=w.worker.id, origin="me"),
        "POST",
        "/v2/workers/messages",
        True,
        lambda r, w: w.fake.records.messages[r.id].message == "update please",
        body={
            "message": "update please",
            "worker_id": "{w.worker.id}",
            "origin": "me",
            "expiry": 12,
        },
    ),
    "delete_worker_message": Case(
        lambda h, w: h.delete_worker_message("msg-1"),
        "DELETE",
        "/v2/workers/messages/msg-1",
        True,
        lambda r, w: r.message == "OK" and not w.fake.records.messages,
    ),
    "filters": Case(
        lambda h, w: h.filters(filter_type=10, contains="ba"),
        "GET",
        "/v2/filters",
        True,
        lambda r, w: [(f.id, f.regex, f.user) for f in r] == [(w.filter.id, "bad", "alice#1")],
        query={"filter_type": "10", "contains": "ba"},
    ),
    "filter": Case(
        lambda h, w: h.filter(w.filter.id),
        "GET",
        "/v2/filters/{w.filter.id}",
        True,
        lambda r, w: (r.regex, r.description) == ("bad", "bad words"),
    ),
    "filter_regex": Case(
        lambda h, w: h.filter_regex(filter_type=10),
        "GET",
        "/v2/filters/regex",
        True,
        lambda r, w: [(x.filter_type, x.regex) for x in r] == [(10, "bad")],
        query={"filter_type": "10"},
    ),
    "add_filter": Case(
        lambda h, w: h.add_filter("wor+se", 11, description="worse words"),
        "PUT",
        "/v2/filters",
        True,
        lambda r, w: w.fake.records.filters[r.id].regex == "wor+se",
        body={"regex": "wor+se", "filter_type": 11, "description": "worse words"},
    ),
    "check_prompt": Case(
        lambda h, w: h.check_prompt("a bad thing"),
        "POST",
        "/v2/filters",
        True,
        lambda r, w: (r.suspicion, r.matches) == (1, ["bad"]),
        body={"prompt": "a bad thing"},
    ),
    "modify_filter": Case(
        lambda h, w: h.modify_filter(w.filter.id, replacement="***"),
        "PATCH",
        "/v2/filters/{w.filter.id}",
        True,
        lambda r, w: r.replacement == "***" and w.filter.replacement == "***",
        body={"replacement": "***"},
    ),
    "delete_filter": Case(
        lambda h, w: h.delete_filter(w.filter.id),
        "DELETE",
        "/v2/filters/{w.filter.id}",
        True,
        lambda r, w: r.message == "OK" and not w.fake.records.filters,
    ),
    "text_stats_totals": Case(
        lambda h, w: h.text_stats_totals(),
        "GET",
        "/v2/stats/text/totals",
        False,
        lambda r, w: r.total.requests == 0 and r.minute.tokens == 0,
    ),
    "text_stats_models": Case(
        lambda h, w: h.text_stats_models(model_state="all"),
        "GET",
        "/v2/stats/text/models",
        False,
        lambda r, w: r.total == {},
        query={"model_state": "all"},
    ),
    "model": Case(
        lambda h, w: h.model("other-model"),
        "GET",
        "/v2/status/models/other-model",
        False,
        lambda r, w: r == [],
    ),
    "document": Case(
        lambda h, w: h.document("privacy", format="markdown"),
        "GET",
        "/v2/documents/privacy",
        False,
        lambda r, w: r.markdown == "Fake Horde privacy policy." and r.html is None,
        query={"format": "markdown"},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_the_request_sent_and_the_answer_parsed(
    name: str, horde: HordeClient, fake_horde: FakeHorde, alice: User
) -> None:
    await run_case(CASES[name], horde, seed(fake_horde, alice))


def test_each_case_calls_the_method_it_is_named_after() -> None:
    for name, case in CASES.items():
        assert name in case.call.__code__.co_names
