"""Guest access: codes for calendar stays, made and removed on time (design.md section 2).

A *binding* (a config subentry of type ``guest_binding``) ties calendars to locks, with
how many days before arrival a code is made, the access margin and where the digits come
from. One :class:`GuestScheduler` per config entry:

- reads each binding's calendars over ``[now, now + days_before + 1 day]`` on every pass
  and keeps one *plan* per stay and lock, keyed like the ``create_guest_passcode``
  action: (calendar entity, event uid, lock id);
- looks further ahead, ``LOOK_AHEAD`` (60 days), only where that is worth a wider read:
  at setup, every 15 min and when a calendar's state changes (the passes run by its own
  timers, retries and creation moments, read the short window). What it sees there makes
  no plan and no code: it only lets the "Next stay" sensor (and the ``get_guest_code``
  action) show a booking before its plan exists;
- creates the code through the :class:`~.passcodes.PasscodeManager` (the same path as the
  action, and its guest records, so the two never make two codes for one stay) when the
  stay is ``days_before`` days away, in Home Assistant's time zone (at once if closer);
- a lock or gateway it cannot reach is retried every hour until local midnight starting
  the check-in day (the check-in itself for a stay booked later), then the plan fails: a
  repair issue and a ``ttlock_access_guest_code_failed`` event;
- a used-up monthly allowance waits for the 1st of the next month when that comes before
  the check-in day, else fails the same way;
- a moved booking moves its code's period (custom codes; an offline code cannot change,
  so the stay gets a new one and the old one is left to expire); a cancelled booking
  deletes its code; after check-out plus margin the code is deleted (custom) or left to
  expire and marked so (offline);
- everything lives in a private :class:`~homeassistant.helpers.storage.Store`, saved
  before each event is fired, so a restart loses no plan and repeats no creation;
- the events carry the stay, the lock, the times and the status, never the code (the
  recorder keeps events): the code is read with the ``get_guest_code`` action, whose
  response is not recorded, or from the sensor's ``locks`` attribute, kept out of the
  recorder.

A stay that disappears from the horizon counts as cancelled only if a wider look-up by uid
does not find it elsewhere (a booking moved months ahead keeps its plan).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import hashlib
import logging
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT as CALENDAR_COMPONENT
from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntryChange
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .api import Lock, Passcode, PasscodeType
from .const import (
    CONF_CALENDARS,
    CONF_CODE_LENGTH,
    CONF_CODE_PREFIX,
    CONF_CODE_SOURCE,
    CONF_DAYS_BEFORE,
    CONF_LOCKS,
    CONF_MARGIN,
    DEFAULT_CODE_LENGTH,
    DEFAULT_DAYS_BEFORE,
    DOMAIN,
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_FAILED,
    EVENT_GUEST_CODE_REVOKED,
    SUBENTRY_GUEST_BINDING,
)
from .passcode_manager import GuestKey
from .passcodes import (
    DEFAULT_GUEST_MARGIN_MINUTES,
    PasscodeKind,
    PasscodePlan,
    PasscodeResult,
    first_use_deadline,
    generate_code,
    guest_window,
    is_too_simple,
    iso_local,
    mask_code,
    next_month_start,
    usable_offline_start,
)
from .store import TolerantStore, parse_items, report_lost

if TYPE_CHECKING:
    from .coordinator import TTLockConfigEntry
    from .passcode_manager import PasscodeManager

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SCAN_INTERVAL: Final = timedelta(minutes=15)
RETRY_INTERVAL: Final = timedelta(hours=1)
# A code that cannot be deleted after its period ended is harmless: stop trying after this.
REVOKE_GIVE_UP: Final = timedelta(days=1)
# Closed plans stay visible (sensor, diagnostics) this long after check-out.
KEEP_CLOSED: Final = timedelta(days=7)
# Where a stay missing from the horizon is looked for before it counts as cancelled.
WIDE_LOOKUP: Final = timedelta(days=400)
# How far ahead the sensor shows a booking whose plan does not exist yet.
LOOK_AHEAD: Final = timedelta(days=60)
ISSUE_GUEST_CODE_FAILED: Final = "guest_code_failed"
DEFAULT_GUEST_NAME: Final = "Guest"
MAX_NAME_LENGTH: Final = 100

# Errors worth another try in an hour: the lock, its gateway or the cloud out of reach.
_RETRYABLE: Final = frozenset(
    {
        "cloud_lock_unreachable",
        "cloud_connection_failed",
        "cloud_server_error",
        "cloud_rate_limited",
        "cloud_monthly_limit",  # refused at home without a call until the probe passes
    }
)
_QUOTA: Final = frozenset({"quota_exhausted", "cloud_passcode_quota"})
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,}\d")


class CodeSource(StrEnum):
    """Where a custom code's digits come from."""

    RANDOM = "random"
    PHONE = "phone"  # last digits of a phone number found in the event, else random
    PREFIX = "prefix"  # a fixed prefix, then random digits


class PlanStatus(StrEnum):
    """Life of one stay's code on one lock."""

    PLANNED = "planned"
    CREATED = "created"
    FAILED = "failed"
    REVOKED = "revoked"
    EXPIRED = "expired"


OPEN_STATUSES: Final = frozenset({PlanStatus.PLANNED, PlanStatus.CREATED})


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    """Calendars bound to locks (a config subentry)."""

    binding_id: str
    title: str
    calendars: tuple[str, ...]
    locks: tuple[int, ...]
    days_before: int = DEFAULT_DAYS_BEFORE
    margin: timedelta = timedelta(minutes=DEFAULT_GUEST_MARGIN_MINUTES)
    code_source: CodeSource = CodeSource.RANDOM
    code_prefix: str = ""
    code_length: int = DEFAULT_CODE_LENGTH

    @classmethod
    def from_subentry(cls, binding_id: str, title: str, data: Mapping[str, Any]) -> Binding:
        """Read a subentry's data."""
        return cls(
            binding_id=binding_id,
            title=title,
            calendars=tuple(data[CONF_CALENDARS]),
            locks=tuple(int(lock_id) for lock_id in data[CONF_LOCKS]),
            days_before=int(data.get(CONF_DAYS_BEFORE, DEFAULT_DAYS_BEFORE)),
            margin=timedelta(minutes=int(data.get(CONF_MARGIN, DEFAULT_GUEST_MARGIN_MINUTES))),
            code_source=CodeSource(data.get(CONF_CODE_SOURCE, CodeSource.RANDOM)),
            code_prefix=str(data.get(CONF_CODE_PREFIX) or ""),
            code_length=int(data.get(CONF_CODE_LENGTH, DEFAULT_CODE_LENGTH)),
        )

    @property
    def horizon(self) -> timedelta:
        """How far ahead the calendars are read."""
        return timedelta(days=self.days_before + 1)


def bindings_of(entry: TTLockConfigEntry) -> dict[str, Binding]:
    """Return the entry's bindings by subentry id."""
    return {
        subentry_id: Binding.from_subentry(subentry_id, subentry.title, subentry.data)
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_GUEST_BINDING
    }


def _dt(value: str | None) -> datetime | None:
    return dt_util.parse_datetime(value) if value else None


def _req(value: str | None) -> datetime:
    parsed = _dt(value)
    assert parsed is not None
    return parsed


def event_key(event: CalendarEvent) -> str:
    """Return the stay's key within its calendar, as the create_guest_passcode action does."""
    if event.uid:
        return f"{event.uid}|{event.recurrence_id}" if event.recurrence_id else event.uid
    start, end = event.start_datetime_local, event.end_datetime_local
    return f"{start.isoformat()}|{end.isoformat()}|{event.summary}"


def _window(
    start: datetime, end: datetime, margin: timedelta, *, offline: bool
) -> tuple[datetime, datetime]:
    """Return a stay's validity; the margin is real minutes, also across a DST change."""
    return guest_window(dt_util.as_utc(start), dt_util.as_utc(end), margin, offline=offline)


def creation_time(start: datetime, days_before: int) -> datetime:
    """When a stay's code is made: ``days_before`` days before arrival, local wall time."""
    return dt_util.as_local(start) - timedelta(days=days_before)


def retry_deadline(start: datetime, now: datetime) -> datetime:
    """Last retry of an unreachable lock: local midnight starting the check-in day.

    A stay first planned after that midnight gets until its check-in.
    """
    midnight = dt_util.start_of_local_day(dt_util.as_local(start))
    return midnight if now < midnight else start


def choose_code(binding: Binding, event_text: str, taken: set[str], manager_rng: Any) -> str:
    """Pick a custom code's digits for a stay, following the binding's code source."""
    length = binding.code_length
    if binding.code_source is CodeSource.PHONE:
        for match in reversed(_PHONE.findall(event_text)):
            digits = "".join(char for char in match if char.isdigit())
            if len(digits) >= length:
                candidate = digits[-length:]
                if _usable(candidate, taken):
                    return candidate
    elif binding.code_source is CodeSource.PREFIX and binding.code_prefix:
        prefix = binding.code_prefix
        for _ in range(200):
            tail = "".join(manager_rng.choice("0123456789") for _ in range(length - len(prefix)))
            if _usable(candidate := prefix + tail, taken):
                return candidate
    return generate_code(taken, length=length, rng=manager_rng)


def _usable(code: str, taken: set[str]) -> bool:
    return (
        not is_too_simple(code)
        and code[0] != "0"
        and not any(code.startswith(other) or other.startswith(code) for other in taken if other)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Stay:
    """A booking seen in the look-ahead: shown before its plan exists, never a code."""

    calendar: str
    event: str
    guest: str
    start: datetime
    end: datetime


@dataclass(slots=True, kw_only=True)
class GuestPlan:
    """One stay's code on one lock: what was planned and what the lock has."""

    binding: str
    calendar: str
    event: str
    lock_id: int
    guest: str
    start: datetime  # the stay (event) as last read
    end: datetime
    window_from: datetime  # the validity the stay wants
    window_to: datetime
    status: PlanStatus = PlanStatus.PLANNED
    passcode_id: int | None = None
    code: str | None = None
    offline: bool = False
    valid_from: datetime | None = None  # the validity the code on the lock has
    valid_to: datetime | None = None
    # The window the code on the lock was made (or last moved) for. An offline code's own
    # validity may differ (whole hours, -1026 shifts, a start moved up to this hour): only
    # a change of the stay's window calls for a new code, not that difference.
    made_for: tuple[datetime, datetime] | None = None
    next_attempt: datetime | None = None
    deadline: datetime | None = None
    attempts: int = 0
    error: str | None = None
    superseded: list[int] = field(default_factory=list)
    closed_at: datetime | None = None

    @property
    def key(self) -> GuestKey:
        """The stay-and-lock key (shared with the create_guest_passcode action)."""
        return GuestKey(self.calendar, self.event, self.lock_id)

    def served_window(self) -> tuple[datetime | None, datetime | None]:
        """Return the stay window the code serves (for plans stored before: its validity)."""
        return self.made_for or (self.valid_from, self.valid_to)

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "binding": self.binding,
            "calendar": self.calendar,
            "event": self.event,
            "lock_id": self.lock_id,
            "guest": self.guest,
            "start": iso_local(self.start),
            "end": iso_local(self.end),
            "window_from": iso_local(self.window_from),
            "window_to": iso_local(self.window_to),
            "status": self.status.value,
            "passcode_id": self.passcode_id,
            "code": self.code,
            "offline": self.offline,
            "valid_from": iso_local(self.valid_from),
            "valid_to": iso_local(self.valid_to),
            "made_for": (
                None
                if self.made_for is None
                else [iso_local(self.made_for[0]), iso_local(self.made_for[1])]
            ),
            "next_attempt": iso_local(self.next_attempt),
            "deadline": iso_local(self.deadline),
            "attempts": self.attempts,
            "error": self.error,
            "superseded": list(self.superseded),
            "closed_at": iso_local(self.closed_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GuestPlan:
        """Read the stored form."""
        return cls(
            binding=data["binding"],
            calendar=data["calendar"],
            event=data["event"],
            lock_id=int(data["lock_id"]),
            guest=data["guest"],
            start=_req(data["start"]),
            end=_req(data["end"]),
            window_from=_req(data["window_from"]),
            window_to=_req(data["window_to"]),
            status=PlanStatus(data["status"]),
            passcode_id=data.get("passcode_id"),
            code=data.get("code"),
            offline=bool(data.get("offline")),
            valid_from=_dt(data.get("valid_from")),
            valid_to=_dt(data.get("valid_to")),
            made_for=(
                (_req(data["made_for"][0]), _req(data["made_for"][1]))
                if data.get("made_for")
                else None
            ),
            next_attempt=_dt(data.get("next_attempt")),
            deadline=_dt(data.get("deadline")),
            attempts=int(data.get("attempts", 0)),
            error=data.get("error"),
            superseded=list(data.get("superseded", [])),
            closed_at=_dt(data.get("closed_at")),
        )

    def public(self, lock_name: str, *, with_code: bool) -> dict[str, Any]:
        """Return what the sensor, the events and the get_guest_code action show.

        The code only ``with_code`` (the sensor's unrecorded attribute, the action's
        response), and only while it is on the lock: events go to the recorder.
        """
        data: dict[str, Any] = {
            "lock": lock_name,
            "lock_id": self.lock_id,
            "status": self.status.value,
        }
        if with_code:
            data["code"] = self.code if self.status is PlanStatus.CREATED else None
        data |= {
            "offline": self.offline,
            "valid_from": iso_local(self.valid_from or self.window_from),
            "valid_to": iso_local(self.valid_to or self.window_to),
        }
        if self.offline and self.valid_from is not None:
            data["must_be_used_by"] = iso_local(
                first_use_deadline(PasscodeKind.TIMED, self.valid_from)
            )
        if self.error:
            data["error"] = self.error
        return data


def _store(hass: HomeAssistant, entry_id: str) -> TolerantStore:
    return TolerantStore(hass, STORAGE_VERSION, f"{DOMAIN}.guest_access.{entry_id}")


async def async_remove_guest_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's guest plans (from async_remove_entry)."""
    await _store(hass, entry_id).async_remove()


class GuestScheduler:
    """Plans, creates, moves and removes the guest codes of one config entry."""

    def __init__(self, hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
        """Set up for one entry (``async_start`` after the coordinators' first refresh)."""
        self.hass = hass
        self.entry = entry
        self._store = _store(hass, entry.entry_id)
        self.plans: dict[str, GuestPlan] = {}
        self._lock = asyncio.Lock()
        self._again = False
        self._timer: CALLBACK_TYPE | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._snapshot = self._bindings_snapshot()
        # Event text (for phone digits), kept in memory only: it is the guest's data.
        self._texts: dict[str, tuple[str, ...]] = {}
        # Bookings of the look-ahead by (binding id, calendar), in memory only.
        self._ahead: dict[tuple[str, str], tuple[Stay, ...]] = {}
        # Whether the next pass reads the look-ahead (setup, 15 min, calendar changes).
        self._look_ahead = True

    # ---- lifecycle ------------------------------------------------------------------

    @property
    def manager(self) -> PasscodeManager:
        """The entry's passcode manager."""
        return self.entry.runtime_data.passcodes

    async def async_start(self) -> None:
        """Load the plans, follow the calendars and run a first pass."""
        data = await self._store.async_load()
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.plans, lost = parse_items(
            raw.get("plans"), lambda _key, item: GuestPlan.from_dict(item), "guest plan"
        )
        report_lost(
            self.hass,
            self.entry.entry_id,
            "guest_plans",
            lost + (data is not None and not isinstance(data, Mapping)),
            self._store.foreign,
        )
        entry = self.entry
        entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._async_tick, SCAN_INTERVAL, name="TTLock guest access"
            )
        )
        calendars = {
            calendar for binding in bindings_of(entry).values() for calendar in binding.calendars
        }
        if calendars:
            entry.async_on_unload(
                async_track_state_change_event(self.hass, sorted(calendars), self._async_changed)
            )
        entry.async_on_unload(
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_entry_changed
            )
        )
        entry.async_on_unload(self._cancel_timer)
        self.async_request_refresh()

    def _bindings_snapshot(self) -> dict[str, tuple[str, dict[str, Any]]]:
        return {
            subentry_id: (subentry.title, dict(subentry.data))
            for subentry_id, subentry in self.entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_GUEST_BINDING
        }

    @callback
    def _async_entry_changed(self, change: ConfigEntryChange, entry: Any) -> None:
        """Reload when a binding is added, changed or removed (entities and listeners)."""
        if (
            change is ConfigEntryChange.UPDATED
            and entry.entry_id == self.entry.entry_id
            and self._bindings_snapshot() != self._snapshot
        ):
            self._snapshot = self._bindings_snapshot()
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    @callback
    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _async_tick(self, _now: datetime) -> None:
        self._look_ahead = True
        self.async_request_refresh()

    @callback
    def _async_changed(self, _event: Event[EventStateChangedData]) -> None:
        self._look_ahead = True
        self.async_request_refresh()

    @callback
    def async_request_refresh(self) -> None:
        """Run a pass soon (tied to the entry: an unload waits for it to finish)."""
        self.entry.async_create_task(
            self.hass, self.async_refresh(), f"{DOMAIN} guest access {self.entry.entry_id}"
        )

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``update_callback`` after each pass."""
        self._listeners.append(update_callback)
        return lambda: self._listeners.remove(update_callback)

    async def _async_save(self) -> None:
        await self._store.async_save(
            {"plans": {key: plan.as_dict() for key, plan in self.plans.items()}}
        )

    # ---- the pass -------------------------------------------------------------------

    async def async_refresh(self) -> None:
        """Read the calendars and bring every plan up to date (one pass at a time)."""
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                await self._async_pass()
        self._schedule_next()
        for update_callback in list(self._listeners):
            update_callback()

    async def _async_pass(self) -> None:
        now = dt_util.now()
        bindings = bindings_of(self.entry)
        look_ahead, self._look_ahead = self._look_ahead, False
        for binding in bindings.values():
            for calendar in binding.calendars:
                await self._async_read_calendar(binding, calendar, now, look_ahead=look_ahead)
        # Plans of removed bindings or locks: their codes go.
        for plan in list(self.plans.values()):
            owner = bindings.get(plan.binding)
            if plan.status in OPEN_STATUSES and (
                owner is None
                or plan.lock_id not in owner.locks
                or plan.calendar not in owner.calendars
            ):
                await self._async_revoke(plan, "binding_removed", now)
        for plan in list(self.plans.values()):
            await self._async_process(plan, bindings.get(plan.binding), now)
        self._purge(now)
        await self._async_save()

    async def _async_read_calendar(
        self, binding: Binding, calendar: str, now: datetime, *, look_ahead: bool
    ) -> None:
        """Bring the plans of one calendar up to date.

        With ``look_ahead``, also the stays the sensor shows ahead: one wider read, of
        which the plans take the part within the horizon.
        """
        horizon_end = now + binding.horizon
        # From ``now - margin``: a stay just checked out is still there, not cancelled.
        since = now - binding.margin
        read_end = max(horizon_end, now + LOOK_AHEAD) if look_ahead else horizon_end
        events = await self._async_events(calendar, since, read_end)
        if events is None:
            return  # unavailable: nothing counts as cancelled (and what was seen stays)
        ahead: dict[str, CalendarEvent] = {}
        if look_ahead:
            ahead = {event_key(event): event for event in events}
            self._ahead[binding.binding_id, calendar] = self._stays(calendar, events)
            # Plans only within the horizon: a stay known early gets no code early.
            events = [event for event in events if event.start_datetime_local < horizon_end]
        found = {event_key(event): event for event in events}
        mine = {
            key: plan
            for key, plan in self.plans.items()
            if plan.binding == binding.binding_id
            and plan.calendar == calendar
            and plan.status in (*OPEN_STATUSES, PlanStatus.FAILED)
        }
        missing = [
            plan
            for plan in mine.values()
            if plan.event not in found and plan.start < read_end and plan.end > since
        ]
        for plan in list(missing):
            if (event := ahead.get(plan.event)) is not None:
                found[plan.event] = event  # moved further ahead, within the look-ahead
                missing.remove(plan)
        if missing:
            wide = await self._async_events(calendar, since, now + WIDE_LOOKUP)
            if wide is None:
                return
            found_wide = {event_key(event): event for event in wide}
            for plan in missing:
                if (event := found_wide.get(plan.event)) is not None:
                    found[plan.event] = event
                else:
                    await self._async_cancel(plan, now)
        for uid, event in found.items():
            start, end = event.start_datetime_local, event.end_datetime_local
            if end <= start:
                continue
            ended = end + binding.margin <= now
            for lock_id in binding.locks:
                known = self.plans.get(str(GuestKey(calendar, uid, lock_id)))
                if ended and (known is None or known.status not in OPEN_STATUSES):
                    continue  # over: only a code still on the lock needs attention
                self._upsert(
                    binding=binding,
                    calendar=calendar,
                    uid=uid,
                    lock_id=lock_id,
                    event=event,
                    now=now,
                )

    async def _async_events(
        self, calendar: str, start: datetime, end: datetime
    ) -> list[CalendarEvent] | None:
        component = self.hass.data.get(CALENDAR_COMPONENT)
        entity = component.get_entity(calendar) if component is not None else None
        if entity is None:
            _LOGGER.debug("Calendar %s is not available", calendar)
            return None
        try:
            events: list[CalendarEvent] = await entity.async_get_events(self.hass, start, end)
        except HomeAssistantError as err:
            _LOGGER.warning("Could not read calendar %s: %s", calendar, err)
            return None
        return events

    @staticmethod
    def _stays(calendar: str, events: list[CalendarEvent]) -> tuple[Stay, ...]:
        """Return the bookings of a look-ahead read, by arrival."""
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

    def _lock_data(self, lock_id: int) -> Lock | None:
        locks = self.entry.runtime_data.locks.data or {}
        data = locks.get(lock_id)
        return data.lock if data is not None else None

    def _upsert(
        self,
        *,
        binding: Binding,
        calendar: str,
        uid: str,
        lock_id: int,
        event: CalendarEvent,
        now: datetime,
    ) -> None:
        start, end = event.start_datetime_local, event.end_datetime_local
        key = str(GuestKey(calendar, uid, lock_id))
        guest = (event.summary or DEFAULT_GUEST_NAME)[:MAX_NAME_LENGTH]
        self._texts[key] = tuple(
            text for text in (event.summary, event.description, event.location) if text
        )
        plan = self.plans.get(key)
        lock = self._lock_data(lock_id)
        offline = plan.offline if plan and plan.passcode_id else not (lock and lock.is_remote)
        window = _window(start, end, binding.margin, offline=offline)
        if plan is None or plan.status in (PlanStatus.REVOKED, PlanStatus.EXPIRED):
            if plan is not None and plan.end == end and plan.start == start:
                return  # closed: a stay is served once
            self.plans[key] = GuestPlan(
                binding=binding.binding_id,
                calendar=calendar,
                event=uid,
                lock_id=lock_id,
                guest=guest,
                start=start,
                end=end,
                window_from=window[0],
                window_to=window[1],
                offline=offline,
                deadline=retry_deadline(start, now),
            )
            return
        plan.guest = guest
        plan.binding = binding.binding_id
        if (plan.start, plan.end, plan.window_from, plan.window_to) != (start, end, *window):
            moved_start = plan.start != start
            plan.start, plan.end = start, end
            plan.window_from, plan.window_to = window
            if moved_start:
                plan.deadline = retry_deadline(start, now)
            if plan.status is PlanStatus.FAILED:
                # A moved booking gets another chance.
                plan.status, plan.error, plan.attempts, plan.next_attempt = (
                    PlanStatus.PLANNED,
                    None,
                    0,
                    None,
                )
                plan.deadline = retry_deadline(start, now)
                self._delete_issue(plan)

    # ---- one plan -------------------------------------------------------------------

    async def _async_process(self, plan: GuestPlan, binding: Binding | None, now: datetime) -> None:
        if plan.status is PlanStatus.FAILED:
            if self.manager.guest_record(plan.key) is not None:
                await self._async_adopt_failed(plan, now)
            return
        if binding is None or plan.status not in OPEN_STATUSES:
            return
        if plan.next_attempt is not None and now < plan.next_attempt:
            return
        if plan.status is PlanStatus.PLANNED:
            if plan.window_to <= now:
                del self.plans[str(plan.key)]  # never made, and over
                return
            if now >= creation_time(plan.start, binding.days_before):
                await self._async_create(plan, binding, now)
            return
        if plan.window_to <= now:
            await self._async_revoke(plan, "checked_out", now)
        elif plan.served_window() != (plan.window_from, plan.window_to):
            await self._async_move(plan, binding, now)

    async def _async_create(self, plan: GuestPlan, binding: Binding, now: datetime) -> None:
        lock = self._lock_data(plan.lock_id)
        if lock is None:
            await self._async_attempt_failed(plan, "lock_not_found", now, retry=True)
            return
        manager = self.manager
        async with manager.stay_lock(plan.key):  # the action may be making it right now
            try:
                if (record := manager.guest_record(plan.key)) is not None:
                    # Made by the create_guest_passcode action, or before a restart.
                    existing = await manager.async_list(lock)
                    if await self._async_adopt(plan, lock, record, existing, now):
                        return
                else:
                    existing = None
                result = await self._async_make(plan, binding, lock, existing)
            except HomeAssistantError as err:
                await self._async_handle_error(plan, err, now)
                return
            await manager.async_remember_guest(plan.key, result)
        self._created(plan, result)
        await self._async_save()
        self._fire(EVENT_GUEST_CODE_CREATED, plan, lock)

    async def _async_make(
        self, plan: GuestPlan, binding: Binding, lock: Lock, existing: list[Passcode] | None
    ) -> PasscodeResult:
        manager = self.manager
        offline = not lock.is_remote
        window = _window(plan.start, plan.end, binding.margin, offline=offline)
        plan.offline = offline
        plan.window_from, plan.window_to = window
        if offline:
            start, requested_start = usable_offline_start(window[0], dt_util.now())
            passcode_plan = PasscodePlan(
                kind=PasscodeKind.TIMED,
                name=plan.guest,
                offline=True,
                passcode_type=PasscodeType.PERIOD,
                start=start,
                end=window[1],
                requested_start=requested_start,
            )
            if manager.quota_needs_check(lock, passcode_plan):
                existing = await manager.async_prepare(lock, passcode_plan, existing)
        else:
            if existing is None:
                existing = await manager.async_list(lock)
            text = " ".join((plan.guest, *self._event_text(plan)))
            code = choose_code(binding, text, {p.code for p in existing}, manager.rng)
            passcode_plan = PasscodePlan(
                kind=PasscodeKind.CUSTOM,
                name=plan.guest,
                offline=False,
                passcode_type=PasscodeType.PERIOD,
                code=code,
                start=window[0],
                end=window[1],
            )
            existing = await manager.async_prepare(lock, passcode_plan, existing)
        return await manager.async_create(lock, passcode_plan, existing)

    def _event_text(self, plan: GuestPlan) -> tuple[str, ...]:
        return self._texts.get(str(plan.key), ())

    def _created(self, plan: GuestPlan, result: PasscodeResult) -> None:
        plan.status = PlanStatus.CREATED
        plan.passcode_id = result.passcode_id
        plan.code = result.code
        plan.offline = result.offline
        plan.valid_from, plan.valid_to = result.valid_from, result.valid_to
        plan.made_for = (plan.window_from, plan.window_to)
        plan.next_attempt = None
        plan.error = None
        self._delete_issue(plan)
        _LOGGER.debug(
            "Guest code %s (%s) for %s on lock %s",
            result.passcode_id,
            mask_code(result.code),
            plan.event,
            plan.lock_id,
        )

    async def _async_adopt(
        self,
        plan: GuestPlan,
        lock: Lock,
        record: dict[str, Any],
        existing: list[Passcode],
        now: datetime,
    ) -> bool:
        """Take over a code the guest records know; False if it is gone from the lock."""
        passcode = next((p for p in existing if p.passcode_id == record["passcode_id"]), None)
        if passcode is None:
            await self.manager.async_forget_guest(plan.key)
            return False
        plan.status = PlanStatus.CREATED
        plan.passcode_id = passcode.passcode_id
        plan.code = passcode.code
        plan.offline = bool(record["offline"])
        plan.valid_from, plan.valid_to = _dt(record["valid_from"]), _dt(record["valid_to"])
        plan.made_for = (plan.window_from, plan.window_to)
        plan.next_attempt, plan.error = None, None
        self._delete_issue(plan)
        await self._async_save()
        self._fire(EVENT_GUEST_CODE_CREATED, plan, lock)
        return True

    async def _async_adopt_failed(self, plan: GuestPlan, now: datetime) -> None:
        lock = self._lock_data(plan.lock_id)
        record = self.manager.guest_record(plan.key)
        if lock is None or record is None:
            return
        try:
            existing = await self.manager.async_list(lock)
        except HomeAssistantError:
            return
        await self._async_adopt(plan, lock, record, existing, now)

    async def _async_handle_error(
        self, plan: GuestPlan, err: HomeAssistantError, now: datetime
    ) -> None:
        reason = err.translation_key or "cloud_error"
        if reason in _RETRYABLE:
            await self._async_attempt_failed(plan, reason, now, retry=True)
        elif reason in _QUOTA and next_month_start(now) < plan.start:
            # The allowance comes back on the 1st, before the stay: wait for it.
            plan.attempts += 1
            plan.error = reason
            plan.next_attempt = next_month_start(now)
            _LOGGER.info(
                "Passcode allowance of lock %s used up: the code for %s waits for %s",
                plan.lock_id,
                plan.event,
                plan.next_attempt.date(),
            )
        else:
            await self._async_attempt_failed(plan, reason, now, retry=False)

    async def _async_attempt_failed(
        self, plan: GuestPlan, reason: str, now: datetime, *, retry: bool
    ) -> None:
        plan.attempts += 1
        plan.error = reason
        deadline = plan.deadline or plan.start
        if retry and now < deadline:
            plan.next_attempt = min(now + RETRY_INTERVAL, deadline)
            _LOGGER.info(
                "Could not create the guest code for %s on lock %s (%s): retrying at %s",
                plan.event,
                plan.lock_id,
                reason,
                plan.next_attempt,
            )
            return
        plan.status = PlanStatus.FAILED
        plan.next_attempt = None
        lock = self._lock_data(plan.lock_id)
        lock_name = lock.name if lock else str(plan.lock_id)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id(plan),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_GUEST_CODE_FAILED,
            translation_placeholders={
                "guest": plan.guest,
                "lock_name": lock_name,
                "checkin": dt_util.as_local(plan.start).strftime("%Y-%m-%d %H:%M"),
                "reason": reason,
            },
        )
        await self._async_save()
        self._fire(EVENT_GUEST_CODE_FAILED, plan, lock)

    async def _async_move(self, plan: GuestPlan, binding: Binding, now: datetime) -> None:
        lock = self._lock_data(plan.lock_id)
        if lock is None or plan.passcode_id is None:
            return
        try:
            if plan.offline:
                # An offline code cannot change: a new one, the old one is left to expire.
                old = plan.passcode_id
                result = await self._async_make(plan, binding, lock, None)
                plan.superseded.append(old)
                await self.manager.async_forget_guest(plan.key)
                await self.manager.async_remember_guest(plan.key, result)
                self._created(plan, result)
            else:
                await self.manager.async_change(
                    lock, plan.passcode_id, start=plan.window_from, end=plan.window_to
                )
                plan.valid_from, plan.valid_to = plan.window_from, plan.window_to
                plan.made_for = (plan.window_from, plan.window_to)
                await self.manager.async_remember_guest(plan.key, self._result(plan))
                plan.next_attempt, plan.error = None, None
        except HomeAssistantError as err:
            plan.error = err.translation_key or "cloud_error"
            plan.next_attempt = now + RETRY_INTERVAL
            return
        await self._async_save()
        self._fire(EVENT_GUEST_CODE_CREATED, plan, lock, moved=True)

    @staticmethod
    def _result(plan: GuestPlan) -> PasscodeResult:
        assert plan.passcode_id is not None
        return PasscodeResult(
            lock_id=plan.lock_id,
            passcode_id=plan.passcode_id,
            code=plan.code or "",
            kind=PasscodeKind.TIMED if plan.offline else PasscodeKind.CUSTOM,
            name=plan.guest,
            offline=plan.offline,
            valid_from=plan.valid_from,
            valid_to=plan.valid_to,
        )

    async def _async_cancel(self, plan: GuestPlan, now: datetime) -> None:
        if plan.status is PlanStatus.PLANNED:
            del self.plans[str(plan.key)]
        elif plan.status is PlanStatus.FAILED:
            self._delete_issue(plan)
            del self.plans[str(plan.key)]
        else:
            await self._async_revoke(plan, "cancelled", now)

    async def _async_revoke(self, plan: GuestPlan, reason: str, now: datetime) -> None:
        """Delete a stay's code (custom), or leave it to expire (offline)."""
        if plan.status is not PlanStatus.CREATED or plan.passcode_id is None:
            if plan.status is PlanStatus.PLANNED:
                del self.plans[str(plan.key)]
            return
        lock = self._lock_data(plan.lock_id)
        deleted = False
        if lock is not None and not plan.offline:
            try:
                await self.manager.async_delete(lock, plan.passcode_id)
            except HomeAssistantError as err:
                if err.translation_key != "cloud_not_found" and now < plan.window_to + (
                    REVOKE_GIVE_UP
                ):
                    plan.error = err.translation_key or "cloud_error"
                    plan.next_attempt = now + RETRY_INTERVAL
                    return
            else:
                deleted = True
        if not deleted:
            await self.manager.async_forget_guest(plan.key)
        plan.status = PlanStatus.REVOKED if deleted else PlanStatus.EXPIRED
        plan.closed_at = now
        plan.next_attempt = None
        plan.error = None if deleted else plan.error
        await self._async_save()
        self._fire(EVENT_GUEST_CODE_REVOKED, plan, lock, reason=reason, deleted=deleted)

    def _purge(self, now: datetime) -> None:
        for key, plan in list(self.plans.items()):
            if plan.status not in OPEN_STATUSES and plan.end + KEEP_CLOSED < now:
                self._delete_issue(plan)
                del self.plans[key]

    # ---- timers, events, issues -----------------------------------------------------

    def _next_due(self) -> datetime | None:
        bindings = bindings_of(self.entry)
        moments: list[datetime] = []
        for plan in self.plans.values():
            if plan.next_attempt is not None:
                moments.append(plan.next_attempt)
            elif plan.status is PlanStatus.PLANNED and (binding := bindings.get(plan.binding)):
                moments.append(creation_time(plan.start, binding.days_before))
            elif plan.status is PlanStatus.CREATED:
                moments.append(plan.window_to)
        return min(moments, default=None)

    @callback
    def _schedule_next(self) -> None:
        self._cancel_timer()
        due = self._next_due()
        if due is None:
            return
        due = max(due, dt_util.utcnow() + timedelta(seconds=1))

        @callback
        def _fire(_now: datetime) -> None:
            self._timer = None
            self.async_request_refresh()

        self._timer = async_track_point_in_utc_time(self.hass, _fire, dt_util.as_utc(due))

    def lock_entity(self, lock_id: int) -> str | None:
        """Return a lock's lock entity id (none for a lock without a gateway)."""
        return er.async_get(self.hass).async_get_entity_id(Platform.LOCK, DOMAIN, str(lock_id))

    def event_data(self, plan: GuestPlan, lock: Lock | None) -> dict[str, Any]:
        """Return what the events carry: everything but the code (events are recorded)."""
        return {
            "guest": plan.guest,
            "calendar": plan.calendar,
            "event_uid": plan.event,
            "checkin": iso_local(plan.start),
            "checkout": iso_local(plan.end),
            "lock_entity_id": self.lock_entity(plan.lock_id),
            "binding": plan.binding,
            **plan.public(lock.name if lock else str(plan.lock_id), with_code=False),
        }

    def _fire(self, event_type: str, plan: GuestPlan, lock: Lock | None, **extra: Any) -> None:
        self.hass.bus.async_fire(event_type, self.event_data(plan, lock) | extra)

    def _issue_id(self, plan: GuestPlan) -> str:
        digest = hashlib.sha256(str(plan.key).encode()).hexdigest()[:16]
        return f"{ISSUE_GUEST_CODE_FAILED}_{self.entry.entry_id}_{digest}"

    def _delete_issue(self, plan: GuestPlan) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(plan))

    # ---- for the allowance planner ----------------------------------------------------

    def open_stays(self) -> tuple[int, int]:
        """(locks bound to calendars, stays whose code is still to make or to revoke)."""
        bound = {
            lock_id for binding in bindings_of(self.entry).values() for lock_id in binding.locks
        }
        return len(bound), sum(1 for plan in self.plans.values() if plan.status in OPEN_STATUSES)

    # ---- for the sensor -------------------------------------------------------------

    def next_stay(self, binding_id: str, now: datetime) -> list[GuestPlan]:
        """Return the plans (one per lock) of the binding's next or current stay.

        A booking of the look-ahead (up to ``LOOK_AHEAD``) whose plan does not exist yet
        counts too: its plans are made up for the occasion, planned and without a code.
        """
        stays: dict[tuple[str, str], list[GuestPlan]] = {}
        known: set[tuple[str, str]] = set()
        for plan in self.plans.values():
            if plan.binding != binding_id:
                continue
            known.add((plan.calendar, plan.event))
            if plan.status in (*OPEN_STATUSES, PlanStatus.FAILED) and plan.window_to > now:
                stays.setdefault((plan.calendar, plan.event), []).append(plan)
        if (binding := bindings_of(self.entry).get(binding_id)) is not None:
            for calendar in binding.calendars:
                for stay in self._ahead.get((binding_id, calendar), ()):
                    if (calendar, stay.event) in known or stay.start >= now + LOOK_AHEAD:
                        continue
                    previews = self._previews(binding, stay)
                    if previews and previews[0].window_to > now:
                        stays[calendar, stay.event] = previews
                        break  # by arrival: the calendar's first one not yet planned
        if not stays:
            return []
        first = min(
            stays.values(), key=lambda plans: (plans[0].start, plans[0].calendar, plans[0].event)
        )
        return sorted(first, key=lambda plan: plan.lock_id)

    def stay_plans(self, calendar: str, event: str) -> list[GuestPlan]:
        """Return a stay's plans (one per lock, any status), else its look-ahead previews."""
        plans = [
            plan for plan in self.plans.values() if (plan.calendar, plan.event) == (calendar, event)
        ]
        planned = {plan.binding for plan in plans}
        bindings = bindings_of(self.entry)
        for (binding_id, stay_calendar), stays in self._ahead.items():
            binding = bindings.get(binding_id)
            if binding is None or stay_calendar != calendar or binding_id in planned:
                continue
            for stay in stays:
                if stay.event == event:
                    plans += self._previews(binding, stay)
        unique: dict[int, GuestPlan] = {}
        for plan in plans:
            unique.setdefault(plan.lock_id, plan)  # a real plan before a preview
        return [unique[lock_id] for lock_id in sorted(unique)]

    def _previews(self, binding: Binding, stay: Stay) -> list[GuestPlan]:
        """Return the plans a booking of the look-ahead will have (none stored or made)."""
        previews: list[GuestPlan] = []
        for lock_id in binding.locks:
            lock = self._lock_data(lock_id)
            offline = not (lock and lock.is_remote)
            window = _window(stay.start, stay.end, binding.margin, offline=offline)
            previews.append(
                GuestPlan(
                    binding=binding.binding_id,
                    calendar=stay.calendar,
                    event=stay.event,
                    lock_id=lock_id,
                    guest=stay.guest,
                    start=stay.start,
                    end=stay.end,
                    window_from=window[0],
                    window_to=window[1],
                    offline=offline,
                )
            )
        return previews

    def code_data(self, plan: GuestPlan) -> dict[str, Any]:
        """Return one lock's part of the get_guest_code response (the code included)."""
        return {
            **plan.public(self.lock_name(plan.lock_id), with_code=True),
            "lock_entity_id": self.lock_entity(plan.lock_id),
            "passcode_id": plan.passcode_id if plan.status is PlanStatus.CREATED else None,
        }

    def lock_name(self, lock_id: int) -> str:
        """Return a lock's name (its id when the account no longer has it)."""
        lock = self._lock_data(lock_id)
        return lock.name if lock else str(lock_id)
