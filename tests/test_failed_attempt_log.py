"""The per-lock log of failure times: windows, bounds, decay moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.ttlock_access.failed_attempts import MAX_KEPT, FailedAttemptLog

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_counts_per_window() -> None:
    log = FailedAttemptLog()
    for minutes in (1, 14, 20, 59, 61, 23 * 60, 25 * 60):
        log.add(7, NOW - timedelta(minutes=minutes), NOW)
    assert log.counts(7, NOW) == {"last_15_min": 2, "last_hour": 4, "last_24_h": 6}
    assert log.counts(8, NOW) == {"last_15_min": 0, "last_hour": 0, "last_24_h": 0}


def test_out_of_order_and_future_times() -> None:
    """Late records are sorted in; a lock clock ahead of ours counts as now."""
    log = FailedAttemptLog()
    log.add(7, NOW - timedelta(minutes=5), NOW)
    log.add(7, NOW - timedelta(minutes=30), NOW)
    log.add(7, NOW + timedelta(hours=1), NOW)
    assert log.recent(7, NOW) == [
        NOW - timedelta(minutes=30),
        NOW - timedelta(minutes=5),
        NOW,
    ]


def test_bounded() -> None:
    """At most MAX_KEPT per lock, the newest; nothing older than 24 h."""
    log = FailedAttemptLog()
    for seconds in range(MAX_KEPT + 20):
        log.add(7, NOW - timedelta(seconds=seconds), NOW)
    recent = log.recent(7, NOW)
    assert len(recent) == MAX_KEPT
    assert recent[-1] == NOW
    later = NOW + timedelta(hours=24)
    assert log.recent(7, later) == []
    assert log.next_change(7, later) is None


def test_next_change_is_when_a_failure_leaves_a_window() -> None:
    log = FailedAttemptLog()
    assert log.next_change(7, NOW) is None
    log.add(7, NOW - timedelta(minutes=10), NOW)
    log.add(7, NOW - timedelta(minutes=50), NOW)
    # The 10-minute-old failure leaves the 15 minutes first.
    assert log.next_change(7, NOW) == NOW + timedelta(minutes=5)
    moment = NOW + timedelta(minutes=5)
    assert log.counts(7, moment)["last_15_min"] == 0
    # Then the 50-minute-old one leaves the hour, then each leaves the 24 h.
    assert log.next_change(7, moment) == NOW + timedelta(minutes=10)
    moment = NOW + timedelta(hours=23, minutes=10)
    assert log.counts(7, moment) == {"last_15_min": 0, "last_hour": 0, "last_24_h": 1}
    assert log.next_change(7, moment) == NOW + timedelta(hours=23, minutes=50)


def test_forget() -> None:
    log = FailedAttemptLog()
    log.add(7, NOW, NOW)
    log.forget(7)
    log.forget(8)
    assert log.recent(7, NOW) == []
