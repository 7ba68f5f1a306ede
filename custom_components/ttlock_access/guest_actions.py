"""The guest stay actions: ``create_guest_passcode`` and ``get_guest_code``.

A stay is named by its calendar and event (``event_uid``, or the start, end and summary a
calendar trigger gives, looked up to find the same event the scheduler knows). Both
actions work on the guest scheduler's one book of stays.

``get_guest_code`` names a stay as the ``ttlock_access_guest_code_*`` events do and
returns its code(s): the events carry no code, since the recorder keeps events; an
action's response is not recorded, so a blueprint reads the code here.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT as CALENDAR_COMPONENT
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from .action_inputs import (
    CALENDAR_FIELD,
    LOCK_ENTITY_FIELD,
    NAME_FIELD,
    TEXT_FIELD,
    Target,
    action_error,
    lock_id_of_entity,
    read_moment,
    remaining,
    resolve_targets,
)
from .const import DOMAIN
from .guest_scheduler import GuestScheduler
from .passcodes import (
    DEFAULT_GUEST_MARGIN_MINUTES,
    MAX_GUEST_MARGIN_MINUTES,
    PasscodeResult,
    iso_local,
)
from .stay_codes import PreparedCode
from .stays import GuestKey, GuestPlan, event_key

if TYPE_CHECKING:
    from .data import TTLockConfigEntry

ATTR_NAME: Final = "name"
ATTR_CALENDAR: Final = "calendar"
ATTR_EVENT_UID: Final = "event_uid"
ATTR_EVENT_START: Final = "event_start"
ATTR_EVENT_END: Final = "event_end"
ATTR_EVENT_SUMMARY: Final = "event_summary"
ATTR_MARGIN: Final = "margin"
ATTR_LOCK_ID: Final = "lock_id"
ATTR_LOCK_ENTITY_ID: Final = "lock_entity_id"

DEFAULT_GUEST_NAME: Final = "Guest"
# Where to look for an event known only by its uid.
_EVENT_LOOKBACK: Final = timedelta(days=31)
_EVENT_LOOKAHEAD: Final = timedelta(days=400)

CREATE_GUEST_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_CALENDAR): CALENDAR_FIELD,
        probatio.Optional(ATTR_EVENT_UID): TEXT_FIELD,
        probatio.Optional(ATTR_EVENT_START): cv.datetime,
        probatio.Optional(ATTR_EVENT_END): cv.datetime,
        probatio.Optional(ATTR_EVENT_SUMMARY): TEXT_FIELD,
        probatio.Optional(ATTR_MARGIN, default=DEFAULT_GUEST_MARGIN_MINUTES): probatio.All(
            probatio.Coerce(int), probatio.Range(min=0, max=MAX_GUEST_MARGIN_MINUTES)
        ),
        probatio.Optional(ATTR_NAME): NAME_FIELD,
    }
)
# The stay as the guest code events name it: no target, the lock is a field of the event.
GET_GUEST_CODE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CALENDAR): CALENDAR_FIELD,
        probatio.Required(ATTR_EVENT_UID): probatio.All(TEXT_FIELD, probatio.Length(min=1)),
        probatio.Optional(ATTR_LOCK_ID): probatio.All(probatio.Coerce(int), probatio.Range(min=1)),
        probatio.Optional(ATTR_LOCK_ENTITY_ID): LOCK_ENTITY_FIELD,
    }
)


@dataclass(frozen=True, slots=True)
class _Stay:
    key: str
    start: datetime
    end: datetime
    summary: str


async def _find_stay(hass: HomeAssistant, data: dict[str, Any]) -> _Stay:
    """Find the stay a call names: by event uid, else by the trigger's start/end."""
    calendar_id: str = data[ATTR_CALENDAR]
    uid: str | None = data.get(ATTR_EVENT_UID)
    start = read_moment(data, ATTR_EVENT_START)  # a date alone gives local midnight
    end = read_moment(data, ATTR_EVENT_END)
    summary: str = data.get(ATTR_EVENT_SUMMARY) or ""
    component = hass.data.get(CALENDAR_COMPONENT)
    entity = component.get_entity(calendar_id) if component is not None else None
    if entity is None:
        raise action_error("unknown_calendar", calendar=calendar_id)
    if uid is None:
        if start is None or end is None:
            raise action_error("event_required")
        # The event the trigger fired for, found in its calendar, has the identity the
        # scheduler gives it (its uid): both then know the stay as one.
        if event := await _event_at(hass, entity, start, end, summary):
            return _Stay(event_key(event), start, end, event.summary or summary)
        return _Stay(f"{start.isoformat()}|{end.isoformat()}|{summary}", start, end, summary)
    now = dt_util.now()
    search_start = start - timedelta(days=1) if start else now - _EVENT_LOOKBACK
    search_end = end + timedelta(days=1) if end else now + _EVENT_LOOKAHEAD
    try:
        events: list[CalendarEvent] = await entity.async_get_events(hass, search_start, search_end)
    except HomeAssistantError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="calendar_failed",
            translation_placeholders={"calendar": calendar_id, "error": str(err)},
        ) from err
    event = next((event for event in events if event.uid == uid), None)
    if event is None:
        raise action_error("unknown_event", uid=uid, calendar=calendar_id)
    return _Stay(
        event_key(event), event.start_datetime_local, event.end_datetime_local, event.summary
    )


async def _event_at(
    hass: HomeAssistant, entity: CalendarEntity, start: datetime, end: datetime, summary: str
) -> CalendarEvent | None:
    """Return the calendar's event with exactly this start and end (and summary, if given)."""
    try:
        events: list[CalendarEvent] = await entity.async_get_events(hass, start, end)
    except HomeAssistantError:
        return None  # the stay is still known by its times
    return next(
        (
            event
            for event in events
            if (event.start_datetime_local, event.end_datetime_local) == (start, end)
            and (not summary or event.summary == summary)
        ),
        None,
    )


async def async_create_guest_passcode(call: ServiceCall) -> ServiceResponse:
    """One code per stay and lock; asking again returns the same code."""
    hass = call.hass
    targets = resolve_targets(hass, call)
    data = dict(call.data)
    stay = await _find_stay(hass, data)
    margin = timedelta(minutes=data[ATTR_MARGIN])
    now = dt_util.now()
    if stay.end <= stay.start:
        raise action_error("end_before_start")
    if stay.end + margin <= now:
        raise action_error("window_in_past")

    keys = {
        id(target): GuestKey(data[ATTR_CALENDAR], stay.key, target.lock.lock_id)
        for target in targets
    }
    async with AsyncExitStack() as held:
        # One stay, one code per lock: wait for any other work on these stays (the
        # scheduler, another call), in one order so two calls never wait on each other.
        for target in sorted(targets, key=lambda target: target.lock.lock_id):
            await held.enter_async_context(target.guests.stay_lock(keys[id(target)]))
        return await _create_guest_codes(targets, keys, stay, data, now)


async def _create_guest_codes(
    targets: list[Target],
    keys: dict[int, GuestKey],
    stay: _Stay,
    data: dict[str, Any],
    now: datetime,
) -> ServiceResponse:
    """Return the stay's code on each lock: the one it has, else a new one (all or none).

    The stays live in the guest scheduler's book, as those of bound calendars do: a stay
    the scheduler already served returns its code.
    """
    margin = timedelta(minutes=data[ATTR_MARGIN])
    guest = data.get(ATTR_NAME) or stay.summary or DEFAULT_GUEST_NAME
    response: dict[str, Any] = {}
    todo: list[tuple[Target, GuestPlan, PreparedCode]] = []
    for target in targets:
        scheduler, lock = target.guests, target.lock
        plan = scheduler.action_plan(
            keys[id(target)], guest=guest, start=stay.start, end=stay.end, margin=margin, lock=lock
        )
        outcome: PasscodeResult | PreparedCode | None = await scheduler.async_serve_existing(
            plan, lock, now
        )
        if outcome is None:
            outcome = await scheduler.async_prepare(plan, lock, None, now)
        if isinstance(outcome, PasscodeResult):
            if outcome.extra.pop("adopted", False):
                await scheduler.async_remember(plan, outcome)
            response[target.key] = outcome.as_response() | {
                "reused": True,
                "quota_remaining": remaining(target),
            }
            continue
        todo.append((target, plan, outcome))

    done: list[tuple[Target, GuestPlan]] = []
    for target, plan, prepared in todo:
        try:
            result = await target.guests.async_write(plan, target.lock, prepared)
        except HomeAssistantError as err:
            await _roll_back_stays(done, err)
            raise
        await target.guests.async_remember(plan, result)
        done.append((target, plan))
        response[target.key] = result.as_response() | {
            "reused": False,
            "quota_remaining": remaining(target),
        }
    return response


async def _roll_back_stays(done: list[tuple[Target, GuestPlan]], err: HomeAssistantError) -> None:
    """Delete the stay codes a failing multi-lock call already made; report what stays."""
    left: list[str] = []
    for target, plan in done:
        passcode_id = plan.passcode_id
        if not await target.guests.async_roll_back(plan, target.lock):
            left.append(f"{target.lock.name} #{passcode_id}")
    if left:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="passcodes_left_behind",
            translation_placeholders={"passcodes": ", ".join(left), "error": str(err)},
        ) from err


async def async_get_guest_code(call: ServiceCall) -> ServiceResponse:
    """Return the code(s) of a guest stay, as the guest code events name it."""
    hass = call.hass
    data = call.data
    calendar: str = data[ATTR_CALENDAR]
    uid: str = data[ATTR_EVENT_UID]
    lock_id: int | None = data.get(ATTR_LOCK_ID)
    lock_entity_id: str | None = data.get(ATTR_LOCK_ENTITY_ID)
    if lock_entity_id is not None:
        of_entity = lock_id_of_entity(hass, lock_entity_id)
        if lock_id is not None and lock_id != of_entity:
            raise action_error("lock_mismatch", lock_id=str(lock_id), lock_entity_id=lock_entity_id)
        lock_id = of_entity
    found: list[tuple[GuestScheduler, GuestPlan]] = []
    schedulers = [
        cast("TTLockConfigEntry", entry).runtime_data.guests
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    for scheduler in schedulers:
        found += [(scheduler, plan) for plan in scheduler.stay_plans(calendar, uid)]
    if not found:
        raise action_error("unknown_guest_stay", uid=uid, calendar=calendar)
    if lock_id is not None:
        found = [(scheduler, plan) for scheduler, plan in found if plan.lock_id == lock_id]
        if not found:
            names = {scheduler.notices.lock_name(lock_id) for scheduler in schedulers}
            name = lock_entity_id or min(names - {str(lock_id)}, default=str(lock_id))
            raise action_error("guest_stay_lock", uid=uid, lock=name)
    stay = found[0][1]
    return {
        "calendar": calendar,
        "event_uid": uid,
        "guest": stay.guest,
        "checkin": iso_local(stay.start),
        "checkout": iso_local(stay.end),
        "codes": [scheduler.code_data(plan) for scheduler, plan in found],
    }
