"""Shared helpers of the guest access tests: a calendar of stays and a bound entry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.recorder.util import session_scope
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockPlatform,
    async_fire_time_changed,
    mock_platform,
)
from sqlalchemy import text

from custom_components.ttlock_access.const import (
    CONF_CALENDARS,
    CONF_CODE_LENGTH,
    CONF_CODE_PREFIX,
    CONF_CODE_SOURCE,
    CONF_DAYS_BEFORE,
    CONF_LOCKS,
    CONF_MARGIN,
    CONF_NO_SHOW_HOURS,
    DOMAIN,
    SUBENTRY_GUEST_BINDING,
)
from custom_components.ttlock_access.guest_scheduler import GuestScheduler
from simulator import FakeTTLockCloud
from simulator.state import FakeLock, FakePasscode

CALENDAR = "calendar.stays"


class StaysCalendar(CalendarEntity):
    """A calendar of bookings the tests edit directly."""

    def __init__(self, name: str = "Stays") -> None:
        self._attr_name = name
        self._attr_unique_id = name.lower().replace(" ", "_")
        self.events: dict[str, CalendarEvent] = {}
        self.fail = False
        self.reads: list[tuple[datetime, datetime]] = []  # each async_get_events window

    @property
    def event(self) -> CalendarEvent | None:
        return None

    def add(
        self,
        uid: str,
        start: datetime,
        end: datetime,
        summary: str,
        description: str | None = None,
    ) -> None:
        self.events[uid] = CalendarEvent(
            start=start, end=end, summary=summary, uid=uid, description=description
        )

    def move(self, uid: str, shift: timedelta, stretch: timedelta = timedelta()) -> None:
        event = self.events[uid]
        self.add(uid, event.start + shift, event.end + shift + stretch, event.summary)

    def cancel(self, uid: str) -> None:
        del self.events[uid]

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        self.reads.append((start_date, end_date))
        if self.fail:
            from homeassistant.exceptions import HomeAssistantError  # noqa: PLC0415

            raise HomeAssistantError("calendar down")
        return [
            event
            for event in self.events.values()
            if event.start_datetime_local < end_date and event.end_datetime_local > start_date
        ]


async def async_setup_stays(hass: HomeAssistant) -> StaysCalendar:
    """Register the calendar platform ``stays`` with one StaysCalendar."""
    (calendar,) = await async_setup_calendars(hass, ["Stays"])
    return calendar


async def async_setup_calendars(hass: HomeAssistant, names: list[str]) -> list[StaysCalendar]:
    """Register the calendar platform ``stays`` with one StaysCalendar per name."""
    calendars = [StaysCalendar(name) for name in names]

    async def setup_platform(
        hass: HomeAssistant,
        config: Any,
        async_add_entities: entity_platform.AddEntitiesCallback,
        discovery_info: Any = None,
    ) -> None:
        async_add_entities(calendars)

    mock_platform(hass, "stays.calendar", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "calendar", {"calendar": {"platform": "stays"}})
    await hass.async_block_till_done()
    return calendars


def binding_subentry(
    locks: list[int],
    *,
    calendars: list[str] | None = None,
    title: str = "Flat 1",
    days_before: int = 5,
    margin: int = 30,
    code_source: str = "random",
    code_prefix: str = "",
    code_length: int = 6,
    no_show_hours: int | None = None,
    **options: Any,
) -> ConfigSubentry:
    """A guest binding subentry (``options``: any other option, e.g. the turnover's).

    Without ``no_show_hours``: as older versions made it.
    """
    return ConfigSubentry(
        data=MappingProxyType(
            {
                CONF_CALENDARS: calendars or [CALENDAR],
                CONF_LOCKS: [str(lock_id) for lock_id in locks],
                CONF_DAYS_BEFORE: days_before,
                CONF_MARGIN: margin,
                CONF_CODE_SOURCE: code_source,
                CONF_CODE_PREFIX: code_prefix,
                CONF_CODE_LENGTH: code_length,
                **options,
            }
            | ({} if no_show_hours is None else {CONF_NO_SHOW_HOURS: no_show_hours})
        ),
        subentry_type=SUBENTRY_GUEST_BINDING,
        title=title,
        unique_id=None,
    )


def lock_named(cloud: FakeTTLockCloud, name: str) -> FakeLock:
    return next(lock for lock in cloud.locks.values() if lock.alias == name)


def guest_codes(lock: FakeLock, ignore: set[int]) -> list[FakePasscode]:
    """Codes on a lock other than ``ignore`` (the demo's own)."""
    return [code for code in lock.passcodes.values() if code.passcode_id not in ignore]


def guest_name(code: FakePasscode) -> str:
    """The guest a stay's code is named after (its name without the stay's tag)."""
    return code.name.rsplit(" #", 1)[0]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def recorded(hass: HomeAssistant) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Every event (type, data) and state (entity, state, attributes) in the database."""
    with session_scope(hass=hass, read_only=True) as session:
        events = session.execute(
            text(
                "SELECT event_types.event_type, event_data.shared_data FROM events"
                " LEFT JOIN event_types ON events.event_type_id = event_types.event_type_id"
                " LEFT JOIN event_data ON events.data_id = event_data.data_id"
            )
        ).all()
        states = session.execute(
            text(
                "SELECT states_meta.entity_id, states.state, state_attributes.shared_attrs"
                " FROM states"
                " LEFT JOIN states_meta ON states.metadata_id = states_meta.metadata_id"
                " LEFT JOIN state_attributes"
                " ON states.attributes_id = state_attributes.attributes_id"
            )
        ).all()
    return (
        [(str(row[0]), str(row[1])) for row in events],
        [(str(row[0]), str(row[1]), str(row[2])) for row in states],
    )


async def setup_bound(
    hass: HomeAssistant, entry: MockConfigEntry, locks: list[FakeLock], **binding: Any
) -> GuestScheduler:
    hass.config_entries.async_add_subentry(
        entry, binding_subentry([lock.lock_id for lock in locks], **binding)
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry.runtime_data.guests


async def go(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: datetime) -> None:
    """Move the clock and let every timer due by then run."""
    freezer.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done()


def window_ms(start: datetime, end: datetime, margin: int = 30) -> tuple[int, int]:
    return ms(start - timedelta(minutes=margin)), ms(end + timedelta(minutes=margin))


def assert_no_code(data: Mapping[str, Any], code: str) -> None:
    """An event carries no code: no key for it, not its digits, not a masked hint."""
    assert "code" not in data
    text = str(dict(data))
    assert code not in text
    assert "*" not in text  # no masked code either


async def get_guest_code(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "get_guest_code", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def guest_action(
    hass: HomeAssistant, data: dict[str, Any], lock_entity: str = "lock.front_door"
) -> dict[str, Any]:
    """Call create_guest_passcode on the stays calendar; return the lock's result."""
    response = await hass.services.async_call(
        DOMAIN,
        "create_guest_passcode",
        {"calendar": CALENDAR, **data},
        target={"entity_id": lock_entity},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    result: dict[str, Any] = response[lock_entity]  # type: ignore[assignment]
    return result
