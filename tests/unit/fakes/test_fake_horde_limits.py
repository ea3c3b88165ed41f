"""The fake Horde's rate limiter, fault injection, request recording and clock."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.fakes.horde import FakeHorde, OffsetClock, User
from tests.unit.fakes.horde_helpers import status, submit


@pytest.fixture
def limited(horde: FakeHorde) -> FakeHorde:
    horde.rate_limits = True
    return horde


async def test_third_submit_in_a_second_is_rate_limited(limited: FakeHorde, alice: User, call):
    await submit(call)
    await submit(call)
    answer = await submit(call)
    assert answer.status == 429
    assert answer.body == {"message": "2 per 1 second"}
    assert int(answer.headers["Retry-After"]) >= 1


async def test_submit_limit_resets_after_the_window(limited: FakeHorde, alice: User, call):
    await submit(call)
    await submit(call)
    limited.clock.advance(1.0)
    assert (await submit(call)).status == 202


async def test_submit_per_minute_limit_is_configurable(limited: FakeHorde, alice: User, call):
    limited.submit_limit_per_minute = 3
    for _ in range(3):
        await submit(call)
        limited.clock.advance(1.0)
    answer = await submit(call)
    assert answer.body == {"message": "3 per 1 minute"}


async def test_status_polls_are_limited_per_id(limited: FakeHorde, alice: User, call):
    limited.status_limit_per_minute = 3
    first = (await submit(call)).body["id"]
    limited.clock.advance(1.0)
    second = (await submit(call)).body["id"]
    for _ in range(3):
        await status(call, first)
    refused = await status(call, first)
    assert (refused.status, refused.body) == (429, {"message": "3 per 1 minute"})
    assert (await status(call, second)).status == 200


async def test_heartbeat_is_never_rate_limited(limited: FakeHorde, call):
    for _ in range(120):
        answer = await call("GET", "/v2/status/heartbeat")
    assert (answer.status, answer.body["message"]) == (200, "OK")


async def test_rate_limit_headers_are_sent(limited: FakeHorde, call):
    answer = await call("GET", "/v2/status/news")
    assert answer.headers["X-RateLimit-Limit"] == "90"
    assert answer.headers["X-RateLimit-Remaining"] == "89"


async def test_limits_are_off_when_disabled(horde: FakeHorde, alice: User, call):
    statuses = [(await submit(call)).status for _ in range(4)]
    assert statuses == [202, 202, 202, 202]


async def test_injected_500_is_json_and_used_once(horde: FakeHorde, call):
    horde.inject_fault("GET", "/v2/status/heartbeat", kind="500")
    failed = await call("GET", "/v2/status/heartbeat")
    assert (failed.status, failed.body) == (500, {"message": "Internal Server Error"})
    assert (await call("GET", "/v2/status/heartbeat")).status == 200


async def test_injected_502_is_an_html_page(horde: FakeHorde, call):
    horde.inject_fault("GET", "/v2/status", kind="502")
    answer = await call("GET", "/v2/status/news")
    assert answer.status == 502
    assert answer.headers["Content-Type"].startswith("text/html")


async def test_injected_fault_matches_method_and_prefix(horde: FakeHorde, call):
    horde.inject_fault("POST", "/v2/status/news", kind="503")
    assert (await call("GET", "/v2/status/news")).status == 200
    horde.inject_fault("GET", "/v2/status/news", kind="503", count=2)
    assert (await call("GET", "/v2/status/heartbeat")).status == 200
    assert [(await call("GET", "/v2/status/news")).status for _ in range(3)] == [503, 503, 200]


async def test_injected_429_has_retry_after_and_no_rc(horde: FakeHorde, call):
    horde.inject_fault("GET", "/v2/status/news", kind="429", retry_after=7)
    answer = await call("GET", "/v2/status/news")
    assert answer.status == 429
    assert answer.headers["Retry-After"] == "7"
    assert "rc" not in answer.body


async def test_injected_drop_closes_the_connection_without_answer(
    horde: FakeHorde, alice: User, call
):
    horde.inject_fault("POST", "/v2/generate/text/async", kind="drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await submit(call)
    assert horde.text_requests == {}


async def test_injected_slow_answer_outlasts_a_client_timeout(horde: FakeHorde, call):
    horde.inject_fault("GET", "/v2/status/heartbeat", kind="slow", delay=5.0)
    with pytest.raises(asyncio.TimeoutError):
        await call("GET", "/v2/status/heartbeat", timeout=aiohttp.ClientTimeout(total=0.2))


async def test_every_request_is_recorded(horde: FakeHorde, alice: User, call):
    await call("POST", "/v2/generate/text/async", key=alice.apikey, json={"prompt": "hi"},
               headers={"Client-Agent": "test:1:none"})  # fmt: skip
    recorded = horde.requests[-1]
    assert (recorded.method, recorded.path) == ("POST", "/v2/generate/text/async")
    assert recorded.json == {"prompt": "hi"}
    assert recorded.headers["Client-Agent"] == "test:1:none"


async def test_rejected_submits_are_in_submit_times(horde: FakeHorde, alice: User, call):
    await submit(call, prompt="")
    await submit(call)
    assert len(horde.submit_times) == 2


async def test_clock_sleep_returns_when_time_is_advanced():
    clock = OffsetClock()
    sleeper = asyncio.create_task(clock.sleep(3600))
    await asyncio.sleep(0)
    clock.advance(3600)
    await asyncio.wait_for(sleeper, timeout=1.0)
    assert sleeper.done()
