"""Numbers of TTLock Access: a lock's auto-lock time.

Shown where the lock's featureValue says it can be set (bit 4), written through the
gateway (``lock/setAutoLockTime``; 0 turns auto lock off) and read back from lock/detail
to confirm. Unavailable, not wrong, while the lock cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import TTLockConfigEntry
from .entity import TTLockRemoteLockEntity, async_add_entities_dynamically, async_run_command

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1

# The cloud documents no upper bound (-4082 when the lock refuses one); the TTLock app
# offers up to 900 s.
MAX_AUTO_LOCK_SECONDS = 900

AUTO_LOCK = NumberEntityDescription(
    key="auto_lock",
    translation_key="auto_lock",
    entity_category=EntityCategory.CONFIG,
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.SECONDS,
    native_min_value=0,
    native_max_value=MAX_AUTO_LOCK_SECONDS,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the auto-lock time of each remote lock that can set it."""
    locks = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{AUTO_LOCK.key}": partial(TTLockAutoLockTime, locks, lock_id, AUTO_LOCK)
            for lock_id, data in locks.data.items()
            if data.lock.is_remote and data.lock.supports_auto_lock
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


class TTLockAutoLockTime(TTLockRemoteLockEntity, NumberEntity):
    """Seconds after an unlock before the lock locks itself (0: off)."""

    @property
    @override
    def native_value(self) -> float | None:
        detail = self.lock_data.detail
        return None if detail is None else detail.auto_lock_seconds

    @override
    async def async_set_native_value(self, value: float) -> None:
        seconds = round(value)
        await async_run_command(
            self.coordinator,
            self.coordinator.client.set_auto_lock_time(self.lock_id, seconds),
            self.lock_data.lock.name,
        )
        await self.coordinator.async_settings_written(self.lock_id, auto_lock_seconds=seconds)
