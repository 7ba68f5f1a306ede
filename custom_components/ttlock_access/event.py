"""Events of TTLock Access: who operated a lock, and how; and who failed to (``failed``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import LockRecord, OperationMethod
from .data import TTLockConfigEntry
from .entity import TTLockLockEntity, async_add_entities_dynamically
from .failed_attempt_watch import FailedAttempt, FailedAttemptWatch
from .locks_coordinator import TTLockLocksCoordinator

# Read-only: records arrive through the coordinator (polled or pushed).
PARALLEL_UPDATES = 0

# A refused credential or a lock-out: one type for all, the record type tells which.
FAILED = "failed"

OPERATION = EventEntityDescription(
    key="operation",
    translation_key="operation",
    event_types=[*(method.value for method in OperationMethod), FAILED],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an operation event entity per lock."""
    locks = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{OPERATION.key}": partial(
                TTLockOperationEvent, locks, lock_id, OPERATION, entry.runtime_data.attempts
            )
            for lock_id in locks.data
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


def record_attributes(record: LockRecord) -> dict[str, str | int | bool | None]:
    """Describe a record: the action, who (a user or credential *name*, never a code)."""
    unlocked = record.unlocked
    return {
        "action": None if unlocked is None else ("unlock" if unlocked else "lock"),
        "user": record.username,
        "success": record.success,
        "record_type": record.record_type,
        "lock_time": record.lock_date.isoformat() if record.lock_date else None,
    }


class TTLockOperationEvent(TTLockLockEntity, EventEntity):
    """Operations of a lock: app, passcode, card, fingerprint, gateway, button, failed..."""

    def __init__(
        self,
        coordinator: TTLockLocksCoordinator,
        lock_id: int,
        description: EventEntityDescription,
        attempts: FailedAttemptWatch,
    ) -> None:
        """Initialise the entity; failed attempts come counted from ``attempts``."""
        super().__init__(coordinator, lock_id, description)
        self._attempts = attempts

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_record_listener(self.lock_id, self._async_record)
        )
        self.async_on_remove(self._attempts.async_add_listener(self.lock_id, self._async_failed))

    @callback
    def _async_record(self, record: LockRecord) -> None:
        if record.failed_attempt:
            return  # shown by _async_failed, with the lock's counts
        self._trigger_event(record.method.value, record_attributes(record))
        self.async_write_ha_state()

    @callback
    def _async_failed(self, attempt: FailedAttempt) -> None:
        self._trigger_event(FAILED, record_attributes(attempt.record) | attempt.attributes())
        self.async_write_ha_state()
