"""Base entities of TTLock Access, and how their commands fail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .api import (
    ElectricMeter,
    TTLockError,
    WaterMeter,
)
from .const import (
    DEVICE_ELECTRIC_METER,
    DEVICE_GATEWAY,
    DEVICE_LOCK,
    DEVICE_WATER_METER,
)
from .data import TTLockConfigEntry
from .devices import device_identifier
from .errors import command_error, start_reauth_if_needed
from .gateways_coordinator import GatewayData, TTLockGatewaysCoordinator
from .locks_coordinator import LockData, TTLockLocksCoordinator
from .meters_coordinator import TTLockMetersCoordinator


@callback
def async_add_entities_dynamically(
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    candidates: Callable[[], dict[str, Callable[[], Entity]]],
    *listen_to: TTLockLocksCoordinator | TTLockGatewaysCoordinator | TTLockMetersCoordinator,
) -> None:
    """Add entities now and whenever a refresh brings new ones.

    ``candidates`` returns a factory per unique id for what the data supports now.
    """
    known: set[str] = set()

    @callback
    def add_new() -> None:
        wanted = candidates()
        known.intersection_update(wanted)
        if new := [factory() for uid, factory in wanted.items() if uid not in known]:
            known.update(uid for uid in wanted if uid not in known)
            async_add_entities(new)

    add_new()
    for coordinator in listen_to:
        entry.async_on_unload(coordinator.async_add_listener(add_new))


class TTLockLockEntity(CoordinatorEntity[TTLockLocksCoordinator]):
    """An entity of one lock."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: TTLockLocksCoordinator,
        lock_id: int,
        description: EntityDescription | None = None,
    ) -> None:
        """Initialise the entity."""
        super().__init__(coordinator)
        self.lock_id = lock_id
        if description is not None:
            self.entity_description = description
            self._attr_unique_id = f"{lock_id}_{description.key}"
        else:
            self._attr_unique_id = str(lock_id)
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(DEVICE_LOCK, lock_id)})

    @property
    def lock_data(self) -> LockData:
        """The lock's current data."""
        return self.coordinator.data[self.lock_id]

    @override
    async def async_update(self) -> None:
        """Asked for by the user (homeassistant.update_entity): read this lock now.

        One call (its records, or its state if it was unreachable), counted against the
        allowance like any other; requests within the debouncer's cooldown share it.
        """
        self.coordinator.async_read_soon([self.lock_id])

    @property
    @override
    def available(self) -> bool:
        return super().available and self.lock_id in self.coordinator.data


class TTLockRemoteLockEntity(TTLockLockEntity):
    """An entity that acts through the cloud: unavailable while the lock is unreachable."""

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.gateways.async_add_listener(self._handle_coordinator_update)
        )

    @property
    @override
    def available(self) -> bool:
        if not super().available:
            return False
        return reachable_now(self.lock_data, self.coordinator.gateways.data or {})


def reachable_now(lock_data: LockData, gateways: Mapping[int, GatewayData]) -> bool:
    """Whether the cloud can reach a lock now: it answered last, and a gateway is online.

    ``gateways``: the gateways coordinator's data (gateway id -> its data).
    """
    if not lock_data.reachable:
        return False
    states = [gateways[gid].gateway.online for gid in lock_data.gateway_ids if gid in gateways]
    # Behind gateways that are all offline: nothing gets through.
    return not states or any(states) or lock_data.lock.is_wifi


class TTLockGatewayEntity(CoordinatorEntity[TTLockGatewaysCoordinator]):
    """An entity of one gateway."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: TTLockGatewaysCoordinator,
        gateway_id: int,
        description: EntityDescription,
    ) -> None:
        """Initialise the entity."""
        super().__init__(coordinator)
        self.gateway_id = gateway_id
        self.entity_description = description
        self._attr_unique_id = f"gateway_{gateway_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={device_identifier(DEVICE_GATEWAY, gateway_id)}
        )

    @property
    def gateway_data(self) -> GatewayData:
        """The gateway's current data."""
        return self.coordinator.data[self.gateway_id]

    @property
    @override
    def available(self) -> bool:
        return super().available and self.gateway_id in self.coordinator.data


class TTLockMeterEntity(CoordinatorEntity[TTLockMetersCoordinator]):
    """An entity of one electricity or water meter."""

    _attr_has_entity_name = True
    kind: str

    def __init__(
        self,
        coordinator: TTLockMetersCoordinator,
        meter_id: int,
        description: EntityDescription,
    ) -> None:
        """Initialise the entity."""
        super().__init__(coordinator)
        self.meter_id = meter_id
        self.entity_description = description
        self._attr_unique_id = f"{self.kind}_{meter_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(self.kind, meter_id)})


class TTLockElectricMeterEntity(TTLockMeterEntity):
    """An entity of an electricity meter; unavailable while the meter is offline."""

    kind = DEVICE_ELECTRIC_METER

    @property
    def meter(self) -> ElectricMeter:
        """The meter's current data."""
        return self.coordinator.data.electric[self.meter_id]

    @property
    @override
    def available(self) -> bool:
        return (
            super().available
            and self.meter_id in self.coordinator.data.electric
            and self.meter.online
        )


class TTLockWaterMeterEntity(TTLockMeterEntity):
    """An entity of a water meter; unavailable while the meter is offline."""

    kind = DEVICE_WATER_METER

    @property
    def meter(self) -> WaterMeter:
        """The meter's current data."""
        return self.coordinator.data.water[self.meter_id]

    @property
    @override
    def available(self) -> bool:
        return (
            super().available and self.meter_id in self.coordinator.data.water and self.meter.online
        )


async def async_run_command(
    coordinator: DataUpdateCoordinator[Any], call: Awaitable[None], name: str
) -> None:
    """Await a cloud command, turning its failure into a translated error.

    A refused login also starts re-authentication of the entry.
    """
    try:
        await call
    except TTLockError as err:
        if coordinator.config_entry is not None:
            start_reauth_if_needed(coordinator.hass, coordinator.config_entry, err)
        raise command_error(err, name) from err
