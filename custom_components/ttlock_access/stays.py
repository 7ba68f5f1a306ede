"""Guest stays: what a stay is, how it is identified, and the rules of its code.

Pure rules, no I/O: the :class:`~.guest_scheduler.GuestScheduler` applies them.

**How a stay is identified.** A stay is one calendar event on one calendar; its key
within the calendar is the event's uid (with its recurrence id, for one occurrence of a
recurring event), or, for an event without a uid, its start, end and summary
(:func:`event_key`). One stay has one code per lock: :class:`GuestKey` (calendar, event
key, lock id) names it, whether the stay came from a bound calendar or from the
``create_guest_passcode`` action (which finds the calendar event the trigger fired for,
so both know it by the same key).

**How its code is recognised in the cloud.** Every code made for a stay carries the
stay's tag in its name (``"Jane Doe #3fa9c1"``, :func:`code_name`): after a lost answer,
a crash before the save or a lost store, the lock's code list shows which code is the
stay's, and it is adopted instead of made again.

Why this module is over 400 lines: a stay's identity, its plan and the rules that turn
a calendar event into a plan are one vocabulary, pure and tested together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
import hashlib
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CALENDARS,
    CONF_CLEANER,
    CONF_CODE_LENGTH,
    CONF_CODE_PREFIX,
    CONF_CODE_SOURCE,
    CONF_DAYS_BEFORE,
    CONF_FALLBACK_OFFLINE,
    CONF_LOCKS,
    CONF_MARGIN,
    CONF_NO_SHOW_HOURS,
    CONF_TURNOVER,
    CONF_TURNOVER_FROM,
    CONF_TURNOVER_TO,
    DEFAULT_CLEANER,
    DEFAULT_CODE_LENGTH,
    DEFAULT_DAYS_BEFORE,
    DEFAULT_FALLBACK_OFFLINE,
    DEFAULT_NO_SHOW_HOURS,
    DEFAULT_TURNOVER_FROM,
    DEFAULT_TURNOVER_TO,
    SUBENTRY_GUEST_BINDING,
)
from .passcodes import (
    DEFAULT_GUEST_MARGIN_MINUTES,
    PasscodeKind,
    first_use_deadline,
    generate_code,
    guest_window,
    is_too_simple,
    iso_local,
)
from .turnovers import TurnoverMode, is_turnover

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

DEFAULT_GUEST_NAME: Final = "Guest"
# Times the cloud and the rules take (epoch milliseconds; no overflow near year 9999).
EARLIEST_MOMENT: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_MOMENT: Final = datetime(2099, 12, 31, tzinfo=UTC)
MAX_NAME_LENGTH: Final = 100
# The part of the guest's name a code's name keeps, before the stay's tag.
CODE_NAME_GUEST_LENGTH: Final = 40
# Plans of stays made by the create_guest_passcode action belong to no binding.
ACTION_BINDING: Final = ""
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,}\d")


@dataclass(frozen=True, slots=True)
class GuestKey:
    """Identifies one stay on one lock."""

    calendar: str
    event: str
    lock_id: int

    def __str__(self) -> str:
        return f"{self.calendar}|{self.event}|{self.lock_id}"


def stay_tag(calendar: str, event: str) -> str:
    """Return the short tag that marks a stay's codes in the cloud (same on every lock)."""
    return hashlib.sha256(f"{calendar}|{event}".encode()).hexdigest()[:6]


def code_name(guest: str, calendar: str, event: str) -> str:
    """Return the name a stay's code gets on the lock: the guest, then the stay's tag."""
    return f"{guest[:CODE_NAME_GUEST_LENGTH].strip()} #{stay_tag(calendar, event)}"


def is_stay_code(name: str | None, calendar: str, event: str) -> bool:
    """Whether a code's name marks it as made for this stay."""
    return bool(name) and str(name).endswith(f"#{stay_tag(calendar, event)}")


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
    REVOKED = "revoked"  # deleted from the lock
    EXPIRED = "expired"  # its validity is over
    # Closed (cancelled, binding removed) while its offline code still opens the door.
    LEFT_ON_LOCK = "left_on_lock"


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
    turnover: TurnoverMode = TurnoverMode.OFF
    cleaner: str = DEFAULT_CLEANER
    turnover_from: time = time(11)  # DEFAULT_TURNOVER_FROM
    turnover_to: time = time(16)  # DEFAULT_TURNOVER_TO
    # An offline code for the stay when its custom code cannot be made in time.
    fallback_offline: bool = DEFAULT_FALLBACK_OFFLINE
    # Hours after check-in without a use of the stay's code that make a no-show (0: off).
    no_show_hours: int = DEFAULT_NO_SHOW_HOURS

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
            turnover=TurnoverMode(data.get(CONF_TURNOVER, TurnoverMode.OFF)),
            cleaner=str(data.get(CONF_CLEANER) or DEFAULT_CLEANER)[:MAX_NAME_LENGTH],
            turnover_from=time.fromisoformat(data.get(CONF_TURNOVER_FROM, DEFAULT_TURNOVER_FROM)),
            turnover_to=time.fromisoformat(data.get(CONF_TURNOVER_TO, DEFAULT_TURNOVER_TO)),
            fallback_offline=bool(data.get(CONF_FALLBACK_OFFLINE, DEFAULT_FALLBACK_OFFLINE)),
            no_show_hours=int(data.get(CONF_NO_SHOW_HOURS, DEFAULT_NO_SHOW_HOURS)),
        )

    @property
    def horizon(self) -> timedelta:
        """How far ahead the calendars are read."""
        return timedelta(days=self.days_before + 1)


def bindings_of(entry: ConfigEntry[Any]) -> dict[str, Binding]:
    """Return the entry's bindings by subentry id."""
    return {
        subentry_id: Binding.from_subentry(subentry_id, subentry.title, subentry.data)
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_GUEST_BINDING
    }


def _dt(value: str | None) -> datetime | None:
    """Read a stored time, in UTC (see ``stay_window``)."""
    parsed = dt_util.parse_datetime(value) if value else None
    return dt_util.as_utc(parsed) if parsed is not None else None


def _req(value: str | None) -> datetime:
    parsed = _dt(value)
    if parsed is None:
        raise ValueError("not a date and time")
    return parsed


def event_key(event: CalendarEvent) -> str:
    """Return the stay's key within its calendar, as the create_guest_passcode action does."""
    if event.uid:
        return f"{event.uid}|{event.recurrence_id}" if event.recurrence_id else event.uid
    start, end = event.start_datetime_local, event.end_datetime_local
    return f"{start.isoformat()}|{end.isoformat()}|{event.summary}"


def stay_window(
    start: datetime, end: datetime, margin: timedelta, *, offline: bool
) -> tuple[datetime, datetime]:
    """Return a stay's validity; the margin is real minutes, also across a DST change.

    In UTC, as every time a plan keeps: two aware times in different zones never compare
    equal inside the hour a DST change repeats, so a plan compares UTC with UTC.
    """
    window = guest_window(dt_util.as_utc(start), dt_util.as_utc(end), margin, offline=offline)
    return dt_util.as_utc(window[0]), dt_util.as_utc(window[1])


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """A create about to be sent: enough to recognise its code in the lock's list."""

    code: str | None  # custom codes: the digits chosen
    start: datetime
    end: datetime

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {"code": self.code, "start": iso_local(self.start), "end": iso_local(self.end)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Intent:
        """Read the stored form."""
        code = data.get("code")
        return cls(
            code=None if code is None else str(code),
            start=_req(data["start"]),
            end=_req(data["end"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LeftCode:
    """A stay's offline code that still opens the door though the stay no longer wants it.

    Gateway-less locks take codes only at the keypad: the cloud cannot remove them. A
    repair issue names it until its validity ends or the lock's list no longer has it.
    """

    lock_id: int
    passcode_id: int
    guest: str
    calendar: str
    event: str
    valid_to: datetime
    reason: str  # cancelled, moved, binding_removed

    @property
    def key(self) -> str:
        """The stored key: one per code on a lock."""
        return f"{self.lock_id}:{self.passcode_id}"

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "lock_id": self.lock_id,
            "passcode_id": self.passcode_id,
            "guest": self.guest,
            "calendar": self.calendar,
            "event": self.event,
            "valid_to": iso_local(self.valid_to),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LeftCode:
        """Read the stored form."""
        return cls(
            lock_id=int(data["lock_id"]),
            passcode_id=int(data["passcode_id"]),
            guest=str(data["guest"]),
            calendar=str(data["calendar"]),
            event=str(data["event"]),
            valid_to=_req(data["valid_to"]),
            reason=str(data["reason"]),
        )


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
    # A create the cloud may have carried out, saved before it is sent: the digits
    # chosen (custom codes) and the period asked for. While it is set, the lock's list is
    # read for the stay's code before anything is made again.
    intent: Intent | None = None
    # An offline code made because the custom one could not be (fallback_offline): the
    # custom code replaces it if it can be made before the stay's window opens.
    fallback: bool = False
    # Arrivals (arrivals.py): the first use of the stay's code (or a card, fingerprint or
    # eKey named for the stay) on this lock, the first use after check-out, and when a
    # no-show was told (stored, so a restart never tells it again).
    arrived_at: datetime | None = None
    used_after_checkout_at: datetime | None = None
    no_show_at: datetime | None = None

    @property
    def key(self) -> GuestKey:
        """The stay-and-lock key (shared with the create_guest_passcode action)."""
        return GuestKey(self.calendar, self.event, self.lock_id)

    @property
    def name(self) -> str:
        """The name the stay's code has on the lock."""
        return code_name(self.guest, self.calendar, self.event)

    @property
    def turnover(self) -> bool:
        """Whether this is a turnover (the cleaner's code after a stay, turnovers.py)."""
        return is_turnover(self.event)

    @property
    def by_action(self) -> bool:
        """Whether the create_guest_passcode action made this stay (no binding)."""
        return self.binding == ACTION_BINDING

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
            "intent": None if self.intent is None else self.intent.as_dict(),
            "fallback": self.fallback,
            "arrived_at": iso_local(self.arrived_at),
            "used_after_checkout_at": iso_local(self.used_after_checkout_at),
            "no_show_at": iso_local(self.no_show_at),
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
            intent=Intent.from_dict(data["intent"]) if data.get("intent") else None,
            fallback=bool(data.get("fallback")),
            arrived_at=_dt(data.get("arrived_at")),
            used_after_checkout_at=_dt(data.get("used_after_checkout_at")),
            no_show_at=_dt(data.get("no_show_at")),
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
            "fallback": self.fallback,
            "valid_from": iso_local(self.valid_from or self.window_from),
            "valid_to": iso_local(self.valid_to or self.window_to),
        }
        if self.offline and self.valid_from is not None:
            data["must_be_used_by"] = iso_local(
                first_use_deadline(PasscodeKind.TIMED, self.valid_from)
            )
        if self.error:
            data["error"] = self.error
        data["arrived_at"] = iso_local(self.arrived_at)  # first use on this lock
        return data


def plan_for_event(
    plan: GuestPlan | None,
    binding: Binding,
    event: CalendarEvent,
    *,
    key: GuestKey,
    remote: bool,
    now: datetime,
) -> tuple[GuestPlan | None, bool]:
    """Bring a stay's plan on one lock in line with its calendar event.

    Returns a new plan when the stay needs one (none yet, or its last one closed and the
    stay changed since: a stay is served once), else None after updating ``plan`` in
    place; and whether a failed plan got another chance (the stay moved).
    """
    start, end = (
        dt_util.as_utc(event.start_datetime_local),
        dt_util.as_utc(event.end_datetime_local),
    )
    guest = (event.summary or DEFAULT_GUEST_NAME)[:MAX_NAME_LENGTH]
    offline = plan.offline if plan and plan.passcode_id else not remote
    window = stay_window(start, end, binding.margin, offline=offline)
    if plan is None or plan.status in (
        PlanStatus.REVOKED,
        PlanStatus.EXPIRED,
        PlanStatus.LEFT_ON_LOCK,
    ):
        if plan is not None and (plan.start, plan.end) == (start, end):
            return None, False  # closed: a stay is served once
        return (
            GuestPlan(
                binding=binding.binding_id,
                calendar=key.calendar,
                event=key.event,
                lock_id=key.lock_id,
                guest=guest,
                start=start,
                end=end,
                window_from=window[0],
                window_to=window[1],
                offline=offline,
                deadline=retry_deadline(start, now),
            ),
            False,
        )
    plan.guest = guest
    if (plan.start, plan.end, plan.window_from, plan.window_to) == (start, end, *window):
        return None, False
    moved_start = plan.start != start
    plan.start, plan.end = start, end
    plan.window_from, plan.window_to = window
    if moved_start:
        plan.deadline = retry_deadline(start, now)
    if plan.status is not PlanStatus.FAILED:
        return None, False
    # A moved booking gets another chance.
    plan.status, plan.error, plan.attempts, plan.next_attempt = PlanStatus.PLANNED, None, 0, None
    plan.deadline = retry_deadline(start, now)
    return None, True
