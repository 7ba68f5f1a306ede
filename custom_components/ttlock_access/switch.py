"""Switches of TTLock Access: a lock's passage mode and settings, a meter's supply.

A lock's settings (sound, privacy lock, tamper alert, reset button) appear where the
lock's featureValue says the cloud can change them, are written through the gateway and
read back from lock/detail to confirm (one call more per change; no polling: they are
read at setup and weekly).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Lock, LockSetting, MeterSupply, TTLockClient
from .const import DEVICE_ELECTRIC_METER
from .data import TTLockConfigEntry
from .entity import (
    TTLockElectricMeterEntity,
    TTLockRemoteLockEntity,
    async_add_entities_dynamically,
    async_run_command,
)
from .locks_coordinator import LockData, TTLockLocksCoordinator

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TTLockLockSwitchDescription(SwitchEntityDescription):
    """A lock setting that is on or off, written through the cloud."""

    supported_fn: Callable[[Lock], bool]
    is_on_fn: Callable[[LockData], bool | None]
    set_fn: Callable[[TTLockClient, int, bool], Awaitable[None]]
    # What the lock's data becomes once the cloud said yes.
    applied_fn: Callable[[TTLockLocksCoordinator, int, bool], Awaitable[None]]


async def _passage_mode_set(locks: TTLockLocksCoordinator, lock_id: int, on: bool) -> None:
    locks.async_update_lock(lock_id, passage_mode=on)


def _setting(key: str, setting: LockSetting, field: str) -> TTLockLockSwitchDescription:
    """Describe a switch of lock/updateSetting, shown from lock/detail's ``field``."""

    def is_on(data: LockData) -> bool | None:
        value: bool | None = getattr(data.detail, field, None)
        return value

    return TTLockLockSwitchDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.CONFIG,
        supported_fn=lambda lock: lock.is_remote and lock.supports_setting(setting),
        is_on_fn=is_on,
        set_fn=lambda client, lock_id, on: client.update_setting(lock_id, setting, 1 if on else 2),
        applied_fn=lambda locks, lock_id, on: locks.async_settings_written(lock_id, **{field: on}),
    )


LOCK_SWITCHES: tuple[TTLockLockSwitchDescription, ...] = (
    TTLockLockSwitchDescription(
        key="passage_mode",
        translation_key="passage_mode",
        entity_category=EntityCategory.CONFIG,
        supported_fn=lambda lock: lock.is_remote and lock.supports_passage_mode,
        is_on_fn=lambda data: data.passage_mode,
        set_fn=lambda client, lock_id, on: client.set_passage_mode(lock_id, on),
        applied_fn=_passage_mode_set,
    ),
    _setting("lock_sound", LockSetting.LOCK_SOUND, "sound"),
    _setting("privacy_lock", LockSetting.PRIVACY_LOCK, "privacy_lock"),
    _setting("tamper_alert", LockSetting.TAMPER_ALERT, "tamper_alert"),
    _setting("reset_button", LockSetting.RESET_BUTTON, "reset_button"),
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
            f"{lock_id}_{description.key}": partial(TTLockLockSwitch, locks, lock_id, description)
            for lock_id, data in locks.data.items()
            for description in LOCK_SWITCHES
            if description.supported_fn(data.lock)
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


class TTLockLockSwitch(TTLockRemoteLockEntity, SwitchEntity):
    """A lock setting (passage mode: the lock stays unlocked while on; sound, ...)."""

    entity_description: TTLockLockSwitchDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.lock_data)

    async def _async_set(self, on: bool) -> None:
        description = self.entity_description
        await async_run_command(
            self.coordinator,
            description.set_fn(self.coordinator.client, self.lock_id, on),
            self.lock_data.lock.name,
        )
        await description.applied_fn(self.coordinator, self.lock_id, on)

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
