"""Reading a bound calendar: which stays are there, which are gone, what lies ahead.

The short read covers ``[now - margin, now + days_before + 1 day]`` (a stay just checked
out is still there, not cancelled). The look-ahead read (``LOOK_AHEAD``) is wider and only
feeds the "Next stay" sensor; plans take the part within the horizon. A known stay missing
from both counts as cancelled only if a wide look-up by its key does not find it elsewhere
(a booking moved months ahead keeps its plan). An unavailable calendar cancels nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT as CALENDAR_COMPONENT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .stays import DEFAULT_GUEST_NAME, MAX_NAME_LENGTH, Stay, event_key

_LOGGER = logging.getLogger(__name__)

# How far ahead the sensor shows a booking whose plan does not exist yet.
LOOK_AHEAD: Final = timedelta(days=60)
# Where a stay missing from the horizon is looked for before it counts as cancelled.
WIDE_LOOKUP: Final = timedelta(days=400)


@dataclass(frozen=True, slots=True)
class CalendarRead:
    """What one read of a bound calendar found."""

    found: dict[str, CalendarEvent]  # the stays plans follow, by event key
    cancelled: list[str]  # keys of known stays that are gone
    ahead: tuple[Stay, ...] | None  # the bookings of the look-ahead (None: not read)


async def async_events(
    hass: HomeAssistant, calendar: str, start: datetime, end: datetime
) -> list[CalendarEvent] | None:
    """Return a calendar's events in a window; None while it cannot be read."""
    component = hass.data.get(CALENDAR_COMPONENT)
    entity = component.get_entity(calendar) if component is not None else None
    if entity is None:
        _LOGGER.debug("Calendar %s is not available", calendar)
        return None
    try:
        events: list[CalendarEvent] = await entity.async_get_events(hass, start, end)
    except HomeAssistantError as err:
        _LOGGER.warning("Could not read calendar %s: %s", calendar, err)
        return None
    return events


def stays_of(calendar: str, events: list[CalendarEvent]) -> tuple[Stay, ...]:
    """Return the bookings of a read, by arrival."""
    stays = [
        Stay(
            calendar=calendar,
            event=event_key(event),
            guest=(event.summary or DEFAULT_GUEST_NAME)[:MAX_NAME_LENGTH],
            start=event.start_datetime_local,
            end=event.end_datetime_local,
        )
        for event in events
        if event.end_datetime_local > event.start_datetime_local
    ]
    return tuple(sorted(stays, key=lambda stay: (stay.start, stay.event)))


async def async_read_calendar(
    hass: HomeAssistant,
    calendar: str,
    known: Mapping[str, tuple[datetime, datetime]],
    *,
    now: datetime,
    margin: timedelta,
    horizon: timedelta,
    look_ahead: bool,
) -> CalendarRead | None:
    """Read one calendar for the plans of its known stays.

    ``known``: event key -> (the stay's start, the end of its code's validity). A known
    stay is looked for until its code's validity ends (an offline code's, rounded up to
    the hour, may outlast the stay's window); where it is missing, from its start on. None
    while the calendar cannot be read: nothing then counts as cancelled.
    """
    horizon_end = now + horizon
    since = now - margin
    read_end = max(horizon_end, now + LOOK_AHEAD) if look_ahead else horizon_end
    events = await async_events(hass, calendar, since, read_end)
    if events is None:
        return None
    ahead: dict[str, CalendarEvent] = {}
    stays: tuple[Stay, ...] | None = None
    if look_ahead:
        ahead = {event_key(event): event for event in events}
        stays = stays_of(calendar, events)
        # Plans only within the horizon: a stay known early gets no code early.
        events = [event for event in events if event.start_datetime_local < horizon_end]
    found = {event_key(event): event for event in events}
    missing = [
        key
        for key, (start, until) in known.items()
        if key not in found and start < read_end and until > now
    ]
    for key in list(missing):
        if (event := ahead.get(key)) is not None:
            found[key] = event  # moved further ahead, within the look-ahead
            missing.remove(key)
    cancelled: list[str] = []
    if missing:
        # From the earliest start: a stay moved earlier, or just over, is still there.
        wide_start = min([since, *(known[key][0] for key in missing)])
        wide = await async_events(hass, calendar, wide_start, now + WIDE_LOOKUP)
        if wide is None:
            return None
        found_wide = {event_key(event): event for event in wide}
        for key in missing:
            if (event := found_wide.get(key)) is not None:
                found[key] = event
            else:
                cancelled.append(key)
    return CalendarRead(found=found, cancelled=cancelled, ahead=stays)
