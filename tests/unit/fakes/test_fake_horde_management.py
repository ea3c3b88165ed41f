"""The fake Horde's management routes on the wire: swagger validation (400 shape 2), rcs
and the live server's quirks (shared-key 401s, the style PATCH reset, routing order)."""

from __future__ import annotations

from tests.fakes.horde import FakeHorde, User
from tests.unit.fakes.horde_helpers import ALICE_KEY, BOB_KEY, MOD_KEY


async def test_a_worker_name_out_of_the_swaggers_limits_is_a_validation_body(
    call, horde: FakeHorde, alice: User
) -> None:
    worker = horde.add_worker("alices", owner=alice)
    answer = await call("PUT", f"/v2/workers/{worker.id}", key=ALICE_KEY, json={"name": "abc"})
    assert answer.status == 400
    assert "rc" not in answer.body
    assert "name" in answer.body["errors"]


async def test_worker_messages_are_not_taken_for_a_worker_id(
    call, horde: FakeHorde, moderator: User
) -> None:
    answer = await call("GET", "/v2/workers/messages", key=MOD_KEY)
    assert (answer.status, answer.body) == (200, [])


async def test_an_unknown_shared_key_is_a_401_invalid_api_key(
    call, horde: FakeHorde, alice: User
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        answer = await call(method, "/v2/sharedkeys/nope", key=ALICE_KEY, json={"kudos": 1})
        assert (answer.status, answer.body["rc"]) == (401, "InvalidAPIKey")


async def test_a_style_patch_resets_what_it_does_not_send(
    call, horde: FakeHorde, alice: User
) -> None:
    style = horde.records.add_style("tale", alice, prompt="Once: {p}", public=False, nsfw=True)
    answer = await call("PATCH", f"/v2/styles/text/{style.id}", key=ALICE_KEY, json={"name": "t"})
    assert answer.status == 200
    assert (style.prompt, style.public, style.nsfw) == ("{p}", True, False)


async def test_a_stranger_cannot_delete_a_team(
    call, horde: FakeHorde, alice: User, bob: User
) -> None:
    team = horde.add_team("Red", owner=alice)
    answer = await call("DELETE", f"/v2/teams/{team.id}", key=BOB_KEY)
    assert (answer.status, answer.body["rc"]) == (403, "NotOwner")
    assert team.id in horde.teams


async def test_a_new_filter_answers_201(call, horde: FakeHorde, moderator: User) -> None:
    body = {"regex": "x+", "filter_type": 10}
    answer = await call("PUT", "/v2/filters", key=MOD_KEY, json=body)
    assert answer.status == 201
    assert answer.body["regex"] == "x+"


async def test_documents_come_in_html_or_markdown(call, horde: FakeHorde) -> None:
    html = await call("GET", "/v2/documents/terms")
    markdown = await call("GET", "/v2/documents/terms", params={"format": "markdown"})
    assert html.body["html"].startswith("<p>")
    assert markdown.body == {"markdown": "Fake Horde terms of service."}
