"""Fallback offline codes: a stay whose custom code cannot be made in time (real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.ttlock_access.const import (
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_LEFT_ON_LOCK,
)
from custom_components.ttlock_access.guest_timing import (
    FALLBACK_REASONS,
    QUOTA,
    next_upgrade,
)
from custom_components.ttlock_access.stays import GuestPlan, PlanStatus
from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import (
    CALENDAR,
    StaysCalendar,
    assert_no_code,
    get_guest_code,
    guest_codes,
    setup_bound,
)

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
START = datetime(2026, 6, 17, 22, 0, tzinfo=UTC)  # 15:00 on the 17th in Los Angeles
END = START + timedelta(days=2)
ADD = "/v3/keyboardPwd/add"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


async def go(hass: HomeAssistant, frozen: FrozenDateTimeFactory, moment: datetime) -> None:
    """Move the clock; every timer due runs, and every read it starts ends before the next.

    (A read still in flight at the next hour's jump would time out: a slow machine's
    artefact, not the cloud's.)
    """
    frozen.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _until(hass: HomeAssistant, frozen: FrozenDateTimeFactory, end: datetime) -> None:
    """Let the hours pass one by one (each hourly retry runs)."""
    moment = dt_util.utcnow()
    while moment < end:
        moment = min(moment + timedelta(hours=1), end)
        await go(hass, frozen, moment)


def _offline(front: FakeLock, demo_ids: set[int]) -> list[int]:
    return [code.passcode_id for code in guest_codes(front, demo_ids) if not code.is_custom]


async def test_offline_code_stands_in_then_is_replaced(
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
    stays.add("a", START, END, "Adams")
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    midnight = dt_util.start_of_local_day(dt_util.as_local(START))
    await _until(hass, frozen, midnight - timedelta(hours=1))
    assert guest_codes(front, demo_ids) == []
    assert events == []

    # At the deadline the custom code still cannot be made: an offline one stands in.
    await go(hass, frozen, midnight)
    (fallback_id,) = _offline(front, demo_ids)
    (created,) = events
    assert created.event_type == EVENT_GUEST_CODE_CREATED
    assert created.data["fallback"] is True
    assert created.data["offline"] is True
    assert created.data["fallback_reason"] == "cloud_lock_unreachable"
    assert "must_be_used_by" in created.data
    code = fake_cloud.locks[front.lock_id].passcodes[fallback_id].code
    assert_no_code(created.data, code)
    issues = ir.async_get(hass).issues.values()
    assert [i for i in issues if i.translation_key == "guest_code_failed"] == []
    (found,) = (await get_guest_code(hass, calendar=CALENDAR, event_uid="a"))["codes"]
    assert (found["code"], found["fallback"], found["status"]) == (code, True, "created")

    # The gateway is back before the guest can use it: the custom code replaces it.
    fake_cloud.set_gateway_online(gateway_id, True)
    await go(hass, frozen, midnight + timedelta(hours=1))
    (custom,) = guest_codes(front, demo_ids)
    assert custom.is_custom
    assert fallback_id not in fake_cloud.locks[front.lock_id].passcodes
    replaced = events[-1]
    assert replaced.event_type == EVENT_GUEST_CODE_CREATED
    assert (replaced.data["reason"], replaced.data["changed"]) == ("replaced_fallback", ["code"])
    assert replaced.data["previous_code_removed"] is True
    assert replaced.data["fallback"] is False
    assert (
        replaced.data["valid_from"] == dt_util.as_local(START - timedelta(minutes=30)).isoformat()
    )
    (plan,) = scheduler.plans.values()
    assert (plan.status, plan.fallback, plan.next_attempt) == (PlanStatus.CREATED, False, None)

    # Nothing more happens before arrival.
    await _until(hass, frozen, START)
    assert len(events) == 2


async def test_fallback_kept_when_the_gateway_stays_away(
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
    stays.add("a", START, END, "Adams")
    scheduler = await setup_bound(hass, mock_config_entry, [front])
    midnight = dt_util.start_of_local_day(dt_util.as_local(START))
    await _until(hass, frozen, midnight)
    (fallback_id,) = _offline(front, demo_ids)
    (plan,) = scheduler.plans.values()
    assert plan.valid_from is not None
    tries = fake_cloud.requests[ADD]
    await _until(hass, frozen, START + timedelta(hours=2))
    # Hourly until the fallback's validity opens, then never again.
    hours = int((plan.valid_from - midnight) / timedelta(hours=1)) - 1
    assert fake_cloud.requests[ADD] == tries + hours
    assert _offline(front, demo_ids) == [fallback_id]
    assert plan.next_attempt is None
    assert [event.event_type for event in events] == [EVENT_GUEST_CODE_CREATED]


async def test_old_code_that_cannot_be_deleted_is_announced(
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
    stays.add("a", START, END, "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    midnight = dt_util.start_of_local_day(dt_util.as_local(START))
    await _until(hass, frozen, midnight)
    (fallback_id,) = _offline(front, demo_ids)
    fake_cloud.set_gateway_online(gateway_id, True)
    fake_cloud.fail_next("/v3/keyboardPwd/delete", errcode=-3002)
    await go(hass, frozen, midnight + timedelta(hours=1))
    # Two codes open the door now, and both are announced: the new one, and the old one
    # that still works.
    assert len(guest_codes(front, demo_ids)) == 2
    types = [event.event_type for event in events]
    assert types == [
        EVENT_GUEST_CODE_CREATED,
        EVENT_GUEST_CODE_LEFT_ON_LOCK,
        EVENT_GUEST_CODE_CREATED,
    ]
    assert events[1].data["passcode_id"] == fallback_id
    assert events[-1].data["previous_code_removed"] is False


async def test_no_fallback_when_the_binding_says_no(
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
    stays.add("a", START, END, "Adams")
    await setup_bound(hass, mock_config_entry, [front], fallback_offline=False)
    await _until(hass, frozen, dt_util.start_of_local_day(dt_util.as_local(START)))
    assert guest_codes(front, demo_ids) == []
    assert [event.data.get("error") for event in events] == ["cloud_lock_unreachable"]


def test_no_fallback_for_the_passcode_quota() -> None:
    """An offline timed code counts in the passcode quota too: it cannot stand in."""
    assert not QUOTA & FALLBACK_REASONS
    assert "cloud_lock_unreachable" in FALLBACK_REASONS


def test_next_upgrade_stops_before_the_fallback_opens() -> None:
    opens = datetime(2026, 6, 17, 21, 0, tzinfo=UTC)
    plan = GuestPlan(
        binding="b",
        calendar=CALENDAR,
        event="a",
        lock_id=1,
        guest="Adams",
        start=START,
        end=END,
        window_from=opens,
        window_to=END,
        valid_from=opens,
    )
    assert next_upgrade(plan, opens - timedelta(hours=3)) == opens - timedelta(hours=2)
    assert next_upgrade(plan, opens - timedelta(hours=1)) is None
    assert GuestPlan.from_dict(plan.as_dict() | {"fallback": True}).fallback is True


async def test_a_custom_code_in_doubt_is_adopted_not_replaced(
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
    """At the deadline the cloud makes the custom code but its answer is lost: no fallback."""
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    stays.add("a", START, END, "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    midnight = dt_util.start_of_local_day(dt_util.as_local(START))
    await _until(hass, frozen, midnight - timedelta(hours=1))
    fake_cloud.set_gateway_online(gateway_id, True)
    fake_cloud.fail_next(ADD, after_commit=True, disconnect=True)
    # The manager's own look for it fails too: the create stays in doubt.
    fake_cloud.fail_next("/v3/lock/listKeyboardPwd", http_status=503, after=1)
    await go(hass, frozen, midnight)
    (code,) = guest_codes(front, demo_ids)
    assert code.is_custom
    (created,) = events
    assert created.event_type == EVENT_GUEST_CODE_CREATED
    assert (created.data["fallback"], "fallback_reason" in created.data) == (False, False)
