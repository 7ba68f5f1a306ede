"""What the guest book shows: the next stay (sensor) and one stay's plans (get_guest_code).

Read-only views of the scheduler's plans and of the bookings seen in the look-ahead. A
booking of the look-ahead whose plan does not exist yet is shown by previews: the plans it
will have, made up for the occasion, planned and without a code (none stored or made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from .api import Lock
from .stays import OPEN_STATUSES, Binding, GuestPlan, PlanStatus, Stay, stay_window

type LockOf = Callable[[int], Lock | None]
type Ahead = Mapping[tuple[str, str], tuple[Stay, ...]]  # (binding id, calendar) -> stays


def previews(binding: Binding, stay: Stay, lock_of: LockOf) -> list[GuestPlan]:
    """Return the plans a booking of the look-ahead will have, one per bound lock."""
    plans: list[GuestPlan] = []
    for lock_id in binding.locks:
        lock = lock_of(lock_id)
        offline = not (lock and lock.is_remote)
        window = stay_window(stay.start, stay.end, binding.margin, offline=offline)
        plans.append(
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
    return plans


def next_stay(
    plans: Iterable[GuestPlan],
    ahead: Ahead,
    binding: Binding | None,
    binding_id: str,
    lock_of: LockOf,
    *,
    now: datetime,
    look_ahead: timedelta,
) -> list[GuestPlan]:
    """Return the plans (one per lock) of the binding's next arrival.

    A stay under way is not the next one: during it the sensor already shows the stay
    after it, so a message due hours before that arrival is never hidden behind it (back
    to back stays).
    """
    stays: dict[tuple[str, str], list[GuestPlan]] = {}
    known: set[tuple[str, str]] = set()
    for plan in plans:
        if plan.binding != binding_id or plan.turnover:
            continue
        known.add((plan.calendar, plan.event))
        if plan.status in (*OPEN_STATUSES, PlanStatus.FAILED) and plan.start > now:
            stays.setdefault((plan.calendar, plan.event), []).append(plan)
    if binding is not None:
        for calendar in binding.calendars:
            for stay in ahead.get((binding_id, calendar), ()):
                if (calendar, stay.event) in known or stay.start >= now + look_ahead:
                    continue
                made_up = previews(binding, stay, lock_of)
                if made_up and made_up[0].start > now:
                    stays[calendar, stay.event] = made_up
                    break  # by arrival: the calendar's first one not yet planned
    if not stays:
        return []
    first = min(
        stays.values(), key=lambda found: (found[0].start, found[0].calendar, found[0].event)
    )
    return sorted(first, key=lambda plan: plan.lock_id)


def stay_plans(
    plans: Iterable[GuestPlan],
    ahead: Ahead,
    bindings: Mapping[str, Binding],
    lock_of: LockOf,
    *,
    calendar: str,
    event: str,
) -> list[GuestPlan]:
    """Return a stay's plans (one per lock, any status), else its look-ahead previews."""
    found = [plan for plan in plans if (plan.calendar, plan.event) == (calendar, event)]
    planned = {plan.binding for plan in found}
    for (binding_id, stay_calendar), stays in ahead.items():
        binding = bindings.get(binding_id)
        if binding is None or stay_calendar != calendar or binding_id in planned:
            continue
        for stay in stays:
            if stay.event == event:
                found += previews(binding, stay, lock_of)
    unique: dict[int, GuestPlan] = {}
    for plan in found:
        unique.setdefault(plan.lock_id, plan)  # a real plan before a preview
    return [unique[lock_id] for lock_id in sorted(unique)]


def current_stay(plans: Iterable[GuestPlan], binding_id: str, now: datetime) -> list[GuestPlan]:
    """Return the plans (one per lock) of the binding's stay under way (check-in to out).

    Of two under way at once (a late check-out, an early check-in), the later arrival.
    """
    stays: dict[tuple[str, str], list[GuestPlan]] = {}
    for plan in plans:
        if (
            plan.binding == binding_id
            and not plan.turnover  # the cleaner is not a guest
            and plan.status in (*OPEN_STATUSES, PlanStatus.FAILED)
            and plan.start <= now < plan.end
        ):
            stays.setdefault((plan.calendar, plan.event), []).append(plan)
    if not stays:
        return []
    latest = max(
        stays.values(), key=lambda found: (found[0].start, found[0].calendar, found[0].event)
    )
    return sorted(latest, key=lambda plan: plan.lock_id)
