"""A lock's Failed attempts sensor: refused credentials in the last 24 hours.

A security signal, so no entity category. Fed by the failed attempt watch (no call of its
own); it decays on its own: a timer fires when the oldest failure leaves a window, so the
counts fall back without polling. The failure times (times only: no code, no name) are
kept across a restart in the entity's restore data, read back with care.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, override

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .data import TTLockConfigEntry
from .entity import TTLockLockEntity, async_add_entities_dynamically
from .failed_attempt_watch import FailedAttempt, FailedAttemptWatch
from .locks_coordinator import TTLockLocksCoordinator

FAILED_ATTEMPTS = SensorEntityDescription(
    key="failed_attempts",
    translation_key="failed_attempts",
    state_class=SensorStateClass.MEASUREMENT,
)


def async_setup_failed_attempts_sensors(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a Failed attempts sensor per lock."""
    locks, attempts = entry.runtime_data.locks, entry.runtime_data.attempts

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{FAILED_ATTEMPTS.key}": partial(
                TTLockFailedAttemptsSensor, locks, lock_id, attempts
            )
            for lock_id in locks.data
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


class FailureTimes(ExtraStoredData):
    """A lock's failure times within the last 24 hours, as kept across a restart."""

    def __init__(self, times: list[datetime]) -> None:
        """Keep the times."""
        self.times = times

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {"recent": [when.isoformat() for when in self.times]}

    @staticmethod
    def read(stored: dict[str, Any] | None) -> list[datetime]:
        """Return the stored times that read as times (anything else is dropped)."""
        raw = (stored or {}).get("recent")
        if not isinstance(raw, list):
            return []
        times = (dt_util.parse_datetime(item) if isinstance(item, str) else None for item in raw)
        return [dt_util.as_utc(when) for when in times if when is not None and when.tzinfo]


class TTLockFailedAttemptsSensor(TTLockLockEntity, SensorEntity, RestoreEntity):
    """Failed unlock attempts on a lock in the last 24 hours."""

    _last_failure: datetime | None = None
    _decay: CALLBACK_TYPE | None = None

    def __init__(
        self, coordinator: TTLockLocksCoordinator, lock_id: int, attempts: FailedAttemptWatch
    ) -> None:
        """Initialise the sensor of one lock."""
        super().__init__(coordinator, lock_id, FAILED_ATTEMPTS)
        self._attempts = attempts

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._attempts.async_add_listener(self.lock_id, self._async_failed))
        self.async_on_remove(self._cancel_decay)
        now = dt_util.utcnow()
        log = self._attempts.log
        if not log.recent(self.lock_id, now) and (stored := await self.async_get_last_extra_data()):
            for when in FailureTimes.read(stored.as_dict()):
                log.add(self.lock_id, when, now)  # older than a day: pruned at once
        recent = log.recent(self.lock_id, now)
        self._last_failure = recent[-1] if recent else None
        self._schedule_decay()

    @property
    @override
    def native_value(self) -> int:
        return self._counts()["last_24_h"]

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        counts = self._counts()
        return {
            "last_15_min": counts["last_15_min"],
            "last_hour": counts["last_hour"],
            "last_failure": self._last_failure.isoformat() if self._last_failure else None,
        }

    @property
    @override
    def extra_restore_state_data(self) -> FailureTimes:
        return FailureTimes(self._attempts.log.recent(self.lock_id, dt_util.utcnow()))

    def _counts(self) -> dict[str, int]:
        return self._attempts.log.counts(self.lock_id, dt_util.utcnow())

    @callback
    def _async_failed(self, attempt: FailedAttempt) -> None:
        if attempt.recent:
            self._last_failure = attempt.recent[-1]
        self._schedule_decay()
        self.async_write_ha_state()

    @callback
    def _async_decayed(self, _now: datetime) -> None:
        self._decay = None
        self._schedule_decay()
        self.async_write_ha_state()

    @callback
    def _schedule_decay(self) -> None:
        """Wake up when the next failure leaves a window (none: no timer)."""
        self._cancel_decay()
        if (when := self._attempts.log.next_change(self.lock_id, dt_util.utcnow())) is not None:
            self._decay = async_track_point_in_utc_time(self.hass, self._async_decayed, when)

    @callback
    def _cancel_decay(self) -> None:
        if self._decay is not None:
            self._decay()
            self._decay = None
