"""Guest access: the scheduler, end to end against the fake TTLock cloud (real HTTP)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.const import (
    CONF_PASSCODE_QUOTA_LIMITED,
    DOMAIN,
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_FAILED,
    EVENT_GUEST_CODE_LEFT_ON_LOCK,
    EVENT_GUEST_CODE_REVOKED,
)
from custom_components.ttlock_access.stays import (
    Binding,
    CodeSource,
    GuestPlan,
    PlanStatus,
    choose_code,
    retry_deadline,
)
from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import (
    CALENDAR,
    StaysCalendar,
    assert_no_code,
    binding_subentry,
    get_guest_code,
    go,
    guest_action,
    guest_codes,
    guest_name,
    lock_named,
    ms,
    recorded,
    setup_bound,
    window_ms,
)

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
SENSOR = "sensor.flat_1_next_stay"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Mid-June 2026 (before the fake cloud's demo data is made)."""
    freezer.move_to(NOW)
    return freezer


@pytest.fixture
def mock_recorder_before_hass(recorder_db_url: str) -> None:
    """The database before hass, so that a test here can ask for ``recorder_mock``."""


# ---- one stay ---------------------------------------------------------------------------


async def test_code_made_days_before_and_removed_after_checkout(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    start = datetime(2026, 6, 20, 13, 0, tzinfo=UTC)  # 06:00 in Los Angeles
    end = datetime(2026, 6, 23, 17, 15, tzinfo=UTC)
    stays.add("smith", start, end, "Smith", "Call +44 7700 900 482 on arrival")
    scheduler = await setup_bound(hass, mock_config_entry, [front], code_source="phone")

    # Planned, not created: 5 days and 3 hours ahead, 5 days before is the moment.
    assert guest_codes(front, demo_ids) == []
    state = hass.states.get(SENSOR)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == start
    assert state.attributes["guest"] == "Smith"
    assert state.attributes["locks"][0]["status"] == "planned"
    assert state.attributes["locks"][0]["code"] is None

    created_at = dt_util.as_local(start) - timedelta(days=5)
    await go(hass, frozen, created_at - timedelta(minutes=1))
    assert guest_codes(front, demo_ids) == []
    await go(hass, frozen, created_at)
    (code,) = guest_codes(front, demo_ids)
    assert code.code == "900482"  # the last digits of the phone number
    assert (code.start_ms, code.end_ms) == window_ms(start, end)
    assert guest_name(code) == "Smith"
    assert (
        code.name
        == mock_config_entry.runtime_data.guests.plans[f"{CALENDAR}|smith|{front.lock_id}"].name
    )
    assert [event.event_type for event in events] == [EVENT_GUEST_CODE_CREATED]
    data = events[0].data
    assert_no_code(data, "900482")
    assert data["guest"] == "Smith"
    assert data["lock"] == "Front door"
    assert data["lock_entity_id"] == "lock.front_door"
    assert data["valid_from"] == dt_util.as_local(start - timedelta(minutes=30)).isoformat()
    assert data["checkout"] == dt_util.as_local(end).isoformat()
    state = hass.states.get(SENSOR)
    assert state is not None
    assert "900482" not in state.state
    assert state.attributes["locks"][0]["code"] == "900482"
    # The code is read with the action, naming the stay as the event does.
    response = await get_guest_code(
        hass, calendar=data["calendar"], event_uid=data["event_uid"], lock_id=data["lock_id"]
    )
    assert response == {
        "calendar": CALENDAR,
        "event_uid": "smith",
        "guest": "Smith",
        "checkin": dt_util.as_local(start).isoformat(),
        "checkout": dt_util.as_local(end).isoformat(),
        "codes": [
            {
                "lock": "Front door",
                "lock_id": front.lock_id,
                "lock_entity_id": "lock.front_door",
                "status": "created",
                "code": "900482",
                "passcode_id": code.passcode_id,
                "offline": False,
                "fallback": False,
                "valid_from": data["valid_from"],
                "valid_to": data["valid_to"],
                "arrived_at": None,
            }
        ],
    }

    # Later passes change nothing.
    await go(hass, frozen, created_at + timedelta(hours=3))
    assert [c.passcode_id for c in guest_codes(front, demo_ids)] == [code.passcode_id]

    await go(hass, frozen, end + timedelta(minutes=29))
    assert len(guest_codes(front, demo_ids)) == 1
    await go(hass, frozen, end + timedelta(minutes=30))
    assert guest_codes(front, demo_ids) == []
    assert events[-1].event_type == EVENT_GUEST_CODE_REVOKED
    assert events[-1].data["reason"] == "checked_out"
    assert events[-1].data["deleted"] is True
    assert_no_code(events[-1].data, "900482")
    # Deleted: the action says so, without the code.
    (gone,) = (await get_guest_code(hass, calendar=CALENDAR, event_uid="smith"))["codes"]
    assert (gone["status"], gone["code"], gone["passcode_id"]) == ("revoked", None, None)
    plan = next(iter(scheduler.plans.values()))
    assert plan.status is PlanStatus.REVOKED
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.state == "unknown"

    # A week later the closed plan is gone from the store.
    await go(hass, frozen, end + timedelta(days=8))
    assert scheduler.plans == {}


async def test_close_stay_at_once_offline_lock_expires(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    start = datetime(2026, 6, 16, 22, 10, tzinfo=UTC)
    end = datetime(2026, 6, 18, 9, 40, tzinfo=UTC)
    stays.add("jones", start, end, "Jones")
    await setup_bound(
        hass,
        mock_config_entry,
        [front, garage],
        code_source="prefix",
        code_prefix="42",
        code_length=7,
    )
    (custom,) = guest_codes(front, demo_ids)
    assert custom.code.startswith("42")
    assert len(custom.code) == 7
    (offline,) = guest_codes(garage, demo_ids)
    assert not offline.is_custom
    # Offline: whole hours, rounded outward.
    assert offline.start_ms == ms(datetime(2026, 6, 16, 21, 0, tzinfo=UTC))
    assert offline.end_ms == ms(datetime(2026, 6, 18, 11, 0, tzinfo=UTC))
    garage_event = next(e for e in events if e.data["lock_id"] == garage.lock_id)
    assert garage_event.data["offline"] is True
    assert garage_event.data["lock_entity_id"] is None
    assert (
        garage_event.data["must_be_used_by"]
        == dt_util.as_local(datetime(2026, 6, 17, 21, 0, tzinfo=UTC)).isoformat()
    )

    await go(hass, frozen, datetime(2026, 6, 18, 11, 0, tzinfo=UTC))
    assert guest_codes(front, demo_ids) == []
    # The offline code cannot be deleted without a gateway: left to expire, marked so.
    assert [c.passcode_id for c in guest_codes(garage, demo_ids)] == [offline.passcode_id]
    revoked = {e.data["lock_id"]: e.data for e in events if e.event_type.endswith("revoked")}
    assert revoked[front.lock_id]["deleted"] is True
    assert revoked[garage.lock_id]["deleted"] is False
    scheduler = mock_config_entry.runtime_data.guests
    statuses = {plan.lock_id: plan.status for plan in scheduler.plans.values()}
    assert statuses == {front.lock_id: PlanStatus.REVOKED, garage.lock_id: PlanStatus.EXPIRED}


async def test_moved_and_cancelled(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    end = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
    stays.add("a", start, end, "Adams")
    stays.add("b", start + timedelta(days=1), end + timedelta(days=1), "Brown")
    await setup_bound(hass, mock_config_entry, [front, garage])
    assert len(guest_codes(front, demo_ids)) == 2
    (adams,) = [c for c in guest_codes(front, demo_ids) if guest_name(c) == "Adams"]
    (adams_offline,) = [c for c in guest_codes(garage, demo_ids) if guest_name(c) == "Adams"]

    stays.move("a", timedelta(hours=2), stretch=timedelta(days=1))
    await go(hass, frozen, NOW + timedelta(minutes=15))
    (moved,) = [c for c in guest_codes(front, demo_ids) if guest_name(c) == "Adams"]
    assert moved.passcode_id == adams.passcode_id
    assert moved.code == adams.code
    assert (moved.start_ms, moved.end_ms) == window_ms(
        start + timedelta(hours=2), end + timedelta(days=1, hours=2)
    )
    # The offline code cannot change: a new one; the old one is left to expire.
    offline = [c for c in guest_codes(garage, demo_ids) if guest_name(c) == "Adams"]
    assert len(offline) == 2
    assert events[-1].data["moved"] is True
    # Each re-delivery says what changed: the dates (custom), the dates and code (offline).
    redelivered = {e.data["lock_id"]: e.data for e in events if e.data.get("reason") == "moved"}
    assert redelivered[front.lock_id]["changed"] == ["dates"]
    assert redelivered[garage.lock_id]["changed"] == ["dates", "code"]
    assert (
        redelivered[front.lock_id]["previous_valid_from"]
        == dt_util.as_local(start - timedelta(minutes=30)).isoformat()
    )
    assert (
        redelivered[front.lock_id]["valid_from"]
        == dt_util.as_local(start + timedelta(hours=2) - timedelta(minutes=30)).isoformat()
    )
    assert_no_code(redelivered[front.lock_id], adams.code)
    scheduler = mock_config_entry.runtime_data.guests
    garage_plan = next(
        p for p in scheduler.plans.values() if p.lock_id == garage.lock_id and p.event == "a"
    )
    assert garage_plan.superseded == [adams_offline.passcode_id]

    # ... and said so: the old offline code still opens the garage until its end.
    issues = ir.async_get(hass).issues.values()
    (left,) = [i for i in issues if i.translation_key == "guest_code_left_on_lock"]
    assert left.translation_placeholders == {
        "guest": "Adams",
        "lock_name": "Garage",
        "until": "2026-06-20 04:00",
        "reason": "moved",
    }

    stays.cancel("b")
    await go(hass, frozen, NOW + timedelta(minutes=30))
    assert [guest_name(c) for c in guest_codes(front, demo_ids)] == ["Adams"]
    cancelled = [(e.event_type, e.data) for e in events if e.data.get("reason") == "cancelled"]
    # Deleted through the gateway; never "revoked" where it cannot be removed.
    assert [(kind, data["lock_id"], data.get("deleted")) for kind, data in cancelled] == [
        (EVENT_GUEST_CODE_REVOKED, front.lock_id, True),
        (EVENT_GUEST_CODE_LEFT_ON_LOCK, garage.lock_id, None),
    ]
    assert cancelled[1][1]["valid_to"] == "2026-06-21T04:00:00-07:00"
    plans = scheduler.plans.values()
    assert {p.lock_id: p.status for p in plans if p.event == "b"} == {
        front.lock_id: PlanStatus.REVOKED,
        garage.lock_id: PlanStatus.LEFT_ON_LOCK,
    }
    issues = ir.async_get(hass).issues.values()
    assert len([i for i in issues if i.translation_key == "guest_code_left_on_lock"]) == 2
    # Once the code's validity is over, the warning goes.
    await go(hass, frozen, datetime(2026, 6, 21, 11, 1, tzinfo=UTC))
    issues = ir.async_get(hass).issues.values()
    assert [i for i in issues if i.translation_key == "guest_code_left_on_lock"] == []
    assert {p.lock_id: p.status for p in plans if p.event == "b"}[garage.lock_id] == (
        PlanStatus.EXPIRED
    )


async def test_moved_far_ahead_is_not_cancelled(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    (code,) = guest_codes(front, demo_ids)
    stays.move("a", timedelta(days=60))
    await go(hass, frozen, NOW + timedelta(minutes=15))
    (moved,) = guest_codes(front, demo_ids)
    assert moved.passcode_id == code.passcode_id
    assert moved.start_ms == ms(start + timedelta(days=60, minutes=-30))


async def test_calendar_unavailable_cancels_nothing(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    stays.fail = True
    await go(hass, frozen, NOW + timedelta(hours=2))
    assert len(guest_codes(front, demo_ids)) == 1


# ---- the sensor sees ahead ------------------------------------------------------------------


async def test_next_stay_seen_ahead_before_its_code(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    """A booking 10 days out shows at once; its code still comes 5 days before, once."""
    start = datetime(2026, 6, 25, 22, 0, tzinfo=UTC)
    end = start + timedelta(days=3)
    stays.add("far", start, end, "Far away", "Phone +44 7700 900 482")
    scheduler = await setup_bound(hass, mock_config_entry, [front, garage], code_source="phone")

    state = hass.states.get(SENSOR)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == start
    assert state.attributes["guest"] == "Far away"
    assert state.attributes["calendar"] == CALENDAR
    assert state.attributes["event_uid"] == "far"
    assert state.attributes["checkin"] == dt_util.as_local(start).isoformat()
    assert state.attributes["checkout"] == dt_util.as_local(end).isoformat()
    assert state.attributes["locks"] == [
        {
            "lock": "Front door",
            "lock_id": front.lock_id,
            "status": "planned",
            "code": None,
            "offline": False,
            "fallback": False,
            "valid_from": dt_util.as_local(start - timedelta(minutes=30)).isoformat(),
            "valid_to": dt_util.as_local(end + timedelta(minutes=30)).isoformat(),
            "arrived_at": None,
        },
        {
            "lock": "Garage",
            "lock_id": garage.lock_id,
            "status": "planned",
            "code": None,
            "offline": True,  # whole hours, rounded outward
            "fallback": False,
            "valid_from": dt_util.as_local(start - timedelta(hours=1)).isoformat(),
            "valid_to": dt_util.as_local(end + timedelta(hours=1)).isoformat(),
            "arrived_at": None,
        },
    ]
    # Seen, not planned: nothing stored, nothing made, nothing fired.
    assert scheduler.plans == {}
    assert guest_codes(front, demo_ids) == guest_codes(garage, demo_ids) == []
    assert events == []
    # The action knows the stay too, without a code yet.
    response = await get_guest_code(hass, calendar=CALENDAR, event_uid="far")
    assert [(item["lock"], item["status"], item["code"]) for item in response["codes"]] == [
        ("Front door", "planned", None),
        ("Garage", "planned", None),
    ]
    assert response["guest"] == "Far away"

    # Days pass, the calendar is read every 15 min: still no code before its moment.
    created_at = dt_util.as_local(start) - timedelta(days=5)
    moment = NOW
    while moment < created_at - timedelta(hours=6):
        moment += timedelta(hours=6)
        await go(hass, frozen, moment)
    assert guest_codes(front, demo_ids) == guest_codes(garage, demo_ids) == []
    await go(hass, frozen, created_at - timedelta(minutes=1))
    assert guest_codes(front, demo_ids) == []
    assert {plan.status for plan in scheduler.plans.values()} == {PlanStatus.PLANNED}
    await go(hass, frozen, created_at)
    (code,) = guest_codes(front, demo_ids)
    assert code.code == "900482"
    assert len(guest_codes(garage, demo_ids)) == 1
    assert [e.event_type for e in events] == [EVENT_GUEST_CODE_CREATED] * 2
    state = hass.states.get(SENSOR)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == start
    assert [item["status"] for item in state.attributes["locks"]] == ["created"] * 2
    assert state.attributes["locks"][0]["code"] == "900482"
    # Later passes change nothing.
    await go(hass, frozen, created_at + timedelta(hours=2))
    assert len(guest_codes(front, demo_ids)) == len(guest_codes(garage, demo_ids)) == 1


async def test_next_stay_horizon_and_order(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
) -> None:
    """Up to 60 days ahead; the earliest arrival first, planned or not; cancelled goes."""
    beyond = NOW + timedelta(days=61)
    stays.add("beyond", beyond, beyond + timedelta(days=2), "Beyond")
    await setup_bound(hass, mock_config_entry, [front])
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.state == "unknown"
    assert state.attributes["guest"] is None

    # Two days later (read every 15 min) it is within 60 days.
    await go(hass, frozen, NOW + timedelta(days=1, hours=12))
    await go(hass, frozen, NOW + timedelta(days=2))
    state = hass.states.get(SENSOR)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == beyond

    # An earlier booking comes first, shown on the calendar's next change (or 15 min).
    now = NOW + timedelta(days=2)
    sooner = now + timedelta(days=20)
    stays.add("sooner", sooner, sooner + timedelta(days=1), "Sooner")
    hass.states.async_set(CALENDAR, "on")
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state is not None
    assert (state.state, state.attributes["guest"]) == (sooner.isoformat(), "Sooner")

    # A planned stay (inside days_before + 1 day) before a far one.
    near = now + timedelta(days=5, hours=12)
    stays.add("near", near, near + timedelta(days=1), "Near")
    await go(hass, frozen, now + timedelta(minutes=15))
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.attributes["guest"] == "Near"
    assert state.attributes["locks"][0]["status"] == "planned"
    scheduler = mock_config_entry.runtime_data.guests
    assert [plan.event for plan in scheduler.plans.values()] == ["near"]

    # Cancelled bookings disappear from the sensor at the next read.
    stays.cancel("near")
    stays.cancel("sooner")
    await go(hass, frozen, now + timedelta(minutes=30))
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.attributes["guest"] == "Beyond"
    assert scheduler.plans == {}


async def test_two_bindings_on_one_calendar(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
) -> None:
    """Each binding's sensor shows the stay; the action answers for both bindings' locks."""
    start = NOW + timedelta(days=10)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    hass.config_entries.async_add_subentry(
        mock_config_entry, binding_subentry([garage.lock_id], title="Shed", days_before=2)
    )
    scheduler = await setup_bound(hass, mock_config_entry, [front], days_before=14)
    # The first binding made its code (14 days before), the second only sees it ahead.
    assert [(p.lock_id, p.status) for p in scheduler.plans.values()] == [
        (front.lock_id, PlanStatus.CREATED)
    ]
    for sensor, lock in ((SENSOR, front), ("sensor.shed_next_stay", garage)):
        state = hass.states.get(sensor)
        assert state is not None
        assert dt_util.parse_datetime(state.state) == start
        assert [item["lock_id"] for item in state.attributes["locks"]] == [lock.lock_id]
    response = await get_guest_code(hass, calendar=CALENDAR, event_uid="a")
    assert [(item["lock"], item["status"]) for item in response["codes"]] == sorted(
        [("Front door", "created"), ("Garage", "planned")],
        key=lambda item: {"Front door": front.lock_id, "Garage": garage.lock_id}[item[0]],
    )


async def test_look_ahead_read_only_when_worth_it(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """60 days at setup, every 15 min and on a calendar change; the short window else.

    One read per calendar and pass either way (the plans take theirs from the wide one).
    """
    # Its code is due 7 minutes after setup: a pass of the scheduler's own timer.
    start = NOW + timedelta(days=5, minutes=7)
    stays.add("a", start, start + timedelta(days=1), "Adams")
    await setup_bound(hass, mock_config_entry, [front], days_before=5, margin=30)
    since = NOW - timedelta(minutes=30)
    assert stays.reads == [(since, NOW + timedelta(days=60))]

    stays.reads.clear()
    await go(hass, frozen, NOW + timedelta(minutes=7))
    assert len(guest_codes(front, demo_ids)) == 1
    moment = NOW + timedelta(minutes=7)
    assert stays.reads == [(moment - timedelta(minutes=30), moment + timedelta(days=6))]

    stays.reads.clear()
    await go(hass, frozen, NOW + timedelta(minutes=15))
    moment = NOW + timedelta(minutes=15)
    assert stays.reads == [(moment - timedelta(minutes=30), moment + timedelta(days=60))]

    stays.reads.clear()
    hass.states.async_set(CALENDAR, "on")
    await hass.async_block_till_done()
    assert stays.reads == [(moment - timedelta(minutes=30), moment + timedelta(days=60))]


async def test_moved_within_the_look_ahead_needs_no_wider_read(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """A booking moved 30 days ahead keeps its code (found in the 60 days already read);
    cancelled there, its code goes at the next look-ahead."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    (code,) = guest_codes(front, demo_ids)
    stays.move("a", timedelta(days=30))
    stays.reads.clear()
    await go(hass, frozen, NOW + timedelta(minutes=15))
    assert len(stays.reads) == 1
    (moved,) = guest_codes(front, demo_ids)
    assert moved.passcode_id == code.passcode_id
    assert moved.start_ms == ms(start + timedelta(days=30, minutes=-30))
    state = hass.states.get(SENSOR)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == start + timedelta(days=30)
    assert state.attributes["locks"][0]["status"] == "created"
    # Cancelled there: seen at the next look-ahead, not only once it comes near.
    stays.cancel("a")
    await go(hass, frozen, NOW + timedelta(minutes=30))
    assert guest_codes(front, demo_ids) == []
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.state == "unknown"


# ---- no code in the recorder ----------------------------------------------------------------


async def test_no_code_in_the_recorder(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """Made, read with the action, revoked: the database never holds a code.

    The sensor shows the codes (its ``locks`` attribute is left out of the recorder), the
    events name the stay without them; get_guest_code's response is not recorded.
    """
    start = NOW + timedelta(days=2)
    end = start + timedelta(days=2)
    stays.add("smith", start, end, "Smith")
    await setup_bound(hass, mock_config_entry, [front, garage])
    codes = [c.code for lock in (front, garage) for c in guest_codes(lock, demo_ids)]
    assert len(codes) == 2
    state = hass.states.get(SENSOR)
    assert state is not None
    assert sorted(item["code"] for item in state.attributes["locks"]) == sorted(codes)
    response = await get_guest_code(hass, calendar=CALENDAR, event_uid="smith")
    assert sorted(item["code"] for item in response["codes"]) == sorted(codes)
    await go(hass, frozen, end + timedelta(hours=2))
    assert guest_codes(front, demo_ids) == []

    await async_wait_recording_done(hass)
    events, states = await recorder_mock.async_add_executor_job(recorded, hass)
    types = [event_type for event_type, _ in events]
    assert types.count(EVENT_GUEST_CODE_CREATED) == 2
    assert types.count(EVENT_GUEST_CODE_REVOKED) == 2
    assert "get_guest_code" in str(events)  # the call is recorded, its answer is not
    sensor = [attrs for entity_id, _, attrs in states if entity_id == SENSOR]
    assert any('"guest":"Smith"' in attrs for attrs in sensor)
    assert not any('"locks"' in attrs for attrs in sensor)
    everything = str(events) + str(states)
    for code in codes:
        assert code not in everything


# ---- offline gateway ----------------------------------------------------------------------


async def test_gateway_offline_for_hours_then_back(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    start = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)  # 02:00 local: due at once
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    assert guest_codes(front, demo_ids) == []
    tries = fake_cloud.requests["/v3/keyboardPwd/add"]
    for hour in range(1, 6):
        await go(hass, frozen, NOW + timedelta(hours=hour))
    assert fake_cloud.requests["/v3/keyboardPwd/add"] == tries + 5  # once an hour
    assert events == []
    fake_cloud.set_gateway_online(gateway_id, True)
    await go(hass, frozen, NOW + timedelta(hours=6))
    assert len(guest_codes(front, demo_ids)) == 1
    assert [e.event_type for e in events] == [EVENT_GUEST_CODE_CREATED]


async def test_gateway_offline_until_checkin_day(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, False)
    start = datetime(2026, 6, 17, 22, 0, tzinfo=UTC)  # 15:00 on the 17th in Los Angeles
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front], fallback_offline=False)
    midnight = dt_util.start_of_local_day(dt_util.as_local(start))
    moment = NOW
    while moment < midnight - timedelta(hours=1):
        moment += timedelta(hours=1)
        await go(hass, frozen, moment)
    assert events == []
    issues = ir.async_get(hass)
    await go(hass, frozen, midnight)
    assert [e.event_type for e in events] == [EVENT_GUEST_CODE_FAILED]
    assert events[0].data["error"] == "cloud_lock_unreachable"
    assert "code" not in events[0].data
    (issue,) = [i for i in issues.issues.values() if i.translation_key == "guest_code_failed"]
    assert issue.translation_key == "guest_code_failed"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["guest"] == "Adams"
    # Still tried every hour until check-in: the cause going is enough, nobody acts.
    tries = fake_cloud.requests["/v3/keyboardPwd/add"]
    for hour in (1, 2, 3):
        await go(hass, frozen, midnight + timedelta(hours=hour))
    assert fake_cloud.requests["/v3/keyboardPwd/add"] == tries + 3
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, True)
    await go(hass, frozen, midnight + timedelta(hours=4))
    assert len(guest_codes(front, demo_ids)) == 1
    assert events[-1].event_type == EVENT_GUEST_CODE_CREATED
    assert [i for i in issues.issues.values() if i.translation_key == "guest_code_failed"] == []


def test_retry_deadline_for_a_late_booking() -> None:
    start = datetime(2026, 6, 17, 22, 0, tzinfo=UTC)
    assert retry_deadline(start, start - timedelta(hours=2)) == start


# ---- restarts and the action ---------------------------------------------------------------


async def test_restart_in_the_middle_of_a_plan(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    near = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    far = datetime(2026, 6, 20, 15, 0, tzinfo=UTC)
    stays.add("near", near, near + timedelta(days=2), "Near")
    stays.add("far", far, far + timedelta(days=2), "Far")
    await setup_bound(hass, mock_config_entry, [front])
    assert [guest_name(c) for c in guest_codes(front, demo_ids)] == ["Near"]

    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert [guest_name(c) for c in guest_codes(front, demo_ids)] == ["Near"]
    scheduler = mock_config_entry.runtime_data.guests
    assert {p.event: p.status for p in scheduler.plans.values()} == {
        "near": PlanStatus.CREATED,
        "far": PlanStatus.PLANNED,
    }
    # Down while the far stay's moment passes: made at the next start, once.
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    frozen.move_to(dt_util.as_local(far) - timedelta(days=5) + timedelta(hours=2))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert sorted(guest_name(c) for c in guest_codes(front, demo_ids)) == ["Far", "Near"]
    created = [e.data["guest"] for e in events if e.event_type == EVENT_GUEST_CODE_CREATED]
    assert created == ["Near", "Far"]


async def test_action_first_then_scheduler_adopts(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    response = await hass.services.async_call(
        DOMAIN,
        "create_guest_passcode",
        {"calendar": CALENDAR, "event_uid": "a"},
        target={"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    code = response["lock.front_door"]["code"]
    hass.config_entries.async_add_subentry(mock_config_entry, binding_subentry([front.lock_id]))
    await hass.async_block_till_done()  # the entry reloads with its binding
    assert [c.code for c in guest_codes(front, demo_ids)] == [code]
    assert_no_code(events[-1].data, code)
    (adopted,) = (
        await get_guest_code(
            hass, calendar=CALENDAR, event_uid="a", lock_entity_id="lock.front_door"
        )
    )["codes"]
    assert adopted["code"] == code
    # And the action, asked again, returns the same code.
    again = await hass.services.async_call(
        DOMAIN,
        "create_guest_passcode",
        {"calendar": CALENDAR, "event_uid": "a"},
        target={"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    assert again is not None
    assert again["lock.front_door"]["code"] == code
    assert len(guest_codes(front, demo_ids)) == 1


async def test_get_guest_code_checks_the_stay_and_lock(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """Unknown stays and locks are clear, translated errors; the schema takes nothing else."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    (code,) = guest_codes(front, demo_ids)
    response = await get_guest_code(
        hass,
        calendar=CALENDAR,
        event_uid="a",
        lock_id=str(front.lock_id),  # as a template renders it
        lock_entity_id="lock.front_door",
    )
    assert [item["code"] for item in response["codes"]] == [code.code]
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"calendar": CALENDAR, "event_uid": "nope"},
            "unknown_guest_stay",
            "Guest access knows no stay nope on calendar.stays",
        ),
        ({"calendar": "calendar.other", "event_uid": "a"}, "unknown_guest_stay", "no stay a"),
        (
            {"calendar": CALENDAR, "event_uid": "a", "lock_id": garage.lock_id},
            "guest_stay_lock",
            "The guest stay a gets no code on Garage: it is not one",
        ),
        (
            {"calendar": CALENDAR, "event_uid": "a", "lock_id": 999},
            "guest_stay_lock",
            "The guest stay a gets no code on 999",
        ),
        (
            {"calendar": CALENDAR, "event_uid": "a", "lock_entity_id": "lock.back_door"},
            "guest_stay_lock",
            "no code on lock.back_door",
        ),
        (
            {"calendar": CALENDAR, "event_uid": "a", "lock_entity_id": "lock.elsewhere"},
            "unknown_lock",
            "lock.elsewhere is not a TTLock lock",
        ),
        (
            {
                "calendar": CALENDAR,
                "event_uid": "a",
                "lock_id": garage.lock_id,
                "lock_entity_id": "lock.front_door",
            },
            "lock_mismatch",
            f"Lock id {garage.lock_id} is not the lock of lock.front_door",
        ),
    ]
    for data, key, message in cases:
        with pytest.raises(ServiceValidationError) as err:
            await get_guest_code(hass, **data)
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == key
        assert message in str(err.value)
    for data in (
        {"calendar": CALENDAR},
        {"calendar": CALENDAR, "event_uid": ""},
        {"calendar": "sensor.x", "event_uid": "a"},
        {"calendar": CALENDAR, "event_uid": "a", "lock_id": 0},
        {"calendar": CALENDAR, "event_uid": "a", "lock_entity_id": "sensor.garage_battery"},
        {"calendar": CALENDAR, "event_uid": "a", "code": "1"},
    ):
        with pytest.raises(probatio.Invalid):
            await get_guest_code(hass, **data)
    # Response only: asked without a response, the call is refused.
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "get_guest_code", {"calendar": CALENDAR, "event_uid": "a"}, blocking=True
        )


async def test_binding_removed_revokes(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    assert len(guest_codes(front, demo_ids)) == 1
    (subentry_id,) = mock_config_entry.subentries
    hass.config_entries.async_remove_subentry(mock_config_entry, subentry_id)
    await hass.async_block_till_done()
    assert guest_codes(front, demo_ids) == []
    assert hass.states.get(SENSOR) is None


# ---- quota ----------------------------------------------------------------------------------


async def test_month_with_more_stays_than_allowance(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    """4 codes left in June on the front door (the demo guest code used one).

    Stays 1-4 get codes, stay 5 (check-in in June) fails at once with the quota reason,
    stay 6 (check-in on 3 July) waits for the allowance of July and gets its code then.
    """
    frozen.move_to(datetime(2026, 6, 20, 10, 20, tzinfo=UTC))
    for index in range(5):
        start = datetime(2026, 6, 21 + 2 * index, 18, 0, tzinfo=UTC)
        stays.add(f"s{index}", start, start + timedelta(days=1), f"Stay {index}")
    july = datetime(2026, 7, 3, 18, 0, tzinfo=UTC)
    stays.add("july", july, july + timedelta(days=1), "July")
    await setup_bound(hass, mock_config_entry, [front], days_before=14)
    assert sorted(guest_name(c) for c in guest_codes(front, demo_ids)) == [
        f"Stay {index}" for index in range(4)
    ]
    failed = [e.data for e in events if e.event_type == EVENT_GUEST_CODE_FAILED]
    assert [(data["guest"], data["error"]) for data in failed] == [("Stay 4", "quota_exhausted")]
    scheduler = mock_config_entry.runtime_data.guests
    waiting = next(p for p in scheduler.plans.values() if p.event == "july")
    assert waiting.status is PlanStatus.PLANNED
    assert waiting.error == "quota_exhausted"
    assert waiting.next_attempt == dt_util.as_local(datetime(2026, 7, 1, 7, 0, tzinfo=UTC))
    await go(hass, frozen, datetime(2026, 7, 1, 7, 0, tzinfo=UTC))
    assert "July" in [guest_name(c) for c in guest_codes(front, demo_ids)]


# ---- randomized calendars -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_randomized_calendars(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    demo_ids: set[int],
    seed: int,
) -> None:
    """Random stays, moves and cancellations across a DST change (Europe/Berlin, 25 Oct).

    After every pass: exactly one code per live stay and lock whose moment has come and
    whose window has not ended, with the exact window; none for anything else.
    """
    await hass.config.async_set_time_zone("Europe/Berlin")
    rng = random.Random(seed)
    begin = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)
    frozen.move_to(begin)
    for account in fake_cloud.accounts.values():
        account.limited = False
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_PASSCODE_QUOTA_LIMITED: False},
    )
    locks = [lock_named(fake_cloud, "Front door"), lock_named(fake_cloud, "Back door")]
    days_before, margin = 3, 45

    def random_stay(index: int) -> None:
        start = begin + timedelta(
            days=rng.randrange(0, 28), hours=rng.randrange(0, 24), minutes=rng.choice((0, 15, 40))
        )
        end = start + timedelta(days=rng.randrange(1, 6), minutes=rng.choice((0, 30)))
        stays.add(f"uid-{index}", start, end, f"Guest {index}")

    for index in range(12):
        random_stay(index)
    counter = 12
    await setup_bound(hass, mock_config_entry, locks, days_before=days_before, margin=margin)

    def check(now: datetime) -> None:
        expected: dict[tuple[int, str], tuple[int, int]] = {}
        for event in stays.events.values():
            start, end = event.start_datetime_local, event.end_datetime_local
            window = (start - timedelta(minutes=margin), end + timedelta(minutes=margin))
            if dt_util.as_local(start) - timedelta(days=days_before) <= now < window[1]:
                for lock in locks:
                    expected[lock.lock_id, event.summary] = (ms(window[0]), ms(window[1]))
        actual: dict[tuple[int, str], tuple[int, int]] = {}
        for lock in locks:
            for code in guest_codes(lock, demo_ids):
                key = (lock.lock_id, guest_name(code))
                assert key not in actual, f"two codes for {key} at {now}"
                actual[key] = (code.start_ms, code.end_ms)
        assert actual == expected, f"at {now}"

    now = begin
    check(now)
    while now < begin + timedelta(days=36):
        roll = rng.random()
        live = sorted(stays.events)
        if roll < 0.15 and live:
            stays.move(
                rng.choice(live),
                timedelta(hours=rng.randrange(-30, 30)),
                stretch=timedelta(hours=rng.randrange(0, 20)),
            )
        elif roll < 0.25 and live:
            stays.cancel(rng.choice(live))
        elif roll < 0.35:
            random_stay(counter)
            counter += 1
        now += timedelta(hours=rng.choice((1, 2, 3)))
        await go(hass, frozen, now)
        check(now)
    # The run exercised creations, moves and deletions.
    assert fake_cloud.requests["/v3/keyboardPwd/add"] >= 20
    assert fake_cloud.requests["/v3/keyboardPwd/change"] >= 1
    assert fake_cloud.requests["/v3/keyboardPwd/delete"] >= 20


# ---- pure helpers ---------------------------------------------------------------------------


def test_choose_code_sources() -> None:
    rng = random.Random(0)
    phone = Binding(
        binding_id="x", title="x", calendars=("c",), locks=(1,), code_source=CodeSource.PHONE
    )
    assert choose_code(phone, "tel. 0049 (170) 555-2837", set(), rng) == "552837"
    # Too simple or taken: random instead.
    assert choose_code(phone, "phone +1 555 123456", set(), rng) != "123456"
    assert choose_code(phone, "phone +1 555 552837", {"552837"}, rng) != "552837"
    assert len(choose_code(phone, "no phone", set(), rng)) == 6
    prefix = Binding(
        binding_id="x",
        title="x",
        calendars=("c",),
        locks=(1,),
        code_source=CodeSource.PREFIX,
        code_prefix="77",
        code_length=5,
    )
    assert choose_code(prefix, "", set(), rng).startswith("77")


def test_plan_round_trip() -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    plan = GuestPlan(
        binding="b",
        calendar=CALENDAR,
        event="a",
        lock_id=1,
        guest="Adams",
        start=start,
        end=start + timedelta(days=1),
        window_from=start,
        window_to=start + timedelta(days=1),
        superseded=[3],
    )
    assert GuestPlan.from_dict(plan.as_dict()) == plan


async def test_gateway_offline_at_checkout(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    """The delete is retried hourly; a day later the code (period over) is marked expired."""
    start = datetime(2026, 6, 16, 15, 0, tzinfo=UTC)
    end = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, end, "Adams")
    stays.add("b", start, end, "Brown")
    await setup_bound(hass, mock_config_entry, [front])
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    await go(hass, frozen, end + timedelta(minutes=30))
    assert len(guest_codes(front, demo_ids)) == 2
    assert not [e for e in events if e.event_type == EVENT_GUEST_CODE_REVOKED]
    await go(hass, frozen, end + timedelta(hours=25))
    assert len(guest_codes(front, demo_ids)) == 2
    revoked = [e.data for e in events if e.event_type == EVENT_GUEST_CODE_REVOKED]
    assert [(data["deleted"], data["status"]) for data in revoked] == [(False, "expired")] * 2


async def test_gateway_back_before_checkout_retry(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 16, 15, 0, tzinfo=UTC)
    end = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, end, "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    # A move while the gateway is down waits for it.
    stays.move("a", timedelta(hours=1))
    await go(hass, frozen, NOW + timedelta(minutes=15))
    (code,) = guest_codes(front, demo_ids)
    assert code.start_ms == ms(start - timedelta(minutes=30))
    fake_cloud.set_gateway_online(gateway_id, True)
    await go(hass, frozen, NOW + timedelta(minutes=75))
    (code,) = guest_codes(front, demo_ids)
    assert code.start_ms == ms(start + timedelta(minutes=30))
    fake_cloud.set_gateway_online(gateway_id, False)
    await go(hass, frozen, end + timedelta(minutes=90))
    assert len(guest_codes(front, demo_ids)) == 1
    fake_cloud.set_gateway_online(gateway_id, True)
    await go(hass, frozen, end + timedelta(minutes=150))
    assert guest_codes(front, demo_ids) == []


async def test_failed_stay_moved_gets_another_chance(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    start = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # late booking: until check-in
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front], fallback_offline=False)
    await go(hass, frozen, start)
    scheduler = mock_config_entry.runtime_data.guests
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.FAILED
    fake_cloud.set_gateway_online(gateway_id, True)
    stays.move("a", timedelta(days=1))
    await go(hass, frozen, start + timedelta(minutes=15))
    assert plan.status is PlanStatus.CREATED
    assert len(guest_codes(front, demo_ids)) == 1
    assert all(
        issue.translation_key != "guest_code_failed" for issue in ir.async_get(hass).issues.values()
    )
    # Cancelled after that: the code goes.
    stays.cancel("a")
    await go(hass, frozen, start + timedelta(minutes=30))
    assert guest_codes(front, demo_ids) == []


async def test_code_deleted_elsewhere_is_made_again(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "create_guest_passcode",
        {"calendar": CALENDAR, "event_uid": "a"},
        target={"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    (made,) = guest_codes(front, demo_ids)
    del front.passcodes[made.passcode_id]  # removed in the TTLock app
    hass.config_entries.async_add_subentry(mock_config_entry, binding_subentry([front.lock_id]))
    await hass.async_block_till_done()
    (again,) = guest_codes(front, demo_ids)
    assert again.passcode_id != made.passcode_id


async def test_entry_down_for_a_whole_stay(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    start = datetime(2026, 6, 20, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=1), "Adams")
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    assert len(scheduler.plans) == 1
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    frozen.move_to(start + timedelta(days=2))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.guests.plans == {}
    assert guest_codes(front, demo_ids) == []


async def test_remove_entry_drops_the_store(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    hass_storage: dict[str, Any],
) -> None:
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    key = f"{DOMAIN}.guest_access.{mock_config_entry.entry_id}"
    assert key in hass_storage
    stored = hass_storage[key]["data"]["plans"]
    assert [plan["status"] for plan in stored.values()] == ["created"]
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


def test_event_key_without_uid() -> None:
    from homeassistant.components.calendar import CalendarEvent  # noqa: PLC0415

    from custom_components.ttlock_access.stays import event_key  # noqa: PLC0415

    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    event = CalendarEvent(start=start, end=start + timedelta(days=1), summary="X")
    assert event_key(event).endswith("|X")
    recurring = CalendarEvent(
        start=start, end=start + timedelta(days=1), summary="X", uid="u", recurrence_id="r"
    )
    assert event_key(recurring) == "u|r"


async def test_diagnostics_show_plans_without_codes_or_guests(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    hass_client: ClientSessionGenerator,
) -> None:
    """Support can see each plan's status and window; the code and the guest stay hidden."""
    stays.add("smith", NOW + timedelta(days=2), NOW + timedelta(days=4), "Smith")
    scheduler = await setup_bound(
        hass, mock_config_entry, [front], code_source="prefix", code_prefix="7319"
    )
    (plan,) = scheduler.plans.values()
    assert plan.code
    assert plan.code.startswith("7319")
    result = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    assert "7319" not in str(result)  # the binding's prefix is part of every code
    (shown,) = result["guest_plans"]
    assert shown["status"] == "created"
    assert shown["lock_id"] == front.lock_id
    assert shown["code"] == shown["guest"] == shown["event"] == "**REDACTED**"
    assert plan.code not in str(result)
    assert "Smith" not in str(result)


async def test_late_offline_stay_starts_this_hour_once(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """A stay booked after it began, on a lock without gateway: one usable offline code.

    The lock refuses an offline code not entered within 24 h of its start, so the code
    starts at the current hour; later passes keep that one code (no new code each time the
    calendar is read because the code's start differs from the stay's).
    """
    start = NOW - timedelta(days=2)
    stays.add("late", start, start + timedelta(days=5), "Late")
    scheduler = await setup_bound(hass, mock_config_entry, [garage])
    (code,) = guest_codes(garage, demo_ids)
    assert code.start_ms == ms(NOW.replace(minute=0, second=0, microsecond=0))
    for hours in range(1, 7):
        await go(hass, frozen, NOW + timedelta(hours=hours))
    assert guest_codes(garage, demo_ids) == [code]
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.CREATED
    assert plan.passcode_id == code.passcode_id


async def test_action_by_times_finds_the_scheduler_stay(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """A calendar trigger's start/end/summary name the stay the scheduler already served."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.CREATED
    result = await guest_action(
        hass,
        {
            "event_start": start.isoformat(),
            "event_end": (start + timedelta(days=2)).isoformat(),
            "event_summary": "Adams",
        },
    )
    assert result["reused"] is True
    assert result["passcode_id"] == plan.passcode_id
    assert len(guest_codes(front, demo_ids)) == 1


async def test_concurrent_calls_for_one_stay_make_one_code(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """Two calls at once (their cloud calls interleave): one code, the same for both."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    first, second = await asyncio.gather(
        guest_action(hass, {"event_uid": "a"}),
        guest_action(hass, {"event_uid": "a"}),
    )
    (code,) = guest_codes(front, demo_ids)
    assert first["code"] == second["code"] == code.code
    assert sorted([first["reused"], second["reused"]]) == [False, True]


async def test_scheduler_and_action_racing_make_one_code(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """The scheduler's creation moment and the action at the same time: one code."""
    start = datetime(2026, 6, 25, 15, 0, tzinfo=UTC)  # code due 5 days before
    stays.add("a", start, start + timedelta(days=2), "Adams")
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    assert guest_codes(front, demo_ids) == []
    due = dt_util.as_local(start) - timedelta(days=5)
    _, result = await asyncio.gather(
        go(hass, frozen, due + timedelta(minutes=1)),
        guest_action(hass, {"event_uid": "a"}),
    )
    await hass.async_block_till_done()
    (code,) = guest_codes(front, demo_ids)
    assert result["code"] == code.code
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.CREATED
    assert plan.passcode_id == code.passcode_id


@pytest.mark.parametrize("fault", [{"http_status": 502}, {"disconnect": True}, {"malformed": True}])
async def test_lost_answer_is_adopted_not_repeated(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    fault: dict[str, Any],
) -> None:
    """The cloud makes the code and the answer is lost: the code is found and kept."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    fake_cloud.fail_next("/v3/keyboardPwd/add", after_commit=True, **fault)
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    (code,) = guest_codes(front, demo_ids)
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.CREATED
    assert (plan.passcode_id, plan.code) == (code.passcode_id, code.code)
    assert fake_cloud.requests["/v3/keyboardPwd/add"] == 1


async def test_lost_offline_answer_is_adopted(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """An offline code the cloud generated before its answer was lost: found by its name."""
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    fake_cloud.fail_next("/v3/keyboardPwd/get", after_commit=True, http_status=504)
    scheduler = await setup_bound(hass, mock_config_entry, [garage])
    (code,) = guest_codes(garage, demo_ids)
    (plan,) = scheduler.plans.values()
    assert plan.status is PlanStatus.CREATED
    assert plan.passcode_id == code.passcode_id


@pytest.mark.parametrize(
    ("book", "stored", "count"),
    [
        # A plan without its times, and one fine plan.
        ("guest_access", {"version": 1, "data": {"plans": {"bad": {"binding": "x"}}}}, "1"),
        # Written by a newer version of the integration (a downgrade).
        ("guest_access", {"version": 9, "data": {"plans": {}}}, "all"),
        ("passcodes", {"version": 1, "data": {"quota": {"1": "x"}, "guests": {"k": {}}}}, "2"),
        ("passcodes", {"version": 1, "data": ["not", "a", "mapping"]}, "1"),
        ("passcodes", {"version": 7, "data": {}}, "all"),
    ],
)
async def test_damaged_store_never_stops_the_setup(  # noqa: PLR0917
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    book: str,
    stored: dict[str, Any],
    count: str,
) -> None:
    """Unreadable or foreign stored data: the entry loads, the user is told what was lost."""
    key = f"{DOMAIN}.{book}.{mock_config_entry.entry_id}"
    hass_storage[key] = {"key": key, "minor_version": 1, **stored}
    start = datetime(2026, 6, 17, 15, 0, tzinfo=UTC)
    stays.add("a", start, start + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    assert len(guest_codes(front, demo_ids)) == 1  # and guest access goes on
    issue_key = "guest_plans" if book == "guest_access" else "passcodes"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"stored_data_lost_{issue_key}_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"count": count}
