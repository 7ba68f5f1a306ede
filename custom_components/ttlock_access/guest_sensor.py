"""The guest access sensors: per binding, its next stay and the host's month plan.

The state is the next (or current) stay's arrival, a timestamp, as far as the scheduler's
look-ahead sees (60 days on the binding's calendars), whether its code exists yet or not:
a stay whose code is still to come shows status ``planned`` and no code. The attributes
name the guest and the booking (calendar, event uid) and, per lock, the code, its validity
and status, so a message template can use them. The codes are in the ``locks`` attribute
only, which the recorder does not keep; the state never shows a code. The stay under way
(which the state skips) is named too: ``current_guest``, ``current_checkout`` and
``arrived_at``, its first use on any of its locks (None until one is read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .arrivals import arrived_at
from .const import DOMAIN, MANUFACTURER
from .data import TTLockConfigEntry
from .entity import reachable_now
from .guest_scheduler import GuestScheduler
from .host_overview import LockStatus
from .passcodes import iso_local
from .stays import bindings_of


def async_setup_guest_sensors(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of each binding (each under its config subentry)."""
    scheduler = entry.runtime_data.guests
    for binding_id, binding in bindings_of(entry).items():
        async_add_entities(
            [
                TTLockGuestStaySensor(scheduler, binding_id, binding.title),
                TTLockMonthPlanSensor(entry, binding_id, binding.title),
            ],
            config_subentry_id=binding_id,
        )


def _binding_device(binding_id: str, title: str) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, f"guest_binding_{binding_id}")},
        name=title,
        manufacturer=MANUFACTURER,
        model="Guest access",
        entry_type=DeviceEntryType.SERVICE,
    )


class TTLockGuestStaySensor(SensorEntity):
    """The next stay of a binding."""

    _attr_has_entity_name = True
    _attr_translation_key = "next_stay"
    _attr_device_class = SensorDeviceClass.TIMESTAMP
    _attr_should_poll = False
    # Codes are secrets: they stay out of the recorder's history.
    _unrecorded_attributes = frozenset({"locks"})

    def __init__(self, scheduler: GuestScheduler, binding_id: str, title: str) -> None:
        """Initialise the sensor."""
        self._scheduler = scheduler
        self._binding_id = binding_id
        self._attr_unique_id = f"guest_binding_{binding_id}_next_stay"
        self._attr_device_info = _binding_device(binding_id, title)

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self._scheduler.async_add_listener(self.async_write_ha_state))

    @property
    @override
    def native_value(self) -> datetime | None:
        plans = self._scheduler.next_stay(self._binding_id, dt_util.now())
        return plans[0].start if plans else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        now = dt_util.now()
        plans = self._scheduler.next_stay(self._binding_id, now)
        current = self._current(now)
        if not plans:
            return {"guest": None, "checkin": None, "checkout": None, "locks": []} | current
        first = plans[0]
        return {
            "guest": first.guest,
            "calendar": first.calendar,
            "event_uid": first.event,
            "checkin": dt_util.as_local(first.start).isoformat(),
            "checkout": dt_util.as_local(first.end).isoformat(),
            "locks": [
                plan.public(self._scheduler.notices.lock_name(plan.lock_id), with_code=True)
                for plan in plans
            ],
        } | current

    def _current(self, now: datetime) -> dict[str, Any]:
        """Return the stay under way (the state skips it) and whether its guest arrived."""
        plans = self._scheduler.current_stay(self._binding_id, now)
        if not plans:
            return {"current_guest": None, "current_checkout": None, "arrived_at": None}
        return {
            "current_guest": plans[0].guest,
            "current_checkout": iso_local(plans[0].end),
            "arrived_at": iso_local(arrived_at(plans)),  # None until a use is read
        }


class TTLockMonthPlanSensor(SensorEntity):
    """A host's month on one binding: stays, codes needed and left, stays at risk.

    The state is the number of stays checking in this calendar month; the attributes are
    ``host_overview.month_plan`` (no code, no phone number: guests' names and times).
    Built from what is known, at no cloud call.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "month_plan"
    _attr_should_poll = False

    def __init__(self, entry: TTLockConfigEntry, binding_id: str, title: str) -> None:
        """Initialise the sensor."""
        self._entry = entry
        self._binding_id = binding_id
        self._attr_unique_id = f"guest_binding_{binding_id}_month_plan"
        self._attr_device_info = _binding_device(binding_id, title)
        self._plan: dict[str, Any] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        data = self._entry.runtime_data
        for source in (data.guests, data.locks, data.gateways, data.passcodes):
            self.async_on_remove(source.async_add_listener(self._async_update))
        self._update()

    def _update(self) -> None:
        data = self._entry.runtime_data
        locks = {
            lock_id: LockStatus(
                name=lock.lock.name,
                reachable=reachable_now(lock, data.gateways.data or {}),
                battery=lock.lock.battery,
                codes_left=data.passcodes.remaining(lock_id),
            )
            for lock_id, lock in (data.locks.data or {}).items()
        }
        self._plan = data.guests.month_plan(self._binding_id, locks, dt_util.now())

    @callback
    def _async_update(self) -> None:
        self._update()
        self.async_write_ha_state()

    @property
    @override
    def native_value(self) -> int | None:
        return None if self._plan is None else int(self._plan["stays"])

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        return {key: value for key, value in (self._plan or {}).items() if key != "stays"}
