"""Base entities, device registry upkeep and command error handling of TTLock Access."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
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
    DOMAIN,
    MANUFACTURER,
)
from .coordinator import (
    GatewayData,
    LockData,
    TTLockGatewaysCoordinator,
    TTLockLocksCoordinator,
    TTLockMetersCoordinator,
)
from .data import TTLockConfigEntry
from .errors import command_error, start_reauth_if_needed


def device_identifier(kind: str, object_id: int) -> tuple[str, str]:
    """Return the device registry identifier of a lock, gateway or meter."""
    return (DOMAIN, f"{kind}_{object_id}")


def parse_device_identifier(identifier: tuple[str, str]) -> tuple[str, int] | None:
    """Inverse of ``device_identifier``; None for a foreign or malformed one."""
    domain, value = identifier
    kind, _, object_id = value.rpartition("_")
    if domain != DOMAIN or not object_id.isdigit():
        return None
    return kind, int(object_id)


@callback
def async_current_devices(entry: TTLockConfigEntry) -> set[tuple[str, int]]:
    """Return the (kind, id) of every device the account has now."""
    data = entry.runtime_data
    current = {(DEVICE_LOCK, lock_id) for lock_id in data.locks.data or {}}
    current |= {(DEVICE_GATEWAY, gateway_id) for gateway_id in data.gateways.data or {}}
    if meters := data.meters.data:
        current |= {(DEVICE_ELECTRIC_METER, meter_id) for meter_id in meters.electric}
        current |= {(DEVICE_WATER_METER, meter_id) for meter_id in meters.water}
    return current


@callback
def async_sync_devices(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Register every device with full information; remove those the account lost.

    Runs before the platforms add entities (at setup) and after each refresh, so a lock's
    gateway is registered before the lock names it as its via device.
    """
    registry = dr.async_get(hass)
    data = entry.runtime_data
    entry_id = entry.entry_id
    gateway_device_ids: dict[int, str] = {}
    for gateway_id, gateway_data in (data.gateways.data or {}).items():
        gateway = gateway_data.gateway
        device = registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={device_identifier(DEVICE_GATEWAY, gateway_id)},
            manufacturer=MANUFACTURER,
            model=f"G{gateway.version}" if gateway.version else "Gateway",
            name=gateway.name,
        )
        gateway_device_ids[gateway_id] = device.id
    for lock_id, lock_data in (data.locks.data or {}).items():
        detail = lock_data.detail
        via = next(
            (gateway_device_ids[gid] for gid in lock_data.gateway_ids if gid in gateway_device_ids),
            None,
        )
        registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={device_identifier(DEVICE_LOCK, lock_id)},
            manufacturer=MANUFACTURER,
            model=(detail.model if detail else None) or "Smart lock",
            name=lock_data.lock.name,
            sw_version=detail.firmware if detail else None,
            hw_version=detail.hardware if detail else None,
            via_device_id=via,
        )
    if meters := data.meters.data:
        for meter in meters.electric.values():
            _register_meter(registry, entry_id, DEVICE_ELECTRIC_METER, meter, "Electricity meter")
        for water in meters.water.values():
            _register_meter(registry, entry_id, DEVICE_WATER_METER, water, "Water meter")

    if not all(
        coordinator.last_update_success for coordinator in (data.locks, data.gateways, data.meters)
    ):
        return  # what a failed refresh did not list is not gone
    current = async_current_devices(entry)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        known = [parse_device_identifier(identifier) for identifier in device.identifiers]
        if any(item is not None and item not in current for item in known):
            registry.async_remove_device(device.id)


def _register_meter(
    registry: dr.DeviceRegistry,
    entry_id: str,
    kind: str,
    meter: ElectricMeter | WaterMeter,
    model: str,
) -> None:
    registry.async_get_or_create(
        config_entry_id=entry_id,
        identifiers={device_identifier(kind, meter.meter_id)},
        manufacturer=MANUFACTURER,
        model=model,
        name=meter.name,
        serial_number=meter.number or None,
    )


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
        lock_data = self.lock_data
        if not lock_data.reachable:
            return False
        gateways = self.coordinator.gateways.data or {}
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
