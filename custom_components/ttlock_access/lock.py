"""Locks of TTLock Access: lock and unlock through the cloud (gateway or Wi-Fi)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, override

from homeassistant.components.lock import LockEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import LockState
from .data import TTLockConfigEntry
from .entity import TTLockRemoteLockEntity, async_add_entities_dynamically, async_run_command
from .locks_coordinator import TTLockLocksCoordinator

# Commands go through the gateway one at a time (the client serialises them as well).
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a lock entity per lock the cloud can reach."""
    coordinator = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            str(lock_id): partial(TTLockLock, coordinator, lock_id)
            for lock_id, data in coordinator.data.items()
            if data.lock.is_remote
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, coordinator)


class TTLockLock(TTLockRemoteLockEntity, LockEntity):
    """A TTLock lock: the main feature of its device."""

    _attr_name = None

    def __init__(self, coordinator: TTLockLocksCoordinator, lock_id: int) -> None:
        """Initialise the lock."""
        super().__init__(coordinator, lock_id)

    @property
    @override
    def is_locked(self) -> bool | None:
        state = self.lock_data.state
        return None if state is LockState.UNKNOWN else state is LockState.LOCKED

    @property
    @override
    def is_jammed(self) -> bool:
        return self.lock_data.jammed

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        await async_run_command(
            self.coordinator, self.coordinator.client.lock(self.lock_id), self.lock_data.lock.name
        )
        self.coordinator.async_update_lock(self.lock_id, state=LockState.LOCKED)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        await async_run_command(
            self.coordinator, self.coordinator.client.unlock(self.lock_id), self.lock_data.lock.name
        )
        self.coordinator.async_update_lock(self.lock_id, state=LockState.UNLOCKED)
