"""The allowance planner's rules (pure: no Home Assistant, no cloud)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ttlock_access.planner import (
    BLUETOOTH_ACTIVE_INTERVAL,
    BLUETOOTH_INTERVAL,
    POLL_CAP,
    POLL_FLOOR_IDLE,
    PUSH_RESYNC_INTERVAL,
    STRETCH_CAP,
    LockNeed,
    PlanInput,
    make_plan,
    reserve_for,
)

MONTH_START = datetime(2026, 11, 30, 16, tzinfo=UTC)  # December 1st, Beijing
RESET = datetime(2026, 12, 31, 16, tzinfo=UTC)


def locks(remote: int, *, pushed: bool, bluetooth: int = 0) -> tuple[LockNeed, ...]:
    """``remote`` locks behind a gateway and ``bluetooth`` Bluetooth-only ones."""
    return tuple(
        LockNeed(lock_id=i, remote=True, pushed=pushed, active=False) for i in range(remote)
    ) + tuple(
        LockNeed(lock_id=1000 + i, remote=False, pushed=False, active=False)
        for i in range(bluetooth)
    )


def facts(**changes: object) -> PlanInput:
    """A fresh month (first day), 5,000 calls, a typical reserve."""
    base: dict[str, object] = {
        "allowance": 5000,
        "used": 0,
        "now": MONTH_START,
        "reset_at": RESET,
        "reserve": 150,
        "gateways": 1,
    }
    return PlanInput(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("remote", "bluetooth", "target"),
    [
        (10, 0, 190),  # the target: a tenth of the peer's 1,900 a day
        (1, 1, 100),  # 3,000 a month, leaving 2,000 for actions
    ],
)
def test_push_targets(remote: int, bluetooth: int, target: int) -> None:
    plan = make_plan(facts(locks=locks(remote, pushed=True, bluetooth=bluetooth)))
    assert plan.reads_per_day <= target
    assert plan.stretch == 1.0
    assert plan.per_lock[0] == PUSH_RESYNC_INTERVAL
    if bluetooth:
        assert plan.per_lock[1000] == BLUETOOTH_INTERVAL


@pytest.mark.parametrize("count", [1, 10, 50, 500])
@pytest.mark.parametrize("used", [0, 2500])
def test_polling_fits_the_month(count: int, used: int) -> None:
    """Any number of polled locks: reads plus the reserve stay within what is left."""
    plan = make_plan(facts(locks=locks(count, pushed=False, bluetooth=1), used=used))
    days = (RESET - MONTH_START) / timedelta(days=1)
    assert used + plan.reads_per_day * days + 150 <= 5000
    assert plan.reads_per_day <= plan.budget_per_day + 1e-6
    if count == 1 and used == 0:
        # One lock gets a state fresh to about a quarter of an hour.
        assert timedelta(minutes=5) <= plan.per_lock[0] <= timedelta(minutes=30)


def test_fewer_calls_left_means_slower_reads() -> None:
    """A month that runs hot slows down: the same locks later in a used-up month."""
    relaxed = make_plan(facts(locks=locks(2, pushed=False)))
    hot = make_plan(facts(locks=locks(2, pushed=False), used=4000))
    assert hot.per_lock[0] > relaxed.per_lock[0]
    assert hot.stretch > relaxed.stretch
    assert hot.lock_list > relaxed.lock_list


def test_nothing_left_stretches_to_the_caps() -> None:
    """With only the reserve left, reads go to their longest intervals, no error."""
    plan = make_plan(facts(locks=locks(3, pushed=False, bluetooth=1), used=4900))
    assert plan.budget_per_day == 0
    assert plan.lock_list == STRETCH_CAP
    assert plan.gateways == STRETCH_CAP
    assert plan.per_lock[1000] == POLL_CAP
    assert plan.per_lock[0] == POLL_CAP


def test_active_locks_are_polled_more_often() -> None:
    needs = (
        LockNeed(lock_id=1, remote=True, pushed=False, active=True),
        LockNeed(lock_id=2, remote=True, pushed=False, active=False),
        LockNeed(lock_id=3, remote=False, pushed=False, active=True),
    )
    plan = make_plan(facts(locks=needs))
    assert plan.per_lock[1] < plan.per_lock[2]
    assert plan.per_lock[3] == BLUETOOTH_ACTIVE_INTERVAL * plan.stretch
    idle = make_plan(facts(locks=tuple(replace(need, active=False) for need in needs)))
    assert idle.stretch == plan.stretch  # a burst of activity does not slow the rest
    assert idle.per_lock[3] == BLUETOOTH_INTERVAL * plan.stretch
    assert plan.freshness(needs[0]) == plan.per_lock[1]
    pushed = LockNeed(lock_id=1, remote=True, pushed=True, active=False)
    assert plan.freshness(pushed) is None


def test_plenty_of_calls_stops_at_the_floor() -> None:
    """A large allowance does not make polling faster than a lock can use."""
    plan = make_plan(facts(locks=locks(1, pushed=False), allowance=10_000_000))
    assert plan.per_lock[0] == POLL_FLOOR_IDLE
    assert plan.reads_per_day < plan.budget_per_day


def test_gateway_pushes_halve_gateway_reads() -> None:
    assert make_plan(facts(gateways_pushed=True)).gateways == 2 * make_plan(facts()).gateways


def test_reserve() -> None:
    """Commands at the month's pace (at least 3 a day); stays at least 4 per bound lock."""
    now = MONTH_START + timedelta(days=10)
    quiet = reserve_for(
        now=now,
        reset_at=RESET,
        month_start=MONTH_START,
        spent_on_actions=0,
        bound_locks=0,
        open_stays=0,
    )
    assert quiet == 63  # 3 a day for 21 days
    busy = reserve_for(
        now=now,
        reset_at=RESET,
        month_start=MONTH_START,
        spent_on_actions=100,  # 10 a day so far
        bound_locks=2,
        open_stays=1,
    )
    # 10 a day for 21 days, 2 locks x 4 stays x 21/31 of the month x 4 calls, and each
    # bound lock's code list read once a week.
    assert busy == pytest.approx(210 + 2 * 4 * 21 / 31 * 4 + 2 * 21 / 7, abs=1)
    known = reserve_for(
        now=now,
        reset_at=RESET,
        month_start=MONTH_START,
        spent_on_actions=0,
        bound_locks=1,
        open_stays=12,
    )
    assert known == 63 + 12 * 4 + 3


@pytest.mark.parametrize("count", [1, 10, 50])
def test_confirmations_get_what_is_left_and_the_safety_reads_share(count: int) -> None:
    """Pushes are confirmed by reads that also stand in for the lock's safety read."""
    plan = make_plan(facts(locks=locks(count, pushed=True, bluetooth=1)))
    safety = sum(86400 / plan.per_lock[lock_id].total_seconds() for lock_id in range(count))
    left = max(plan.budget_per_day - plan.reads_per_day, 0.0)
    assert plan.confirms_per_day == pytest.approx(left + safety)
    # Without pushed locks, nothing is set aside for confirmations.
    assert make_plan(facts(locks=locks(count, pushed=False))).confirms_per_day == 0


@pytest.mark.parametrize(("count", "pushed"), [(1, True), (50, True), (50, False), (500, False)])
def test_settings_take_at_most_a_tenth_of_the_budget(count: int, pushed: bool) -> None:
    """Settings and credential lists change least: weekly at most, and never starve reads."""
    plan = make_plan(facts(locks=locks(count, pushed=pushed, bluetooth=1)))
    reads = 2 * count + 4 * (count + 1)  # settings and clock per remote lock, lists per lock
    per_day = reads * 86400 / plan.settings.total_seconds()
    assert plan.settings >= timedelta(days=7)
    assert per_day <= plan.budget_per_day * 0.1 + 1e-6 or plan.settings == timedelta(days=365)
    if count == 1:
        assert plan.settings == timedelta(days=7)
