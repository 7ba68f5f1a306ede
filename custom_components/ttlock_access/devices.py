"""The device registry's view of an account: locks, gateways and meters as devices.

Devices are made before the platforms add entities (at setup) and after each refresh, so
a lock's gateway exists before the lock points at it; devices of things the account no
longer has are removed.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .api import ElectricMeter, WaterMeter
from .const import (
    DEVICE_ELECTRIC_METER,
    DEVICE_GATEWAY,
    DEVICE_LOCK,
    DEVICE_WATER_METER,
    DOMAIN,
    MANUFACTURER,
)
from .data import TTLockConfigEntry


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
