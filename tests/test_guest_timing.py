"""When guest access acts on a stay (guest_timing.py), without a cloud or a calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.ttlock_access.guest_timing import (
    KEEP_CLOSED,
    RETRY_INTERVAL,
    VERIFY_BEFORE_ARRIVAL,
    VERIFY_EVERY,
    after_create_failure,
    after_move_failure,
    closed_long_ago,
    next_wake,
    verify_due,
    waits_for_quota,
)
from custom_components.ttlock_access.stays import Binding, GuestPlan, PlanStatus

NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)


def stay(days_ahead: float = 3, **changes: object) -> GuestPlan:
    """A two-night stay ``days_ahead`` days from now, its code not made yet."""
    start = NOW + timedelta(days=days_ahead)
    plan = GuestPlan(
        binding="b",
        calendar="calendar.stays",
        event="uid",
        lock_id=1,
        guest="Smith",
        start=start,
        end=start + timedelta(days=2),
        window_from=start - timedelta(minutes=30),
        window_to=start + timedelta(days=2, minutes=30),
    )
    for name, value in changes.items():
        setattr(plan, name, value)
    return plan


def test_a_retryable_failure_is_retried_hourly_and_told_at_the_deadline() -> None:
    plan = stay()
    assert not after_create_failure(plan, "cloud_lock_unreachable", NOW)
    assert plan.next_attempt == NOW + RETRY_INTERVAL
    assert plan.attempts == 1
    # Just before check-in: the last retry is at the deadline itself.
    late = plan.start - timedelta(minutes=20)
    assert not after_create_failure(plan, "cloud_lock_unreachable", late)
    assert plan.next_attempt == plan.start
    # At the deadline the host hears of it, and retries go on while the stay lasts.
    assert after_create_failure(plan, "cloud_lock_unreachable", plan.start)
    assert plan.next_attempt == plan.start + RETRY_INTERVAL


def test_a_failure_not_worth_retrying_is_told_at_once() -> None:
    plan = stay()
    assert after_create_failure(plan, "invalid_code", NOW)
    assert plan.next_attempt is None
    assert plan.error == "invalid_code"


def test_a_create_in_doubt_is_always_retried() -> None:
    plan = stay(intent=object())
    assert not after_create_failure(plan, "cloud_error", NOW)
    assert plan.next_attempt == NOW + RETRY_INTERVAL


def test_a_quota_refusal_waits_for_the_first_when_that_comes_in_time() -> None:
    plan = stay(days_ahead=30)
    assert not after_create_failure(plan, "quota_exhausted", NOW)
    assert plan.next_attempt == datetime(2027, 1, 1, tzinfo=plan.next_attempt.tzinfo)
    soon = stay(days_ahead=3)
    assert after_create_failure(soon, "cloud_passcode_quota", NOW)
    assert soon.next_attempt is None
    assert waits_for_quota(soon, NOW)


def test_a_move_refused_by_the_quota_is_told_others_retried() -> None:
    plan = stay(status=PlanStatus.CREATED)
    assert not after_move_failure(plan, "cloud_lock_unreachable", NOW)
    assert plan.next_attempt == NOW + RETRY_INTERVAL
    assert after_move_failure(plan, "quota_exhausted", NOW)
    assert plan.next_attempt is None


def test_a_lock_list_is_looked_at_weekly_and_before_each_arrival() -> None:
    arriving = stay(days_ahead=0.1)  # in 2.4 h
    later = stay(days_ahead=5)
    assert verify_due(None, [later], NOW)
    assert not verify_due(NOW - timedelta(days=1), [later], NOW)
    assert verify_due(NOW - VERIFY_EVERY, [later], NOW)
    # Three hours before an arrival, once.
    assert verify_due(NOW - timedelta(days=1), [arriving], NOW)
    assert not verify_due(NOW - timedelta(minutes=5), [arriving], NOW)


def test_closed_stays_leave_the_book_a_week_after_check_out() -> None:
    plan = stay(days_ahead=-10, status=PlanStatus.REVOKED)
    assert closed_long_ago(plan, NOW)
    assert not closed_long_ago(plan, plan.end + KEEP_CLOSED - timedelta(seconds=1))
    assert not closed_long_ago(stay(days_ahead=-10, status=PlanStatus.LEFT_ON_LOCK), NOW)
    assert not closed_long_ago(stay(days_ahead=-10, status=PlanStatus.CREATED), NOW)


def test_the_next_wake_is_the_earliest_thing_to_do() -> None:
    retry = stay(next_attempt=NOW + timedelta(hours=2))
    created = stay(days_ahead=1, status=PlanStatus.CREATED)
    assert next_wake([retry, created], {}, [], NOW) == NOW + timedelta(hours=2)
    created_soon = stay(days_ahead=0.1, status=PlanStatus.CREATED)
    assert next_wake([created_soon], {}, [], NOW) == created_soon.start - VERIFY_BEFORE_ARRIVAL
    assert next_wake([], {}, [NOW + timedelta(minutes=1)], NOW) == NOW + timedelta(minutes=1)
    assert next_wake([], {}, [], NOW) is None


def test_the_next_wake_includes_a_no_show_verdict_still_to_come() -> None:
    """Check-in plus the binding's hours wakes the scheduler; once judged, it no longer does."""
    binding = Binding(
        binding_id="b", title="Flat", calendars=("calendar.stays",), locks=(1,), no_show_hours=4
    )
    under_way = stay(days_ahead=-0.1, status=PlanStatus.CREATED)  # checked in 2.4 h ago
    verdict = under_way.start + timedelta(hours=4)
    assert next_wake([under_way], {"b": binding}, [], NOW) == verdict
    assert next_wake([under_way], {}, [], NOW) == under_way.window_to  # no binding: no verdict
    under_way.no_show_at = verdict
    assert next_wake([under_way], {"b": binding}, [], NOW) == under_way.window_to
    # A moment already past is the pass's to judge: it never wakes the scheduler again.
    late = stay(days_ahead=-0.5, status=PlanStatus.CREATED)
    assert next_wake([late], {"b": binding}, [], NOW) == late.window_to
