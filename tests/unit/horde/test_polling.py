"""The one poll schedule: halving towards the predicted finish, guarded by wait_time's error."""

from __future__ import annotations

from bot.horde.models import RequestStatusKobold
from bot.horde.polling import PollPolicy

POLICY = PollPolicy(poll_min=2.0, poll_max=15.0)


def _queued(wait: float, position: int = 3) -> RequestStatusKobold:
    return RequestStatusKobold.model_validate(
        {"waiting": 1, "queue_position": position, "wait_time": wait, "is_possible": True}
    )


def _writing(wait: float) -> RequestStatusKobold:
    return RequestStatusKobold.model_validate(
        {"processing": 1, "waiting": 0, "wait_time": wait, "is_possible": True}
    )


def test_a_writing_worker_whose_estimate_holds_is_read_at_the_predicted_finish() -> None:
    schedule = POLICY.schedule()
    first = schedule.next_delay(_writing(12), now=100.0)
    assert first == 12 / 2  # one read proves nothing yet: halve the estimate
    assert schedule.next_delay(_writing(8), now=104.0) == 8.0  # finish still predicted at 112


def test_an_estimate_that_moves_keeps_the_base_schedule_or_slower_never_faster() -> None:
    schedule = POLICY.schedule()
    schedule.next_delay(_writing(12), now=100.0)
    delay = schedule.next_delay(_writing(12), now=106.0)  # the finish moved 6 s later
    assert delay == max(POLICY.base_delay(_writing(12)), (12 - 6) / 2)
    assert delay < 12  # not trusted: no jump to the predicted finish


def test_the_queue_halves_the_time_the_estimate_could_still_be_right_for() -> None:
    schedule = POLICY.schedule()
    schedule.next_delay(_queued(40), now=0.0)
    delay = schedule.next_delay(_queued(34), now=10.0)  # predicted finish moved by 4 s
    assert delay == (34 - 4) / 2
    assert delay > POLICY.base_delay(_queued(34))


def test_the_error_is_measured_afresh_when_a_worker_starts_writing() -> None:
    schedule = POLICY.schedule()
    schedule.next_delay(_queued(60), now=0.0)
    schedule.next_delay(_queued(60), now=15.0)  # the queue estimate was 15 s off
    schedule.next_delay(_writing(10), now=70.0)
    assert schedule.next_delay(_writing(5), now=75.0) == 5.0


def test_delays_stay_within_the_bounds() -> None:
    schedule = POLICY.schedule()
    for now, wait in ((0.0, 600.0), (15.0, 585.0), (30.0, 570.0)):
        assert 2.0 <= schedule.next_delay(_queued(wait, position=40), now=now) <= 15.0
    schedule = POLICY.schedule()
    schedule.next_delay(_writing(1), now=0.0)
    assert schedule.next_delay(_writing(0), now=1.0) == 2.0
