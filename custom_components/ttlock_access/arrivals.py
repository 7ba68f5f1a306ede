"""Arrivals: a stay's first use of a lock, a no-show, a use after check-out.

Pure rules over the book's plans and the locks' records, no I/O: the scheduler
(guest_scheduler.py, its "arrivals" section) hears each new record of a lock from the
locks coordinator (polled or pushed, so no call of its own), applies these rules, saves
the book, then fires the events.

**Which record is the stay's.** A successful unlock on the plan's lock by a credential
named for the stay: the record's ``username`` (the name of the passcode, card,
fingerprint or eKey) ends with the stay's tag (``Jane Doe #3fa9c1``, see
:func:`~.stays.code_name`). Records carry the code's digits too: they are never compared,
kept or logged; :func:`stay_use` leaves them behind.

**What a use says.** The first use from the start of the stay's window (check-in minus
the margin) until check-out is the stay's arrival; the first use after check-out is told
once; an earlier use (a try before the stay) says nothing. A stay on two locks arrives
once: each lock's plan keeps its own first use, the event goes out for the first. A
turnover's code works the same way: the cleaner's first use is told (``role: turnover``),
but a turnover has no no-show.

**No-show.** At check-in plus the binding's ``no_show_hours``, a stay with a code on a
lock and no use on any of its locks is a no-show, told once. The scheduler reads each of
the stay's locks once just before (its planned read brought forward), so a use not read
yet counts as the arrival it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import re
from typing import Final

from homeassistant.util import dt as dt_util

from .api import LockRecord
from .stays import Binding, GuestPlan, PlanStatus, stay_tag

# The stay's tag at the end of a credential's name (code_name writes it lower case).
_STAY_TAG: Final = re.compile(r"#([0-9a-f]{6})\s*$", re.IGNORECASE)


class UseKind(StrEnum):
    """What a use of a stay's credential says."""

    ARRIVAL = "arrival"
    AFTER_CHECKOUT = "after_checkout"


@dataclass(frozen=True, slots=True, kw_only=True)
class StayUse:
    """A lock opened by a credential named for a stay: its tag, never its digits."""

    lock_id: int
    tag: str
    at: datetime  # UTC
    method: str  # passcode, card, fingerprint, app, ...


def stay_use(lock_id: int, record: LockRecord) -> StayUse | None:
    """Return the stay use a lock's record shows (None: not a stay's credential opening it).

    The time is the lock's (when it happened), else the cloud's (when it was uploaded).
    """
    if not record.success or record.unlocked is not True:
        return None
    match = _STAY_TAG.search(record.username or "")
    at = record.lock_date or record.server_date
    if match is None or at is None:
        return None
    return StayUse(
        lock_id=lock_id,
        tag=match.group(1).lower(),
        at=dt_util.as_utc(at),
        method=record.method.value,
    )


def note_use(plans: Iterable[GuestPlan], use: StayUse) -> tuple[GuestPlan, UseKind, bool] | None:
    """Note a use on the plan it belongs to.

    Returns the plan, what the use was and whether it is the stay's first of its kind (an
    event is due: once per stay, not per lock); None when it says nothing new.
    """
    book = list(plans)
    plan = next(
        (
            plan
            for plan in book
            if plan.lock_id == use.lock_id
            and stay_tag(plan.calendar, plan.event) == use.tag
            and use.at >= plan.window_from
        ),
        None,
    )
    if plan is None:
        return None
    stay = [other for other in book if (other.calendar, other.event) == (plan.calendar, plan.event)]
    if use.at < plan.end:
        if plan.arrived_at is not None:
            return None
        first = all(other.arrived_at is None for other in stay)
        plan.arrived_at = use.at
        return plan, UseKind.ARRIVAL, first
    if plan.used_after_checkout_at is not None:
        return None
    first = all(other.used_after_checkout_at is None for other in stay)
    plan.used_after_checkout_at = use.at
    return plan, UseKind.AFTER_CHECKOUT, first


def arrived_at(stay: Iterable[GuestPlan]) -> datetime | None:
    """Return when a stay arrived: the first use on any of its locks (None: not yet)."""
    return min((plan.arrived_at for plan in stay if plan.arrived_at is not None), default=None)


def no_show_due_at(plan: GuestPlan, binding: Binding | None) -> datetime | None:
    """Return when a no-show is judged for this plan (None: off, not needed, or told)."""
    if (
        binding is None
        or plan.turnover  # a cleaner's code: its use is told, its absence is no no-show
        or binding.no_show_hours <= 0
        or plan.status is not PlanStatus.CREATED
        or plan.arrived_at is not None
        or plan.no_show_at is not None
    ):
        return None
    moment = plan.start + timedelta(hours=binding.no_show_hours)
    return moment if moment < plan.end else None  # a stay over by then has no verdict


def no_shows(
    plans: Iterable[GuestPlan], bindings: Mapping[str, Binding], now: datetime
) -> list[tuple[GuestPlan, list[GuestPlan]]]:
    """Return the stays whose no-show is due now: the plan due, and all the stay's plans."""
    stays: dict[tuple[str, str], list[GuestPlan]] = {}
    for plan in plans:
        stays.setdefault((plan.calendar, plan.event), []).append(plan)
    due: list[tuple[GuestPlan, list[GuestPlan]]] = []
    for stay in stays.values():
        if arrived_at(stay) is not None or any(plan.no_show_at is not None for plan in stay):
            continue
        stay.sort(key=lambda plan: plan.lock_id)
        for plan in stay:
            moment = no_show_due_at(plan, bindings.get(plan.binding))
            if moment is not None and moment <= now < plan.end:
                due.append((plan, stay))
                break
    return due
