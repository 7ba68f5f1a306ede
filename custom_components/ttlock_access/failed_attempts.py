"""Recent failed unlock attempts of each lock, counted per time window.

Pure bookkeeping (no Home Assistant, no cloud): the times of the failures the locks'
records reported, kept for the longest window and at most ``MAX_KEPT`` per lock, so a
guessing spree cannot grow it without bound. Only times are kept: never who or what code.
"""

from __future__ import annotations

from bisect import insort
from datetime import datetime, timedelta
from typing import Final

# Window name (as events and attributes carry it) -> its length.
WINDOWS: Final[dict[str, timedelta]] = {
    "last_15_min": timedelta(minutes=15),
    "last_hour": timedelta(hours=1),
    "last_24_h": timedelta(hours=24),
}
KEPT_FOR: Final = max(WINDOWS.values())
MAX_KEPT: Final = 100


class FailedAttemptLog:
    """The failure times of each lock within the last ``KEPT_FOR``."""

    def __init__(self) -> None:
        """Start with no failures."""
        self._times: dict[int, list[datetime]] = {}

    def add(self, lock_id: int, when: datetime, now: datetime) -> None:
        """Note a failure at ``when`` (the lock's time; records may arrive out of order)."""
        times = self._times.setdefault(lock_id, [])
        insort(times, min(when, now))  # a lock clock running ahead is not the future
        self._prune(lock_id, now)

    def recent(self, lock_id: int, now: datetime) -> list[datetime]:
        """Return the failure times within ``KEPT_FOR``, oldest first."""
        self._prune(lock_id, now)
        return list(self._times.get(lock_id, ()))

    def counts(self, lock_id: int, now: datetime) -> dict[str, int]:
        """Return how many failures each window holds."""
        times = self.recent(lock_id, now)
        return {
            name: sum(1 for when in times if when > now - length)
            for name, length in WINDOWS.items()
        }

    def next_change(self, lock_id: int, now: datetime) -> datetime | None:
        """Return when a count drops next (a failure leaves a window); None: never."""
        times = self.recent(lock_id, now)
        leaving = [
            oldest + length
            for length in WINDOWS.values()
            if (oldest := next((when for when in times if when > now - length), None))
        ]
        return min(leaving, default=None)

    def forget(self, lock_id: int) -> None:
        """Drop a lock's failures (it left the account)."""
        self._times.pop(lock_id, None)

    def _prune(self, lock_id: int, now: datetime) -> None:
        times = self._times.get(lock_id)
        if times is None:
            return
        kept = [when for when in times if when > now - KEPT_FOR][-MAX_KEPT:]
        if kept:
            self._times[lock_id] = kept
        else:
            del self._times[lock_id]
