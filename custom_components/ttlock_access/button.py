"""Buttons of TTLock Access: set a lock's clock.

Offline codes follow the lock's own clock; the button sets it to the cloud's time through
the gateway (``lock/updateDate``, one call) and the clock drift sensor shows the result.
The ``lock_clock_drift`` repair issue points here when the clock is over 2 min off.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import TTLockConfigEntry
from .entity import TTLockRemoteLockEntity, async_add_entities_dynamically, async_run_command

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1

SYNC_CLOCK = ButtonEntityDescription(
    key="sync_clock", translation_key="sync_clock", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a clock button per lock the cloud reaches."""
    locks = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{SYNC_CLOCK.key}": partial(TTLockSyncClock, locks, lock_id, SYNC_CLOCK)
            for lock_id, data in locks.data.items()
            if data.lock.is_remote
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


class TTLockSyncClock(TTLockRemoteLockEntity, ButtonEntity):
    """Set the lock's clock to the cloud's time."""

    @override
    async def async_press(self) -> None:
        await async_run_command(
            self.coordinator,
            self.coordinator.async_sync_clock(self.lock_id),
            self.lock_data.lock.name,
        )
