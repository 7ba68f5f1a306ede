"""Switches of TTLock Access: passage mode of a lock, electricity supply of a meter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import MeterSupply
from .const import DEVICE_ELECTRIC_METER
from .data import TTLockConfigEntry
from .entity import (
    TTLockElectricMeterEntity,
    TTLockRemoteLockEntity,
    async_add_entities_dynamically,
    async_run_command,
)

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1

PASSAGE_MODE = SwitchEntityDescription(
    key="passage_mode", translation_key="passage_mode", entity_category=EntityCategory.CONFIG
)
SUPPLY = SwitchEntityDescription(
    key="supply", translation_key="supply", device_class=SwitchDeviceClass.SWITCH
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add passage mode and supply switches."""
    locks = entry.runtime_data.locks
    meters = entry.runtime_data.meters

    def lock_candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{PASSAGE_MODE.key}": partial(
                TTLockPassageModeSwitch, locks, lock_id, PASSAGE_MODE
            )
            for lock_id, data in locks.data.items()
            if data.lock.is_remote and data.lock.supports_passage_mode
        }

    def meter_candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{DEVICE_ELECTRIC_METER}_{meter_id}_{SUPPLY.key}": partial(
                TTLockSupplySwitch, meters, meter_id, SUPPLY
            )
            for meter_id in meters.data.electric
        }

    async_add_entities_dynamically(entry, async_add_entities, lock_candidates, locks)
    async_add_entities_dynamically(entry, async_add_entities, meter_candidates, meters)


class TTLockPassageModeSwitch(TTLockRemoteLockEntity, SwitchEntity):
    """Passage mode: the lock stays unlocked (all day, every day) while on."""

    @property
    @override
    def is_on(self) -> bool | None:
        return self.lock_data.passage_mode

    async def _async_set(self, enabled: bool) -> None:
        await async_run_command(
            self.coordinator,
            self.coordinator.client.set_passage_mode(self.lock_id, enabled),
            self.lock_data.lock.name,
        )
        self.coordinator.async_update_lock(self.lock_id, passage_mode=enabled)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(False)


class TTLockSupplySwitch(TTLockElectricMeterEntity, SwitchEntity):
    """The electricity supply relay of a meter."""

    @property
    @override
    def is_on(self) -> bool | None:
        supply = self.meter.supply
        return None if supply is MeterSupply.UNKNOWN else supply is MeterSupply.ON

    async def _async_set(self, on: bool) -> None:
        await async_run_command(
            self.coordinator,
            self.coordinator.client.set_electric_meter_supply(self.meter_id, on),
            self.meter.name,
        )
        self.coordinator.async_update_electric(
            replace(self.meter, supply=MeterSupply.ON if on else MeterSupply.OFF)
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(False)
