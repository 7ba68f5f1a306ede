"""Failed unlock attempts: counted from the records the locks coordinator reads anyway.

No cloud call of its own: each new record (polled, or pushed then confirmed by a read)
passes through here once. A failure is noted in the log, fired on the bus as
``ttlock_access_failed_attempt`` and handed to the lock's entities (its operation event
and its Failed attempts sensor). The code typed is a secret: it goes nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import LockRecord
from .const import EVENT_FAILED_ATTEMPT
from .failed_attempts import FailedAttemptLog
from .lock_entities import lock_entity_id
from .lock_listeners import LockListeners
from .locks_coordinator import TTLockLocksCoordinator

# How many recent failure times an event carries (the blueprint counts N within them).
RECENT_IN_EVENT: Final = 50


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """A failed attempt on a lock, with the lock's counts once it is noted."""

    record: LockRecord
    counts: dict[str, int]
    recent: list[datetime]  # within the last 24 h, oldest first

    def attributes(self) -> dict[str, Any]:
        """Return what the lock's entities show of it: the counts and the lock-out."""
        return {"locked_out": self.record.locked_out, **self.counts}


type AttemptListener = Callable[[FailedAttempt], None]


class FailedAttemptWatch:
    """Counts each lock's failed attempts and tells the bus and the lock's entities."""

    def __init__(self, hass: HomeAssistant, locks: TTLockLocksCoordinator) -> None:
        """Watch the records of ``locks``."""
        self._hass = hass
        self._locks = locks
        self.log = FailedAttemptLog()
        self._listeners: LockListeners[AttemptListener] = LockListeners()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the records of every lock; return what stops it."""
        return self._locks.async_add_account_record_listener(self._async_record)

    @callback
    def async_add_listener(self, lock_id: int, listener: AttemptListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each failed attempt on a lock."""
        return self._listeners.add(lock_id, listener)

    @callback
    def _async_record(self, lock_id: int, record: LockRecord) -> None:
        if not record.failed_attempt:
            return
        now = dt_util.utcnow()
        self.log.add(lock_id, record.lock_date or record.server_date or now, now)
        attempt = FailedAttempt(
            record, self.log.counts(lock_id, now), self.log.recent(lock_id, now)
        )
        self._hass.bus.async_fire(EVENT_FAILED_ATTEMPT, self._event_data(lock_id, attempt))
        for listener in self._listeners.of(lock_id):
            listener(attempt)

    def _event_data(self, lock_id: int, attempt: FailedAttempt) -> dict[str, Any]:
        """Return what the event carries: who by name, never the code typed."""
        record = attempt.record
        lock = self._locks.locks().get(lock_id)
        return {
            "lock": lock.name if lock else str(lock_id),
            "lock_id": lock_id,
            # None for a lock without a gateway (it has no lock entity).
            "lock_entity_id": lock_entity_id(self._hass, lock_id),
            "method": record.method.value,
            "record_type": record.record_type,
            "user": record.username,
            "lock_time": record.lock_date.isoformat() if record.lock_date else None,
            **attempt.attributes(),
            "recent": [when.isoformat() for when in attempt.recent[-RECENT_IN_EVENT:]],
        }
