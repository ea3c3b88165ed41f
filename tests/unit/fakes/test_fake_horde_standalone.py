"""The standalone runner's setup (``python -m tests.fakes.horde``)."""

from __future__ import annotations

from tests.fakes.horde.__main__ import DEMO_KEY, build, parse_args


def test_standalone_horde_has_demo_user_and_requested_workers():
    horde = build(parse_args(["--workers", "3", "--seconds-per-job", "2"]))
    demo = horde.user_by_key(DEMO_KEY)
    assert demo is not None
    assert demo.username == "demo#1"
    assert [w.seconds_per_job for w in horde.workers.values()] == [2.0, 2.0, 2.0]


def test_standalone_rate_limits_can_be_turned_off():
    assert build(parse_args(["--no-rate-limits"])).rate_limits is False
