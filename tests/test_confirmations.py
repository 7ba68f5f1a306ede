"""The rules that pay and settle push confirmations (confirmations.py), without a cloud."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.ttlock_access.confirmations import (
    FIRST_WAIT,
    LONGEST_WAIT,
    MAX_FACTS,
    POOL_MIN,
    Confirmations,
)

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
LOCK = ("records", 1)


def test_a_read_confirms_what_it_finds() -> None:
    book = Confirmations(T0)
    book.hold(LOCK, ["a", "b"], T0)
    assert book.take(LOCK, T0)
    settled = book.settle(LOCK, ["a", "b", "c"], T0, T0)
    assert sorted(settled.confirmed) == ["a", "b"]
    assert not book.holding(LOCK)
    assert book.due(LOCK, T0) is None  # nothing waits: no read


def test_the_pool_limits_reads_and_refills_at_the_plans_rate() -> None:
    book = Confirmations(T0)
    book.set_rate(24, T0)  # one read an hour
    paid = 0
    for n in range(10):
        book.hold(LOCK, [n], T0)
        if book.take(LOCK, T0):
            paid += 1
            book.settle(LOCK, [n], T0, T0)
    assert paid == POOL_MIN
    book.hold(LOCK, ["late"], T0)
    assert book.due(LOCK, T0) == T0 + timedelta(hours=1)
    assert not book.take(LOCK, T0 + timedelta(minutes=59))
    assert book.take(LOCK, T0 + timedelta(hours=1))


def test_no_budget_leaves_the_facts_to_the_plans_reads() -> None:
    book = Confirmations(T0)
    book.set_rate(0, T0)
    for n in range(int(POOL_MIN)):
        book.hold(LOCK, [n], T0)
        assert book.take(LOCK, T0)
        book.settle(LOCK, [n], T0, T0)
    book.hold(LOCK, ["x"], T0)
    assert book.due(LOCK, T0) is None
    # A read the plan makes anyway still settles it.
    assert book.settle(LOCK, ["x"], T0, T0).confirmed == ("x",)


def test_unconfirmed_facts_get_a_second_read_then_cost_the_sender() -> None:
    book = Confirmations(T0)
    book.hold(LOCK, ["forged"], T0)
    assert book.take(LOCK, T0)
    first = book.settle(LOCK, [], T0, T0)
    assert first.confirmed == ()
    assert first.unconfirmed == 0
    assert book.due(LOCK, T0) == T0 + FIRST_WAIT  # one more look, a little later
    later = T0 + FIRST_WAIT
    assert book.take(LOCK, later)
    assert book.settle(LOCK, [], later, later).unconfirmed == 1
    assert book.counts.unconfirmed == 1
    # The next push about this subject waits twice as long.
    book.hold(LOCK, ["forged again"], later)
    assert book.due(LOCK, later) == later + 2 * FIRST_WAIT


def test_waits_double_up_to_an_hour_and_reset_on_a_confirmation() -> None:
    book = Confirmations(T0)
    book.set_rate(10_000, T0)  # the pool is not what limits here
    now = T0
    for n in range(12):
        book.hold(LOCK, [n], now)
        now = book.due(LOCK, now) or now
        assert book.take(LOCK, now)
        book.settle(LOCK, [], now, now)
    assert book.due(LOCK, now) == now + LONGEST_WAIT
    book.hold(LOCK, ["real"], now)
    now += LONGEST_WAIT
    assert book.take(LOCK, now)
    assert "real" in book.settle(LOCK, ["real"], now, now).confirmed
    book.hold(LOCK, ["next"], now)
    assert book.due(LOCK, now) == now


def test_a_fact_pushed_during_a_read_waits_for_the_next() -> None:
    book = Confirmations(T0)
    book.hold(LOCK, ["a"], T0)
    assert book.take(LOCK, T0)
    during = T0 + timedelta(seconds=1)
    book.hold(LOCK, ["b"], during)
    settled = book.settle(LOCK, ["a"], T0, during)
    assert settled.confirmed == ("a",)
    assert book.holding(LOCK)  # "b" was not in that read's reach
    assert book.due(LOCK, during) == during


def test_a_flood_keeps_a_bounded_number_of_facts() -> None:
    book = Confirmations(T0)
    book.hold(LOCK, range(MAX_FACTS + 50), T0)
    assert book.as_dict()["waiting"] == MAX_FACTS
    assert book.counts.unconfirmed == 50


def test_a_failed_read_defers_without_counting_anything() -> None:
    book = Confirmations(T0)
    book.hold(LOCK, ["a"], T0)
    assert book.take(LOCK, T0)
    book.defer(LOCK, T0)
    assert book.counts.unconfirmed == 0
    assert book.due(LOCK, T0) == T0 + FIRST_WAIT


def test_waiting_lists_the_subjects_with_facts() -> None:
    book = Confirmations(T0)
    assert book.waiting() == []
    book.hold(LOCK, ["a"], T0)
    assert book.waiting() == [LOCK]
    book.settle(LOCK, ["a"], T0, T0)
    assert book.waiting() == []
