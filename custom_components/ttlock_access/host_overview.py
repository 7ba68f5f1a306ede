"""A host's overview of one binding: the month's stays, the codes they need, what is at risk.

Pure, read-only: built from the guest book (plans), the bookings of the look-ahead, each
lock's last known state and its passcode allowance; nothing is read from the cloud for
it. The "Month plan" sensor (guest_sensor.py) shows it.

- **Stays** and **turnovers** of the calendar month (by check-in, resp. check-out).
- **Codes needed**: the codes still to be made this month on each lock (stays and
  turnovers whose code is made before the 1st and does not exist yet), beside the codes
  the lock's passcode quota still allows (None: unlimited).
- **At risk**: each stay to come whose code may not reach the guest, with the reasons:
  ``gateway_offline`` (a lock the cloud cannot reach now, code not made yet),
  ``low_battery``, ``quota`` (more codes needed this month than the lock may still get),
  ``code_failed`` (the host was told) and ``fallback`` (an offline code stands in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .passcodes import iso_local, next_month_start
from .stays import Binding, GuestPlan, PlanStatus, Stay, creation_time
from .turnovers import TurnoverMode, turnover_key

LOW_BATTERY: Final = 20  # %, as the lock_alerts blueprint's default warns a little earlier


@dataclass(frozen=True, slots=True)
class LockStatus:
    """What the overview needs of one bound lock."""

    name: str
    reachable: bool
    battery: int | None
    codes_left: int | None  # this month's passcode allowance left; None: unlimited


@dataclass(frozen=True, slots=True)
class _Booking:
    calendar: str
    event: str
    guest: str
    start: datetime
    end: datetime


def _bookings(
    binding: Binding, plans: Iterable[GuestPlan], ahead: Iterable[Stay]
) -> dict[tuple[str, str], _Booking]:
    """Return the binding's guest stays, from its plans and the look-ahead (one per stay)."""
    found: dict[tuple[str, str], _Booking] = {}
    for plan in plans:
        if plan.binding == binding.binding_id and not plan.turnover:
            found.setdefault(
                (plan.calendar, plan.event),
                _Booking(plan.calendar, plan.event, plan.guest, plan.start, plan.end),
            )
    for stay in ahead:
        found.setdefault(
            (stay.calendar, stay.event),
            _Booking(
                stay.calendar,
                stay.event,
                stay.guest,
                dt_util.as_utc(stay.start),
                dt_util.as_utc(stay.end),
            ),
        )
    return found


def month_plan(
    binding: Binding,
    plans: Iterable[GuestPlan],
    ahead: Iterable[Stay],
    locks: Mapping[int, LockStatus],
    *,
    now: datetime,
) -> dict[str, Any]:
    """Return the binding's month: counts, codes per lock, stays at risk, what comes next."""
    plans = [plan for plan in plans if plan.binding == binding.binding_id]
    by_key: dict[tuple[str, str, int], GuestPlan] = {
        (plan.calendar, plan.event, plan.lock_id): plan for plan in plans
    }
    bookings = _bookings(binding, plans, ahead)
    local_now = dt_util.as_local(now)
    month_start = dt_util.as_utc(dt_util.start_of_local_day(local_now.replace(day=1)))
    month_end = dt_util.as_utc(next_month_start(now))
    this_month = [b for b in bookings.values() if month_start <= b.start < month_end]
    turnovers = (
        [b for b in bookings.values() if month_start <= b.end < month_end]
        if binding.turnover is not TurnoverMode.OFF
        else []
    )

    def still_to_make(start: datetime, calendar: str, event: str, lock_id: int) -> bool:
        plan = by_key.get((calendar, event, lock_id))
        if plan is not None and plan.status not in (PlanStatus.PLANNED, PlanStatus.FAILED):
            return False
        return creation_time(start, binding.days_before) < month_end and start > now

    needed: dict[int, int] = {}
    for lock_id in binding.locks:
        needed[lock_id] = sum(
            still_to_make(b.start, b.calendar, b.event, lock_id) for b in bookings.values()
        ) + sum(
            still_to_make(b.end, b.calendar, turnover_key(b.event), lock_id)
            for b in (bookings.values() if binding.turnover is not TurnoverMode.OFF else ())
        )
    at_risk = [
        risk
        for booking in sorted(bookings.values(), key=lambda b: (b.start, b.event))
        if booking.end > now and booking.start < month_end
        for risk in _risks(booking, binding, by_key, locks, needed)
    ]
    upcoming = sorted((b for b in bookings.values() if b.start > now), key=lambda b: b.start)
    current = [b for b in bookings.values() if b.start <= now < b.end]
    return {
        "month": local_now.strftime("%Y-%m"),
        "stays": len(this_month),
        "turnovers": len(turnovers),
        "codes_needed": sum(needed.values()),
        "locks": [
            {
                "lock": status.name,
                "lock_id": lock_id,
                "codes_needed": needed.get(lock_id, 0),
                "codes_left": status.codes_left,
                "online": status.reachable,
                "battery": status.battery,
            }
            for lock_id in binding.locks
            if (status := locks.get(lock_id)) is not None
        ],
        "at_risk": at_risk,
        "current_guest": current[0].guest if current else None,
        "current_checkout": iso_local(current[0].end) if current else None,
        "next_guest": upcoming[0].guest if upcoming else None,
        "next_arrival": iso_local(upcoming[0].start) if upcoming else None,
    }


def _risks(
    booking: _Booking,
    binding: Binding,
    by_key: Mapping[tuple[str, str, int], GuestPlan],
    locks: Mapping[int, LockStatus],
    needed: Mapping[int, int],
) -> Iterable[dict[str, Any]]:
    """Yield why a stay's code may not reach its guest, one entry per lock at risk."""
    for lock_id in binding.locks:
        status = locks.get(lock_id)
        if status is None:
            continue
        plan = by_key.get((booking.calendar, booking.event, lock_id))
        made = plan is not None and plan.status is PlanStatus.CREATED
        reasons: list[str] = []
        if not made and not status.reachable:
            reasons.append("gateway_offline")
        if status.battery is not None and status.battery < LOW_BATTERY:
            reasons.append("low_battery")
        if not made and status.codes_left is not None and needed[lock_id] > status.codes_left:
            reasons.append("quota")
        if plan is not None and plan.status is PlanStatus.FAILED:
            reasons.append("code_failed")
        if plan is not None and made and plan.fallback:
            reasons.append("fallback")
        if reasons:
            yield {
                "guest": booking.guest,
                "checkin": iso_local(booking.start),
                "lock": status.name,
                "reasons": reasons,
            }
