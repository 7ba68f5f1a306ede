"""Turnover (cleaning) codes: made, moved and revoked with the stays around them (real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.ttlock_access.const import (
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_REVOKED,
    EVENT_TURNOVER_CODE_CREATED,
)
from custom_components.ttlock_access.turnovers import (
    TurnoverMode,
    is_turnover,
    stay_of,
    turnover_key,
    turnover_window,
)
from simulator.state import FakeLock

from .guest_common import (
    CALENDAR,
    StaysCalendar,
    assert_no_code,
    get_guest_code,
    go,
    guest_codes,
    guest_name,
    setup_bound,
    window_ms,
)

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
SENSOR = "sensor.flat_1_next_stay"
# Adams leaves on the 20th at 10:00 in Los Angeles, Baker arrives on the 21st at 15:00.
ADAMS = (datetime(2026, 6, 17, 22, 0, tzinfo=UTC), datetime(2026, 6, 20, 17, 0, tzinfo=UTC))
BAKER = (datetime(2026, 6, 21, 22, 0, tzinfo=UTC), datetime(2026, 6, 24, 17, 0, tzinfo=UTC))
BETWEEN = {"turnover": "between_stays", "cleaner": "Maria"}


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


def turnovers(lock: FakeLock, ignore: set[int]) -> list[tuple[str, int, int]]:
    """The cleaner's codes on a lock: (name, start, end)."""
    return [
        (guest_name(code), code.start_ms, code.end_ms)
        for code in guest_codes(lock, ignore)
        if guest_name(code) == "Maria"
    ]


def test_turnover_window_rules() -> None:
    checkout = datetime(2026, 6, 20, 17, 0, tzinfo=UTC)  # 10:00 in Los Angeles
    arrival = datetime(2026, 6, 21, 22, 0, tzinfo=UTC)
    between = TurnoverMode.BETWEEN_STAYS
    hours = {"day_from": time(11), "day_to": time(16)}
    assert turnover_window(between, checkout, [arrival, checkout - timedelta(days=3)], **hours) == (
        checkout,
        arrival,
    )
    # No next stay yet: until the end of the check-out day (local midnight).
    assert turnover_window(between, checkout, [], **hours) == (
        checkout,
        datetime(2026, 6, 21, 7, 0, tzinfo=UTC),
    )
    assert turnover_window(between, checkout, [checkout], **hours) is None  # back to back
    assert turnover_window(TurnoverMode.CHECKOUT_DAY, checkout, [arrival], **hours) == (
        datetime(2026, 6, 20, 18, 0, tzinfo=UTC),
        datetime(2026, 6, 20, 23, 0, tzinfo=UTC),
    )
    assert (
        turnover_window(TurnoverMode.CHECKOUT_DAY, checkout, [], day_from=time(16), day_to=time(11))
        is None
    )
    # A late check-out: the fixed hours start when the guest leaves, or not at all.
    late = checkout + timedelta(hours=3)  # 13:00
    assert turnover_window(TurnoverMode.CHECKOUT_DAY, late, [], **hours) == (
        late,
        datetime(2026, 6, 20, 23, 0, tzinfo=UTC),
    )
    early = {"day_from": time(9), "day_to": time(12)}
    assert turnover_window(TurnoverMode.CHECKOUT_DAY, late, [], **early) is None
    assert turnover_window(TurnoverMode.OFF, checkout, [arrival], **hours) is None
    key = turnover_key("uid-1")
    assert is_turnover(key)
    assert not is_turnover("uid-1")
    assert stay_of(key) == "uid-1"


async def test_turnover_between_stays(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
    snapshot: SnapshotAssertion,
) -> None:
    stays.add("adams", *ADAMS, "Adams")
    stays.add("baker", *BAKER, "Baker")
    scheduler = await setup_bound(hass, mock_config_entry, [front], **BETWEEN)
    assert turnovers(front, demo_ids) == []

    # The turnover is made like a stay's code: days_before before it starts.
    await go(hass, frozen, ADAMS[1] - timedelta(days=5))
    assert turnovers(front, demo_ids) == [("Maria", *window_ms(ADAMS[1], BAKER[0]))]
    created = [event for event in events if event.event_type == EVENT_TURNOVER_CODE_CREATED]
    (turnover_event,) = created
    data = turnover_event.data
    code = next(c for c in guest_codes(front, demo_ids) if guest_name(c) == "Maria").code
    assert_no_code(data, code)
    (binding_id,) = mock_config_entry.subentries
    assert data["binding"] == binding_id
    assert {**data, "binding": "<binding>"} == snapshot(name="turnover_code_created")
    # The guest's blueprints hear only of guests: the turnover has its own event.
    assert all(
        event.data["role"] == "guest"
        for event in events
        if event.event_type == EVENT_GUEST_CODE_CREATED
    )
    # The cleaner's code is read as a stay's: by calendar and its turnover key.
    response = await get_guest_code(
        hass, calendar=CALENDAR, event_uid=data["event_uid"], lock_id=front.lock_id
    )
    assert response["guest"] == "Maria"
    assert response["codes"][0]["code"] == code
    # The next stay sensor shows guests, never the cleaner.
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.attributes["guest"] == "Adams"

    # Baker arrives a day later: the turnover grows with it (the same code).
    later = ADAMS[1] - timedelta(days=5)
    stays.move("baker", timedelta(days=1))
    await go(hass, frozen, later + timedelta(minutes=15))
    moved = (BAKER[0] + timedelta(days=1), BAKER[1] + timedelta(days=1))
    assert turnovers(front, demo_ids) == [("Maria", *window_ms(ADAMS[1], moved[0]))]
    again = next(c for c in guest_codes(front, demo_ids) if guest_name(c) == "Maria")
    assert again.code == code
    assert events[-1].event_type == EVENT_TURNOVER_CODE_CREATED
    assert events[-1].data["moved"] is True

    # Baker cancels: the turnover ends with the check-out day.
    stays.cancel("baker")
    await go(hass, frozen, later + timedelta(minutes=30))
    day_end = dt_util.start_of_local_day(dt_util.as_local(ADAMS[1])) + timedelta(days=1)
    assert turnovers(front, demo_ids) == [("Maria", *window_ms(ADAMS[1], day_end))]

    # After it, the cleaner's code is deleted like a guest's.
    await go(hass, frozen, day_end + timedelta(minutes=30))
    assert turnovers(front, demo_ids) == []
    revoked = [e for e in events if e.event_type == EVENT_GUEST_CODE_REVOKED]
    assert [(e.data["role"], e.data["guest"]) for e in revoked] == [
        ("guest", "Adams"),
        ("turnover", "Maria"),
    ]
    assert [plan.status.value for plan in scheduler.plans.values() if plan.turnover] == ["revoked"]


async def test_turnover_goes_with_its_stay_and_the_option(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    stays.add("adams", *ADAMS, "Adams")
    await setup_bound(
        hass,
        mock_config_entry,
        [front],
        turnover="checkout_day",
        cleaner="Maria",
        turnover_from="11:00:00",
        turnover_to="15:30:00",
        days_before=7,
    )
    local = dt_util.as_local(ADAMS[1]).date()
    zone = dt_util.get_default_time_zone()
    hours = (
        datetime.combine(local, time(11), zone),
        datetime.combine(local, time(15, 30), zone),
    )
    assert turnovers(front, demo_ids) == [("Maria", *window_ms(*hours, margin=0))]

    # The stay cancelled: its turnover goes with it.
    stays.cancel("adams")
    await go(hass, frozen, NOW + timedelta(minutes=15))
    assert guest_codes(front, demo_ids) == []

    # Turnovers switched off: the cleaner's code goes, the guest's stays.
    stays.add("adams-rebooked", *ADAMS, "Adams")
    await go(hass, frozen, NOW + timedelta(minutes=30))
    assert len(turnovers(front, demo_ids)) == 1
    (subentry,) = mock_config_entry.subentries.values()
    hass.config_entries.async_update_subentry(
        mock_config_entry, subentry, data={**subentry.data, "turnover": "off"}
    )
    await hass.async_block_till_done()
    assert turnovers(front, demo_ids) == []
    assert [guest_name(code) for code in guest_codes(front, demo_ids)] == ["Adams"]
