"""The access calendar of each lock: who can open it when (read-only).

Its events are the validity windows of the lock's credentials (guest stay codes, timed
and custom codes, cards, fingerprints, eKeys) as last read by the credentials
coordinator, so HA's calendar dashboard shows who can enter which door when. Permanent
credentials have no window and are not shown (``get_lock_users`` lists them). No call of
its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import override

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .access import Access, windows
from .const import DEVICE_LOCK
from .credentials_coordinator import TTLockCredentialsCoordinator
from .data import TTLockConfigEntry
from .devices import device_identifier
from .entity import async_add_entities_dynamically

# Read-only, fed by the credentials coordinator.
PARALLEL_UPDATES = 0

ACCESS = CalendarEntityDescription(key="access", translation_key="access")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an access calendar per lock."""
    locks, credentials = entry.runtime_data.locks, entry.runtime_data.credentials

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{ACCESS.key}": partial(TTLockAccessCalendar, credentials, lock_id)
            for lock_id in locks.data
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


def _event(access: Access) -> CalendarEvent:
    assert access.start is not None
    assert access.end is not None
    return CalendarEvent(
        start=dt_util.as_local(access.start),
        end=dt_util.as_local(access.end),
        summary=access.summary,
        description=" · ".join(part for part in (access.kind, access.detail) if part),
        uid=f"{access.kind}-{access.credential_id}",
    )


class TTLockAccessCalendar(CoordinatorEntity[TTLockCredentialsCoordinator], CalendarEntity):
    """The lock's credentials with a window, as calendar events."""

    _attr_has_entity_name = True
    entity_description = ACCESS

    def __init__(self, coordinator: TTLockCredentialsCoordinator, lock_id: int) -> None:
        """Initialise the calendar on the lock's device."""
        super().__init__(coordinator)
        self.lock_id = lock_id
        self._attr_unique_id = f"{lock_id}_{ACCESS.key}"
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(DEVICE_LOCK, lock_id)})

    def _accesses(self) -> list[Access]:
        view = (self.coordinator.data or {}).get(self.lock_id)
        return [] if view is None else list(view.accesses)

    @property
    @override
    def available(self) -> bool:
        return super().available and self.lock_id in (self.coordinator.data or {})

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The window open now, else the next one."""
        now = dt_util.utcnow()
        upcoming = windows(self._accesses(), now, datetime.max.replace(tzinfo=now.tzinfo))
        return _event(upcoming[0]) if upcoming else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        return [_event(access) for access in windows(self._accesses(), start_date, end_date)]
