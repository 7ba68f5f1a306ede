"""Binary sensors of TTLock Access: gateway connectivity."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import TTLockConfigEntry
from .entity import TTLockGatewayEntity, async_add_entities_dynamically

# Read-only, fed by the coordinator (and pushed callbacks).
PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per gateway."""
    gateways = entry.runtime_data.gateways

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"gateway_{gateway_id}_{CONNECTIVITY.key}": partial(
                TTLockGatewayConnectivity, gateways, gateway_id, CONNECTIVITY
            )
            for gateway_id in gateways.data
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, gateways)


class TTLockGatewayConnectivity(TTLockGatewayEntity, BinarySensorEntity):
    """Whether the cloud hears the gateway."""

    @property
    @override
    def is_on(self) -> bool:
        return self.gateway_data.gateway.online
