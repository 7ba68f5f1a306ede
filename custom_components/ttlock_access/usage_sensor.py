"""The account's API call sensor: the month's use of the developer allowance, and the plan.

A diagnostic sensor on the account's service device. Its state is the calls counted this
month (the cloud's own count once read, plus what was sent since); its attributes say
the allowance, where the month is heading, what the plan reads a day, how fresh the
polled locks' state can be, and what the calls were spent on.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .allowance import AllowanceManager, polled_of, purpose_of
from .api.usage import month_start, next_reset
from .const import DOMAIN, MANUFACTURER
from .data import TTLockConfigEntry


def async_setup_usage_sensor(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's API call sensor."""
    async_add_entities([TTLockApiCallsSensor(entry.runtime_data.allowance, entry)])


class TTLockApiCallsSensor(SensorEntity):
    """Calls of this month against the developer account's allowance."""

    _attr_has_entity_name = True
    _attr_translation_key = "api_calls"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.TOTAL
    _attr_native_unit_of_measurement = "calls"
    _attr_should_poll = False

    def __init__(self, allowance: AllowanceManager, entry: TTLockConfigEntry) -> None:
        """Initialise the sensor."""
        self._allowance = allowance
        self._attr_unique_id = f"{entry.entry_id}_api_calls"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_account")},
            name=entry.title,
            manufacturer=MANUFACTURER,
            model="Cloud account",
            entry_type=DeviceEntryType.SERVICE,
        )

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self._allowance.async_add_listener(self.async_write_ha_state))

    @property
    @override
    def native_value(self) -> int:
        return self._allowance.ledger.used

    @property
    @override
    def last_reset(self) -> datetime:
        return self._month_start()

    def _month_start(self) -> datetime:
        return month_start(dt_util.utcnow())

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        allowance = self._allowance
        ledger = allowance.ledger
        now = dt_util.utcnow()
        by_purpose: Counter[str] = Counter()
        for path, count in ledger.by_path.items():
            by_purpose[purpose_of(path)] += count
        plan, facts = allowance.plan, allowance.facts
        freshness = None
        if plan is not None and facts is not None and (polled := polled_of(facts.locks)):
            worst = max(plan.per_lock[lock.lock_id] for lock in polled)
            freshness = round(worst.total_seconds() / 60)
        return {
            "allowance": allowance.allowance,
            "projected": allowance.projected(),
            "today": ledger.today(),
            # This integration's own calls, over the days it counted this month.
            "per_day": round(ledger.sent / max(len(ledger.by_day), 1)),
            "reserve": facts.reserve if facts else None,
            "planned_reads_per_day": round(plan.reads_per_day) if plan else None,
            "freshness_minutes": freshness,
            "pushed_locks": sum(1 for lock in facts.locks if lock.pushed) if facts else 0,
            "polled_locks": len(polled_of(facts.locks)) if facts else 0,
            "by_purpose": dict(sorted(by_purpose.items())),
            "resets": dt_util.as_local(next_reset(now)).isoformat(),
        }
