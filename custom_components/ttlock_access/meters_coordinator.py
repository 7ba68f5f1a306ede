"""The account's electricity and water meters.

``/v3/electricMeter/list`` and ``/v3/waterMeter/list``, each hourly while the account has
such meters and daily while it has none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import (
    ElectricMeter,
    TTLockClient,
    TTLockNotSupportedError,
    TTLockPermissionError,
    WaterMeter,
)
from .const import (
    LOGGER,
)
from .coordinator import TTLockCoordinator, due_at
from .planner import METER_INTERVAL

if TYPE_CHECKING:
    from .allowance import AllowanceManager


@dataclass
class MetersData:
    """The account's utility meters."""

    electric: dict[int, ElectricMeter] = field(default_factory=dict)
    water: dict[int, WaterMeter] = field(default_factory=dict)


class TTLockMetersCoordinator(TTLockCoordinator[MetersData]):
    """The account's electricity and water meters, each list at its own pace."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        allowance: AllowanceManager,
    ) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass, entry, client, allowance, name="TTLock meters", update_interval=METER_INTERVAL
        )
        self._read: dict[str, datetime] = {}

    @override
    async def _async_update_data(self) -> MetersData:
        data = await self._async_guarded(self._async_fetch)
        plan = self._plan()
        self._wake_at(
            min(
                self._read[kind] + (plan.meters if present else plan.meter_recheck)
                for kind, present in (("electric", data.electric), ("water", data.water))
            )
        )
        return data

    async def _async_fetch(self) -> MetersData:
        previous = self.data or MetersData()
        return MetersData(
            electric=await self._async_list(
                "electric", previous.electric, self.client.list_electric_meters
            ),
            water=await self._async_list("water", previous.water, self.client.list_water_meters),
        )

    async def _async_list[M: (ElectricMeter, WaterMeter)](
        self, kind: str, current: dict[int, M], fetch: Callable[[], Awaitable[list[M]]]
    ) -> dict[int, M]:
        """Read one meter list if it is due (hourly with meters, daily without)."""
        plan = self._plan()
        due = due_at(self._read.get(kind), plan.meters if current else plan.meter_recheck)
        if due is not None and dt_util.utcnow() < due:
            return current
        self._read[kind] = dt_util.utcnow()
        try:
            return {meter.meter_id: meter for meter in await fetch()}
        except (TTLockNotSupportedError, TTLockPermissionError) as err:
            LOGGER.debug("No %s meters: %s", kind, err)
            return {}

    @callback
    def async_update_electric(self, meter: ElectricMeter) -> None:
        """Record a changed electricity meter (after a command)."""
        self.async_publish(
            replace(self.data, electric={**self.data.electric, meter.meter_id: meter})
        )

    @callback
    def async_update_water(self, meter: WaterMeter) -> None:
        """Record a changed water meter (after a command)."""
        self.async_publish(replace(self.data, water={**self.data.water, meter.meter_id: meter}))
