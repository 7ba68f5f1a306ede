"""Valves of TTLock Access: the supply valve of a water meter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import override

from homeassistant.components.valve.const import ValveDeviceClass, ValveEntityFeature
from homeassistant.components.valve.entity import ValveEntity, ValveEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import MeterSupply
from .const import DEVICE_WATER_METER
from .data import TTLockConfigEntry
from .entity import TTLockWaterMeterEntity, async_add_entities_dynamically, async_run_command

# Commands go through the gateway one at a time.
PARALLEL_UPDATES = 1

VALVE = ValveEntityDescription(
    key="valve", translation_key="valve", device_class=ValveDeviceClass.WATER
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a valve per water meter."""
    meters = entry.runtime_data.meters

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{DEVICE_WATER_METER}_{meter_id}_{VALVE.key}": partial(
                TTLockWaterValve, meters, meter_id, VALVE
            )
            for meter_id in meters.data.water
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, meters)


class TTLockWaterValve(TTLockWaterMeterEntity, ValveEntity):
    """The water supply valve of a meter."""

    _attr_reports_position = False
    _attr_supported_features = ValveEntityFeature.OPEN | ValveEntityFeature.CLOSE

    @property
    @override
    def is_closed(self) -> bool | None:
        valve = self.meter.valve
        return None if valve is MeterSupply.UNKNOWN else valve is MeterSupply.OFF

    async def _async_set(self, open_: bool) -> None:
        await async_run_command(
            self.coordinator,
            self.coordinator.client.set_water_meter_valve(self.meter_id, open_),
            self.meter.name,
        )
        self.coordinator.async_update_water(
            replace(self.meter, valve=MeterSupply.ON if open_ else MeterSupply.OFF)
        )

    @override
    async def async_open_valve(self) -> None:
        await self._async_set(True)

    @override
    async def async_close_valve(self) -> None:
        await self._async_set(False)
