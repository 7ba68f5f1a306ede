"""Selects of TTLock Access: a lock's sound volume.

Shown where the lock's featureValue says the volume can be set (bit 43), written through
the gateway (``lock/updateSetting`` type 8, levels 1-5) and read back from lock/detail to
confirm. Unavailable, not wrong, while the lock cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final, override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import LockSetting
from .data import TTLockConfigEntry
from .entity import TTLockRemoteLockEntity, async_add_entities_dynamically, async_run_command

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1

# The cloud's volume levels 1-5, in order.
VOLUME_LEVELS: Final = ("very_low", "low", "medium", "high", "very_high")

VOLUME = SelectEntityDescription(
    key="volume",
    translation_key="volume",
    entity_category=EntityCategory.CONFIG,
    options=list(VOLUME_LEVELS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the volume of each remote lock that can set it."""
    locks = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{VOLUME.key}": partial(TTLockVolume, locks, lock_id, VOLUME)
            for lock_id, data in locks.data.items()
            if data.lock.is_remote and data.lock.supports_setting(LockSetting.VOLUME)
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


class TTLockVolume(TTLockRemoteLockEntity, SelectEntity):
    """How loud the lock's prompts are."""

    @property
    @override
    def current_option(self) -> str | None:
        detail = self.lock_data.detail
        if detail is None or detail.volume is None:
            return None
        return VOLUME_LEVELS[detail.volume - 1]

    @override
    async def async_select_option(self, option: str) -> None:
        level = VOLUME_LEVELS.index(option) + 1
        await async_run_command(
            self.coordinator,
            self.coordinator.client.update_setting(self.lock_id, LockSetting.VOLUME, level),
            self.lock_data.lock.name,
        )
        await self.coordinator.async_settings_written(self.lock_id, volume=level)
