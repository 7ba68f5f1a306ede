"""Arrival rules (arrivals.py): which record is a stay's, what it says, when a no-show is due.

Pure rules, no cloud; the end-to-end tests are in test_guest_arrivals.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from homeassistant.util import dt as dt_util

from custom_components.ttlock_access.api import LockRecord
from custom_components.ttlock_access.arrivals import (
    StayUse,
    UseKind,
    arrived_at,
    no_show_due_at,
    no_shows,
    note_use,
    stay_use,
)
from custom_components.ttlock_access.const import CONF_CALENDARS, CONF_LOCKS
from custom_components.ttlock_access.stays import Binding, GuestPlan, PlanStatus, stay_tag

START = datetime(2026, 7, 1, 15, tzinfo=UTC)
END = START + timedelta(days=2)
TAG = stay_tag("calendar.stays", "uid")
CODE = "482913"


def plan(lock_id: int = 1, **changes: object) -> GuestPlan:
    made = GuestPlan(
        binding="b",
        calendar="calendar.stays",
        event="uid",
        lock_id=lock_id,
        guest="Jane",
        start=START,
        end=END,
        window_from=START - timedelta(minutes=30),
        window_to=END + timedelta(minutes=30),
        status=PlanStatus.CREATED,
        code=CODE,
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def record(
    record_type: int = 4,
    *,
    username: str | None = f"Jane #{TAG}",
    success: bool = True,
    lock_date: datetime | None = START,
    server_date: datetime | None = None,
) -> LockRecord:
    return LockRecord(
        record_id=1,
        lock_id=1,
        record_type=record_type,
        success=success,
        username=username,
        code=CODE,
        lock_date=lock_date,
        server_date=server_date,
    )


def use(at: datetime, lock_id: int = 1, tag: str = TAG) -> StayUse:
    return StayUse(lock_id=lock_id, tag=tag, at=at, method="passcode")


def binding(hours: int) -> Binding:
    return Binding(
        binding_id="b",
        title="Flat",
        calendars=("calendar.stays",),
        locks=(1, 2),
        no_show_hours=hours,
    )


def test_a_stay_use_is_a_successful_unlock_named_for_a_stay_without_its_digits() -> None:
    found = stay_use(1, record())
    assert found == StayUse(lock_id=1, tag=TAG, at=START, method="passcode")
    assert CODE not in repr(found)
    assert not hasattr(found, "code")
    card = stay_use(1, record(7, username=f"Jane card #{TAG.upper()}"))
    assert card is not None
    assert (card.method, card.tag) == ("card", TAG)
    uploaded = START + timedelta(minutes=3)
    assert stay_use(1, record(lock_date=None, server_date=uploaded)) == StayUse(
        lock_id=1, tag=TAG, at=uploaded, method="passcode"
    )


def test_other_records_are_no_stay_use() -> None:
    assert stay_use(1, record(success=False)) is None  # a wrong code
    assert stay_use(1, record(34)) is None  # locked with the code, not opened
    assert stay_use(1, record(username="Cleaner")) is None
    assert stay_use(1, record(username=None)) is None
    assert stay_use(1, record(username="Jane #xyz123")) is None  # not a tag
    assert stay_use(1, record(lock_date=None, server_date=None)) is None


def test_the_first_use_in_the_window_is_the_arrival_once_per_stay() -> None:
    front, garage = plan(1), plan(2)
    book = [front, garage]
    assert note_use(book, use(front.window_from - timedelta(minutes=1))) is None  # before
    early = front.window_from  # the margin before check-in counts
    assert note_use(book, use(early)) == (front, UseKind.ARRIVAL, True)
    assert front.arrived_at == early
    assert note_use(book, use(early + timedelta(hours=1))) is None  # already arrived here
    # The other lock's first use is kept, but the stay arrived already: no second event.
    assert note_use(book, use(START + timedelta(hours=2), lock_id=2)) == (
        garage,
        UseKind.ARRIVAL,
        False,
    )
    assert arrived_at(book) == early
    assert arrived_at([plan()]) is None


def test_a_use_after_checkout_is_told_once_per_stay() -> None:
    front, garage = plan(1), plan(2)
    book = [front, garage]
    assert note_use(book, use(END)) == (front, UseKind.AFTER_CHECKOUT, True)
    assert front.arrived_at is None  # not an arrival
    assert note_use(book, use(END + timedelta(minutes=5))) is None
    assert note_use(book, use(END + timedelta(minutes=9), lock_id=2)) == (
        garage,
        UseKind.AFTER_CHECKOUT,
        False,
    )


def test_a_use_of_another_stay_or_lock_is_not_this_stays() -> None:
    book = [plan(1)]
    assert note_use(book, use(START, tag="abcdef")) is None
    assert note_use(book, use(START, lock_id=3)) is None
    assert book[0].arrived_at is None


def test_a_no_show_is_due_hours_after_checkin_unless_off_arrived_or_told() -> None:
    moment = START + timedelta(hours=3)
    assert no_show_due_at(plan(), binding(3)) == moment
    assert no_show_due_at(plan(), binding(0)) is None  # off
    assert no_show_due_at(plan(), None) is None  # made by the action: no binding
    assert no_show_due_at(plan(status=PlanStatus.PLANNED), binding(3)) is None  # no code
    assert no_show_due_at(plan(arrived_at=START), binding(3)) is None
    assert no_show_due_at(plan(no_show_at=moment), binding(3)) is None
    assert no_show_due_at(plan(end=moment), binding(3)) is None  # over by then


def test_no_shows_judge_the_whole_stay() -> None:
    bindings = {"b": binding(3)}
    moment = START + timedelta(hours=3)
    garage, front = plan(2), plan(1)
    assert no_shows([garage, front], bindings, moment - timedelta(seconds=1)) == []
    assert no_shows([garage, front], bindings, moment) == [(front, [front, garage])]
    assert no_shows([garage, front], bindings, END) == []  # over: no verdict any more
    garage.arrived_at = START  # the guest came in by the garage
    assert no_shows([garage, front], bindings, moment) == []
    garage.arrived_at, front.no_show_at = None, moment  # told already
    assert no_shows([garage, front], bindings, moment) == []


def test_arrivals_are_stored_and_old_books_and_bindings_read() -> None:
    told = plan(arrived_at=START, used_after_checkout_at=END, no_show_at=START + timedelta(hours=3))
    assert GuestPlan.from_dict(told.as_dict()) == told
    old = told.as_dict()
    for key in ("arrived_at", "used_after_checkout_at", "no_show_at"):
        del old[key]
    assert GuestPlan.from_dict(old) == plan()
    shown = plan(arrived_at=START).public("Front door", with_code=False)
    assert shown["arrived_at"] == dt_util.as_local(START).isoformat()
    subentry = MappingProxyType({CONF_CALENDARS: ["calendar.stays"], CONF_LOCKS: ["1"]})
    assert Binding.from_subentry("b", "Flat", subentry).no_show_hours == 0  # off
