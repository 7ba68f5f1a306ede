"""Passcode actions of TTLock Access.

Registered in ``async_setup`` so they exist before (and whether or not) an entry loads.
They target locks (lock entities, devices, areas or labels); each lock's result is keyed
by its lock entity id in the response, as entity actions do.

``get_guest_code`` is the exception: it names a guest stay as the
``ttlock_access_guest_code_*`` events do (calendar, event uid, and a lock id or lock
entity) and returns its code(s). The events carry no code, since the recorder keeps
events; an action's response is not recorded, so a blueprint reads the code here.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast
import unicodedata

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT as CALENDAR_COMPONENT
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    target as target_helpers,
)
from homeassistant.util import dt as dt_util
import probatio

from .api import Lock, Passcode, PasscodeStatus
from .const import DOMAIN
from .guest_scheduler import GuestScheduler
from .passcode_manager import PasscodeManager
from .passcodes import (
    CUSTOM_CODE_MAX_LENGTH,
    DEFAULT_GUEST_MARGIN_MINUTES,
    MAX_GUEST_MARGIN_MINUTES,
    Cycle,
    PasscodeKind,
    PasscodePlan,
    PasscodeRequest,
    PasscodeResult,
    ceil_hour,
    ceil_minute,
    floor_hour,
    floor_minute,
    iso_local,
    kind_of,
    mask_code,
    plan_passcode,
    validate_custom_code,
)
from .stay_codes import PreparedCode
from .stays import EARLIEST_MOMENT, LATEST_MOMENT, GuestKey, GuestPlan, event_key

if TYPE_CHECKING:
    from .data import TTLockConfigEntry

SERVICE_CREATE_PASSCODE: Final = "create_passcode"
SERVICE_CREATE_GUEST_PASSCODE: Final = "create_guest_passcode"
SERVICE_CHANGE_PASSCODE: Final = "change_passcode"
SERVICE_DELETE_PASSCODE: Final = "delete_passcode"
SERVICE_LIST_PASSCODES: Final = "list_passcodes"
SERVICE_GET_GUEST_CODE: Final = "get_guest_code"

ATTR_TYPE: Final = "type"
ATTR_NAME: Final = "name"
ATTR_CODE: Final = "code"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_CYCLE: Final = "cycle"
ATTR_START_HOUR: Final = "start_hour"
ATTR_END_HOUR: Final = "end_hour"
ATTR_CONFIRM: Final = "confirm"
ATTR_PASSCODE_ID: Final = "passcode_id"
ATTR_REVEAL: Final = "reveal"
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


def _printable(value: str) -> str:
    """Return a name as the cloud and the TTLock app show it: trimmed, no control codes."""
    value = value.strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in value):
        raise probatio.Invalid("control characters are not allowed")
    return value


_NAME = probatio.All(cv.string, _printable, probatio.Length(min=1, max=100))
_TEXT = probatio.All(cv.string, probatio.Length(max=1000))
_ID = probatio.All(cv.positive_int, probatio.Range(max=2**53))
# A string first: Home Assistant's entity id check fails with a TypeError on a number.
_CALENDAR = probatio.All(cv.string, cv.entity_domain("calendar"))
_LOCK_ENTITY = probatio.All(cv.string, cv.entity_domain("lock"))
_CODE = probatio.All(cv.string, probatio.Length(max=CUSTOM_CODE_MAX_LENGTH * 2))
_HOUR = probatio.All(probatio.Coerce(int), probatio.Range(min=0, max=23))

CREATE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_TYPE): probatio.Coerce(PasscodeKind),
        probatio.Required(ATTR_NAME): _NAME,
        probatio.Optional(ATTR_CODE): _CODE,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_CYCLE): probatio.Coerce(Cycle),
        probatio.Optional(ATTR_START_HOUR): _HOUR,
        probatio.Optional(ATTR_END_HOUR): _HOUR,
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)
CREATE_GUEST_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_CALENDAR): _CALENDAR,
        probatio.Optional(ATTR_EVENT_UID): _TEXT,
        probatio.Optional(ATTR_EVENT_START): cv.datetime,
        probatio.Optional(ATTR_EVENT_END): cv.datetime,
        probatio.Optional(ATTR_EVENT_SUMMARY): _TEXT,
        probatio.Optional(ATTR_MARGIN, default=DEFAULT_GUEST_MARGIN_MINUTES): probatio.All(
            probatio.Coerce(int), probatio.Range(min=0, max=MAX_GUEST_MARGIN_MINUTES)
        ),
        probatio.Optional(ATTR_NAME): _NAME,
    }
)
CHANGE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_PASSCODE_ID): _ID,
        probatio.Optional(ATTR_CODE): _CODE,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_NAME): _NAME,
    }
)
DELETE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Required(ATTR_PASSCODE_ID): _ID}
)
LIST_PASSCODES_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Optional(ATTR_REVEAL, default=False): cv.boolean}
)
# The stay as the guest code events name it: no target, the lock is a field of the event.
GET_GUEST_CODE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CALENDAR): _CALENDAR,
        probatio.Required(ATTR_EVENT_UID): probatio.All(_TEXT, probatio.Length(min=1)),
        probatio.Optional(ATTR_LOCK_ID): probatio.All(probatio.Coerce(int), probatio.Range(min=1)),
        probatio.Optional(ATTR_LOCK_ENTITY_ID): _LOCK_ENTITY,
    }
)


@dataclass(frozen=True, slots=True)
class _Target:
    """One targeted lock of a loaded entry."""

    key: str  # the lock entity id, else the device id: keys the response
    entry: TTLockConfigEntry
    lock: Lock

    @property
    def manager(self) -> PasscodeManager:
        return self.entry.runtime_data.passcodes

    @property
    def guests(self) -> GuestScheduler:
        return self.entry.runtime_data.guests


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Read action datetimes without a zone in Home Assistant's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def _moment(data: dict[str, Any] | Any, field: str) -> datetime | None:
    """Read one datetime field of an action: aware, and within years the cloud takes."""
    value = _aware(data.get(field))
    if value is not None and not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        raise _error(
            "date_out_of_range",
            field=field,
            earliest=EARLIEST_MOMENT.date().isoformat(),
            latest=LATEST_MOMENT.date().isoformat(),
        )
    return value


def _lock_id_of_device(device: dr.DeviceEntry) -> int | None:
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier.startswith("lock_"):
            return int(identifier.removeprefix("lock_"))
    return None


@callback
def _resolve_targets(hass: HomeAssistant, call: ServiceCall) -> list[_Target]:
    """Find the locks a call targets; unknown or foreign explicit targets are errors.

    A lock is its device: target the device, or any entity of it (a lock without a
    gateway has no lock entity, only sensors). Each lock's result is keyed by what was
    targeted: the entity id or device id given, else (areas, labels) the lock entity id
    or, without one, the device id.
    """
    selection = target_helpers.TargetSelection(call.data)
    selected = target_helpers.async_extract_referenced_entity_ids(hass, selection)
    ent_reg = er.async_get(hass)
    dev_reg = dr.async_get(hass)
    found: dict[tuple[str, int], str] = {}  # (entry_id, lock_id) -> response key

    def lock_of_device(device_id: str | None) -> tuple[str, int] | None:
        device = dev_reg.async_get(device_id) if device_id else None
        if not isinstance(device, dr.DeviceEntry):
            return None
        lock_id = _lock_id_of_device(device)
        return None if lock_id is None else (device.config_entry_id, lock_id)

    def lock_of_entity(entity_id: str) -> tuple[tuple[str, int], er.RegistryEntry] | None:
        entity = ent_reg.async_get(entity_id)
        if entity is None or entity.platform != DOMAIN:
            return None
        lock = lock_of_device(entity.device_id)
        return None if lock is None else (lock, entity)

    for entity_id in sorted(selected.referenced):
        if (resolved := lock_of_entity(entity_id)) is None:
            raise _error("unknown_lock", target=entity_id)
        found.setdefault(resolved[0], entity_id)
    for device_id in sorted(selection.device_ids):
        if (lock := lock_of_device(device_id)) is None:
            raise _error("unknown_lock", target=device_id)
        found.setdefault(lock, device_id)
    for entity_id in sorted(selected.indirectly_referenced):
        if (resolved := lock_of_entity(entity_id)) is not None:
            lock, entity = resolved
            if entity.domain == Platform.LOCK:
                found[lock] = found.get(lock) or entity_id
            else:
                found.setdefault(lock, cast("str", entity.device_id))
        # Other entities in a targeted area or label are simply not locks.

    if not found:
        raise _error("no_lock_targeted")
    targets: list[_Target] = []
    for (entry_id, lock_id), key in found.items():
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:  # pragma: no cover - registry says ours
            raise _error("unknown_lock", target=key)
        if entry.state is not ConfigEntryState.LOADED:
            raise _error("entry_not_loaded", entry=entry.title)
        entry = cast("TTLockConfigEntry", entry)
        lock_data = entry.runtime_data.locks.data.get(lock_id)
        if lock_data is None:
            raise _error("unknown_lock", target=key)
        targets.append(_Target(key, entry, lock_data.lock))
    return targets


def _single_target(hass: HomeAssistant, call: ServiceCall) -> _Target:
    targets = _resolve_targets(hass, call)
    if len(targets) != 1:
        raise _error("single_lock_required")
    return targets[0]


def _require_gateway(lock: Lock) -> None:
    if not lock.is_remote:
        raise _error("gateway_required", lock_name=lock.name)


async def _create_all(
    items: list[tuple[_Target, PasscodePlan, list[Passcode] | None]],
) -> list[tuple[_Target, PasscodeResult]]:
    """Create one code per lock; if one fails, delete those already made."""
    done: list[tuple[_Target, PasscodeResult]] = []
    for target, plan, existing in items:
        try:
            result = await target.manager.async_create(target.lock, plan, existing)
        except HomeAssistantError as err:
            await _roll_back(done, err)
            raise
        done.append((target, result))
    return done


async def _roll_back(done: list[tuple[_Target, PasscodeResult]], err: HomeAssistantError) -> None:
    """Delete what a failing multi-lock call already created; report what stays."""
    left: list[str] = []
    for target, result in done:
        if not await target.manager.async_rollback(target.lock, result.passcode_id):
            left.append(f"{target.lock.name} #{result.passcode_id}")
    if left:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="passcodes_left_behind",
            translation_placeholders={"passcodes": ", ".join(left), "error": str(err)},
        ) from err


async def _async_create_passcode(call: ServiceCall) -> ServiceResponse:
    """Create a passcode on each targeted lock."""
    targets = _resolve_targets(call.hass, call)
    data = call.data
    request = PasscodeRequest(
        kind=data[ATTR_TYPE],
        name=data[ATTR_NAME],
        code=data.get(ATTR_CODE),
        start=_moment(data, ATTR_START),
        end=_moment(data, ATTR_END),
        cycle=data.get(ATTR_CYCLE),
        start_hour=data.get(ATTR_START_HOUR),
        end_hour=data.get(ATTR_END_HOUR),
        confirm=data[ATTR_CONFIRM],
    )
    now = dt_util.now()
    plans = [(target, plan_passcode(request, target.lock, now)) for target in targets]
    # Every cloud-side check (quota, codes in use) passes before anything is created.
    prepared = [
        (target, plan, await target.manager.async_prepare(target.lock, plan))
        for target, plan in plans
    ]
    created = await _create_all(prepared)
    return {
        target.key: result.as_response() | {"quota_remaining": _remaining(target)}
        for target, result in created
    }


def _remaining(target: _Target) -> int | None:
    return target.manager.remaining(target.lock.lock_id)


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
    start = _moment(data, ATTR_EVENT_START)  # a date alone gives local midnight
    end = _moment(data, ATTR_EVENT_END)
    summary: str = data.get(ATTR_EVENT_SUMMARY) or ""
    component = hass.data.get(CALENDAR_COMPONENT)
    entity = component.get_entity(calendar_id) if component is not None else None
    if entity is None:
        raise _error("unknown_calendar", calendar=calendar_id)
    if uid is None:
        if start is None or end is None:
            raise _error("event_required")
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
        raise _error("unknown_event", uid=uid, calendar=calendar_id)
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


async def _async_create_guest_passcode(call: ServiceCall) -> ServiceResponse:
    """One code per stay and lock; asking again returns the same code."""
    hass = call.hass
    targets = _resolve_targets(hass, call)
    data = dict(call.data)
    stay = await _find_stay(hass, data)
    margin = timedelta(minutes=data[ATTR_MARGIN])
    now = dt_util.now()
    if stay.end <= stay.start:
        raise _error("end_before_start")
    if stay.end + margin <= now:
        raise _error("window_in_past")

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
    targets: list[_Target],
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
    todo: list[tuple[_Target, GuestPlan, PreparedCode]] = []
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
                "quota_remaining": _remaining(target),
            }
            continue
        todo.append((target, plan, outcome))

    done: list[tuple[_Target, GuestPlan]] = []
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
            "quota_remaining": _remaining(target),
        }
    return response


async def _roll_back_stays(done: list[tuple[_Target, GuestPlan]], err: HomeAssistantError) -> None:
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


async def _async_change_passcode(call: ServiceCall) -> ServiceResponse:
    """Change the value and/or period (and name) of a code on one lock."""
    target = _single_target(call.hass, call)
    lock, manager = target.lock, target.manager
    data = call.data
    passcode_id: int = data[ATTR_PASSCODE_ID]
    new_code: str | None = data.get(ATTR_CODE)
    start, end = _moment(data, ATTR_START), _moment(data, ATTR_END)
    name: str | None = data.get(ATTR_NAME)
    if new_code is None and start is None and end is None and name is None:
        raise _error("nothing_to_change")
    if new_code is not None:
        new_code = validate_custom_code(new_code)
    if new_code is not None or start is not None or end is not None:
        _require_gateway(lock)  # a new name alone needs no lock operation
    existing = await manager.async_list(lock)
    passcode = next((p for p in existing if p.passcode_id == passcode_id), None)
    if passcode is None:
        raise _error("unknown_passcode", passcode_id=str(passcode_id), lock_name=lock.name)
    if new_code is not None:
        if not passcode.is_custom:
            raise _error("offline_code_value")
        if any(p.code == new_code and p.passcode_id != passcode_id for p in existing):
            raise _error("code_in_use", lock_name=lock.name)
    new_start, new_end = passcode.start, passcode.end
    if start is not None or end is not None:
        new_end = end or passcode.end
        if new_end is None:
            raise _error("missing_field", field=ATTR_END)
        new_start = start or passcode.start or dt_util.now()
        if passcode.is_custom:
            new_start, new_end = floor_minute(new_start), ceil_minute(new_end)
        else:
            new_start, new_end = floor_hour(new_start), ceil_hour(new_end)
        if new_end <= dt_util.now():
            raise _error("window_in_past")
        if new_end <= new_start:
            raise _error("end_before_start")
    period_changed = start is not None or end is not None
    await manager.async_change(
        lock,
        passcode_id,
        name=name,
        new_code=new_code,
        start=new_start if period_changed else None,
        end=new_end if period_changed else None,
    )
    result = PasscodeResult(
        lock_id=lock.lock_id,
        passcode_id=passcode_id,
        code=new_code or passcode.code,
        kind=kind_of(passcode),
        name=name or passcode.name,
        offline=not passcode.is_custom,
        valid_from=new_start,
        valid_to=new_end,
    )
    response = result.as_response()
    response.pop("warning", None)
    response.pop("must_be_used_by", None)
    return {target.key: response}


async def _async_delete_passcode(call: ServiceCall) -> ServiceResponse:
    """Delete a code from one lock through its gateway."""
    target = _single_target(call.hass, call)
    lock, manager = target.lock, target.manager
    passcode_id: int = call.data[ATTR_PASSCODE_ID]
    _require_gateway(lock)
    existing = await manager.async_list(lock)
    if not any(p.passcode_id == passcode_id for p in existing):
        raise _error("unknown_passcode", passcode_id=str(passcode_id), lock_name=lock.name)
    await manager.async_delete(lock, passcode_id)
    await target.guests.async_forget_code(lock.lock_id, passcode_id)
    return {target.key: {"passcode_id": passcode_id, "deleted": True}}


def _listed(passcode: Passcode, *, reveal: bool) -> dict[str, Any]:
    kind = kind_of(passcode)
    status = passcode.status
    status_name: str | int | None = status
    if status is not None and status in PasscodeStatus:
        status_name = PasscodeStatus(status).name.lower()
    item: dict[str, Any] = {
        "passcode_id": passcode.passcode_id,
        "name": passcode.name,
        "code": passcode.code if reveal else mask_code(passcode.code),
        "type": kind.value,
        "valid_from": iso_local(passcode.start),
        "valid_to": iso_local(passcode.end),
        "created": iso_local(passcode.created),
        "status": status_name,
    }
    if kind is PasscodeKind.RECURRING:
        item["cycle"] = Cycle[passcode.type.name].value
    return item


async def _async_list_passcodes(call: ServiceCall) -> ServiceResponse:
    """List the codes of each targeted lock, masked unless asked to reveal them."""
    reveal: bool = call.data[ATTR_REVEAL]
    if reveal and call.context.user_id is not None:
        # Codes in clear are for administrators (automations run without a user).
        user = await call.hass.auth.async_get_user(call.context.user_id)
        if user is None or not user.is_admin:
            raise _error("reveal_needs_admin")
    response: dict[str, Any] = {}
    for target in _resolve_targets(call.hass, call):
        passcodes = await target.manager.async_list(target.lock)
        response[target.key] = {
            "passcodes": [_listed(passcode, reveal=reveal) for passcode in passcodes],
            "quota_remaining": _remaining(target),
        }
    return response


def _lock_id_of_entity(hass: HomeAssistant, entity_id: str) -> int:
    """Return the TTLock lock id behind an entity of this integration."""
    entity = er.async_get(hass).async_get(entity_id)
    device = (
        dr.async_get(hass).async_get(entity.device_id)
        if entity is not None and entity.platform == DOMAIN and entity.device_id
        else None
    )
    lock_id = _lock_id_of_device(device) if isinstance(device, dr.DeviceEntry) else None
    if lock_id is None:
        raise _error("unknown_lock", target=entity_id)
    return lock_id


async def _async_get_guest_code(call: ServiceCall) -> ServiceResponse:
    """Return the code(s) of a guest stay, as the guest code events name it."""
    hass = call.hass
    data = call.data
    calendar: str = data[ATTR_CALENDAR]
    uid: str = data[ATTR_EVENT_UID]
    lock_id: int | None = data.get(ATTR_LOCK_ID)
    lock_entity_id: str | None = data.get(ATTR_LOCK_ENTITY_ID)
    if lock_entity_id is not None:
        of_entity = _lock_id_of_entity(hass, lock_entity_id)
        if lock_id is not None and lock_id != of_entity:
            raise _error("lock_mismatch", lock_id=str(lock_id), lock_entity_id=lock_entity_id)
        lock_id = of_entity
    found: list[tuple[GuestScheduler, GuestPlan]] = []
    schedulers = [
        cast("TTLockConfigEntry", entry).runtime_data.guests
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    for scheduler in schedulers:
        found += [(scheduler, plan) for plan in scheduler.stay_plans(calendar, uid)]
    if not found:
        raise _error("unknown_guest_stay", uid=uid, calendar=calendar)
    if lock_id is not None:
        found = [(scheduler, plan) for scheduler, plan in found if plan.lock_id == lock_id]
        if not found:
            names = {scheduler.lock_name(lock_id) for scheduler in schedulers}
            name = lock_entity_id or min(names - {str(lock_id)}, default=str(lock_id))
            raise _error("guest_stay_lock", uid=uid, lock=name)
    stay = found[0][1]
    return {
        "calendar": calendar,
        "event_uid": uid,
        "guest": stay.guest,
        "checkin": iso_local(stay.start),
        "checkout": iso_local(stay.end),
        "codes": [scheduler.code_data(plan) for scheduler, plan in found],
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the passcode actions (from the integration's async_setup)."""
    for name, handler, schema, supports in (
        (
            SERVICE_CREATE_PASSCODE,
            _async_create_passcode,
            CREATE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_CREATE_GUEST_PASSCODE,
            _async_create_guest_passcode,
            CREATE_GUEST_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_CHANGE_PASSCODE,
            _async_change_passcode,
            CHANGE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_DELETE_PASSCODE,
            _async_delete_passcode,
            DELETE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_LIST_PASSCODES,
            _async_list_passcodes,
            LIST_PASSCODES_SCHEMA,
            SupportsResponse.ONLY,
        ),
        (
            SERVICE_GET_GUEST_CODE,
            _async_get_guest_code,
            GET_GUEST_CODE_SCHEMA,
            SupportsResponse.ONLY,
        ),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports
        )
