"""Binary sensors of TTLock Access: gateway connectivity, a lock's door sensor.

The door sensor has no state to poll (the cloud has none): it follows the lock's door
records (30 closed, 31 opened, 64 left open), pushed or read with the lock's other
records, so it costs no call of its own; after a restart it shows its last state until
the next door record rather than guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .api import LockRecord, RecordType
from .data import TTLockConfigEntry
from .entity import TTLockGatewayEntity, TTLockLockEntity, async_add_entities_dynamically

# Read-only, fed by the coordinator (and pushed callbacks).
PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)

DOOR = BinarySensorEntityDescription(
    key="door", translation_key="door", device_class=BinarySensorDeviceClass.DOOR
)
ATTR_LEFT_OPEN = "left_open"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per gateway, a door sensor per lock that has one."""
    gateways = entry.runtime_data.gateways
    locks = entry.runtime_data.locks

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"gateway_{gateway_id}_{CONNECTIVITY.key}": partial(
                TTLockGatewayConnectivity, gateways, gateway_id, CONNECTIVITY
            )
            for gateway_id in gateways.data
        }

    def door_candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{DOOR.key}": partial(TTLockDoorSensor, locks, lock_id, DOOR)
            for lock_id, data in locks.data.items()
            if data.lock.supports_door_sensor
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, gateways)
    async_add_entities_dynamically(entry, async_add_entities, door_candidates, locks)


class TTLockGatewayConnectivity(TTLockGatewayEntity, BinarySensorEntity):
    """Whether the cloud hears the gateway."""

    @property
    @override
    def is_on(self) -> bool:
        return self.gateway_data.gateway.online


class TTLockDoorSensor(TTLockLockEntity, BinarySensorEntity, RestoreEntity):
    """The door of a lock with a door sensor: on while open (from the door records)."""

    _attr_is_on: bool | None = None
    _left_open = False

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in (
            STATE_ON,
            STATE_OFF,
        ):
            self._attr_is_on = last.state == STATE_ON
            self._left_open = self._attr_is_on and bool(last.attributes.get(ATTR_LEFT_OPEN))
        self.async_on_remove(
            self.coordinator.async_add_record_listener(self.lock_id, self._async_record)
        )

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        return {ATTR_LEFT_OPEN: self._left_open}

    @callback
    def _async_record(self, record: LockRecord) -> None:
        match record.record_type:
            case RecordType.DOOR_OPENED:
                self._attr_is_on, self._left_open = True, False
            case RecordType.DOOR_CLOSED:
                self._attr_is_on, self._left_open = False, False
            case RecordType.DOOR_NOT_CLOSED_ALARM:
                self._attr_is_on, self._left_open = True, True
            case _:
                return
        self.async_write_ha_state()
