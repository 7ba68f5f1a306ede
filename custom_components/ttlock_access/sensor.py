"""Sensors of TTLock Access: battery, signal, clock, gateway load, meters, quota, failures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfEnergy,
    UnitOfTime,
    UnitOfVolume,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ElectricMeter, WaterMeter
from .const import DEVICE_ELECTRIC_METER, DEVICE_WATER_METER
from .credential_sensor import async_setup_credential_sensors
from .data import TTLockConfigEntry
from .entity import (
    TTLockElectricMeterEntity,
    TTLockGatewayEntity,
    TTLockLockEntity,
    TTLockWaterMeterEntity,
    async_add_entities_dynamically,
)
from .failed_attempts_sensor import async_setup_failed_attempts_sensors
from .gateways_coordinator import GatewayData
from .guest_sensor import async_setup_guest_sensors
from .locks_coordinator import LockData, TTLockLocksCoordinator
from .passcode_manager import PasscodeManager
from .passcodes import MONTHLY_PASSCODE_LIMIT
from .usage_sensor import async_setup_usage_sensor

# Read-only, fed by the coordinators.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class LockSensorDescription(SensorEntityDescription):
    """A sensor of a lock."""

    value_fn: Callable[[LockData], int | float | None]
    exists_fn: Callable[[LockData], bool] = lambda _: True


@dataclass(frozen=True, kw_only=True)
class GatewaySensorDescription(SensorEntityDescription):
    """A sensor of a gateway."""

    value_fn: Callable[[GatewayData], int | None]


@dataclass(frozen=True, kw_only=True)
class ElectricSensorDescription(SensorEntityDescription):
    """A sensor of an electricity meter."""

    value_fn: Callable[[ElectricMeter], float | None]
    exists_fn: Callable[[ElectricMeter], bool] = lambda _: True


@dataclass(frozen=True, kw_only=True)
class WaterSensorDescription(SensorEntityDescription):
    """A sensor of a water meter."""

    value_fn: Callable[[WaterMeter], float | None]
    exists_fn: Callable[[WaterMeter], bool] = lambda _: True


LOCK_SENSORS: tuple[LockSensorDescription, ...] = (
    LockSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.lock.battery,
    ),
    LockSensorDescription(
        key="gateway_signal",
        translation_key="gateway_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.rssi,
        exists_fn=lambda data: data.lock.has_gateway,
    ),
    LockSensorDescription(
        # How far the lock's own clock is ahead (negative: behind); offline codes follow it.
        key="clock_drift",
        translation_key="clock_drift",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: (
            None if data.clock_drift is None else data.clock_drift.total_seconds()
        ),
        exists_fn=lambda data: data.lock.is_remote,
    ),
)

GATEWAY_SENSORS: tuple[GatewaySensorDescription, ...] = (
    GatewaySensorDescription(
        key="locks",
        translation_key="locks_served",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.gateway.lock_count,
    ),
)

ELECTRIC_SENSORS: tuple[ElectricSensorDescription, ...] = (
    ElectricSensorDescription(
        key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda meter: meter.total_kwh,
    ),
    ElectricSensorDescription(
        key="energy_balance",
        translation_key="energy_balance",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=lambda meter: meter.remaining_kwh,
        exists_fn=lambda meter: meter.prepaid,  # a postpaid meter has no balance
    ),
)

WATER_SENSORS: tuple[WaterSensorDescription, ...] = (
    WaterSensorDescription(
        key="volume",
        device_class=SensorDeviceClass.WATER,
        native_unit_of_measurement=UnitOfVolume.CUBIC_METERS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda meter: meter.total_m3,
    ),
    WaterSensorDescription(
        key="water_balance",
        translation_key="water_balance",
        device_class=SensorDeviceClass.WATER,
        native_unit_of_measurement=UnitOfVolume.CUBIC_METERS,
        value_fn=lambda meter: meter.remaining_m3,
        exists_fn=lambda meter: meter.prepaid,
    ),
    WaterSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda meter: meter.battery,
        exists_fn=lambda meter: meter.battery is not None,
    ),
)

PASSCODES_REMAINING = SensorEntityDescription(
    key="passcodes_remaining",
    translation_key="passcodes_remaining",
    state_class=SensorStateClass.MEASUREMENT,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors, and those of devices that appear later."""
    data = entry.runtime_data
    locks, gateways, meters = data.locks, data.gateways, data.meters

    def lock_candidates() -> dict[str, Callable[[], Entity]]:
        found: dict[str, Callable[[], Entity]] = {}
        for lock_id, lock_data in locks.data.items():
            for description in LOCK_SENSORS:
                if description.exists_fn(lock_data):
                    found[f"{lock_id}_{description.key}"] = partial(
                        TTLockLockSensor, locks, lock_id, description
                    )
            if data.passcodes.limited:
                found[f"{lock_id}_{PASSCODES_REMAINING.key}"] = partial(
                    TTLockPasscodesRemainingSensor, locks, lock_id, data.passcodes
                )
        return found

    def gateway_candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"gateway_{gateway_id}_{description.key}": partial(
                TTLockGatewaySensor, gateways, gateway_id, description
            )
            for gateway_id in gateways.data
            for description in GATEWAY_SENSORS
        }

    def meter_candidates() -> dict[str, Callable[[], Entity]]:
        found: dict[str, Callable[[], Entity]] = {}
        for meter_id, meter in meters.data.electric.items():
            for description in ELECTRIC_SENSORS:
                if description.exists_fn(meter):
                    found[f"{DEVICE_ELECTRIC_METER}_{meter_id}_{description.key}"] = partial(
                        TTLockElectricSensor, meters, meter_id, description
                    )
        for meter_id, water in meters.data.water.items():
            for water_description in WATER_SENSORS:
                if water_description.exists_fn(water):
                    found[f"{DEVICE_WATER_METER}_{meter_id}_{water_description.key}"] = partial(
                        TTLockWaterSensor, meters, meter_id, water_description
                    )
        return found

    async_add_entities_dynamically(entry, async_add_entities, lock_candidates, locks)
    async_add_entities_dynamically(entry, async_add_entities, gateway_candidates, gateways)
    async_add_entities_dynamically(entry, async_add_entities, meter_candidates, meters)
    async_setup_guest_sensors(hass, entry, async_add_entities)
    async_setup_usage_sensor(hass, entry, async_add_entities)
    async_setup_credential_sensors(hass, entry, async_add_entities)
    async_setup_failed_attempts_sensors(hass, entry, async_add_entities)


class TTLockLockSensor(TTLockLockEntity, SensorEntity):
    """A sensor of a lock."""

    entity_description: LockSensorDescription

    @property
    @override
    def native_value(self) -> int | float | None:
        return self.entity_description.value_fn(self.lock_data)


class TTLockPasscodesRemainingSensor(TTLockLockEntity, SensorEntity):
    """Passcodes the lock may still get this month under TTLock's allowance."""

    def __init__(
        self, coordinator: TTLockLocksCoordinator, lock_id: int, passcodes: PasscodeManager
    ) -> None:
        """Initialise the sensor."""
        super().__init__(coordinator, lock_id, PASSCODES_REMAINING)
        self._passcodes = passcodes

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._passcodes.async_add_listener(self._handle_coordinator_update))

    @property
    @override
    def native_value(self) -> int | None:
        if self._passcodes.free_until(self.lock_id) is not None:
            # The free first month: nothing counts yet, the whole allowance is ahead.
            return MONTHLY_PASSCODE_LIMIT
        return self._passcodes.remaining(self.lock_id)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        free_until = self._passcodes.free_until(self.lock_id)
        return None if free_until is None else {"unlimited_until": free_until.isoformat()}


class TTLockGatewaySensor(TTLockGatewayEntity, SensorEntity):
    """A sensor of a gateway."""

    entity_description: GatewaySensorDescription

    @property
    @override
    def native_value(self) -> int | None:
        return self.entity_description.value_fn(self.gateway_data)


class TTLockElectricSensor(TTLockElectricMeterEntity, SensorEntity):
    """A sensor of an electricity meter."""

    entity_description: ElectricSensorDescription

    @property
    @override
    def native_value(self) -> float | None:
        return self.entity_description.value_fn(self.meter)


class TTLockWaterSensor(TTLockWaterMeterEntity, SensorEntity):
    """A sensor of a water meter."""

    entity_description: WaterSensorDescription

    @property
    @override
    def native_value(self) -> float | None:
        return self.entity_description.value_fn(self.meter)
