"""Coordinators of TTLock Access: what partial cloud answers mean to the user."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ttlock_access.api import LockState, RecordType
from custom_components.ttlock_access.const import DOMAIN
from simulator.cloud import FakeTTLockCloud
from simulator.faults import Fault
from simulator.state import FakeAccount, FakeLock
from tests.timing import tick, until_called, until_lock_read

# Errcodes of the fake cloud.
NOT_FOUND = -1003  # lock does not exist
GATEWAY_NOT_FOUND = -4037
PERMISSION_DENIED = -2018
NOT_SUPPORTED = -4043
GATEWAY_OFFLINE = -3002
INVALID_CLIENT = 10001
WRONG_REGION = 30008


def lock_named(cloud: FakeTTLockCloud, name: str) -> FakeLock:
    """The fake lock with this name."""
    return next(lock for lock in cloud.locks.values() if lock.alias == name)


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up (after the test prepared the cloud)."""
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("errcode", [INVALID_CLIENT, WRONG_REGION])
async def test_refused_application_or_region_asks_the_user(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    errcode: int,
) -> None:
    """No silent re-login when the app or the region is refused: a reauth flow starts."""
    fake_cloud.reset_requests()
    fake_cloud.fail_next("/v3/lock/list", errcode=errcode)
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert fake_cloud.requests["/oauth2/token"] == 0
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert init_integration.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("errcode", [GATEWAY_OFFLINE, GATEWAY_NOT_FOUND])
async def test_gateway_links_unread_are_read_next_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    errcode: int,
) -> None:
    """Setup goes on without a gateway's links; the next gateway refresh reads them."""
    fake_cloud.fail_next("/v3/gateway/listLock", errcode=errcode)
    await set_up(hass, mock_config_entry)
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert hass.states.get("lock.front_door").state == "locked"
    assert hass.states.get("sensor.front_door_gateway_signal").state == STATE_UNKNOWN
    fake_cloud.reset_requests()
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/listLock")
    assert fake_cloud.requests["/v3/gateway/list"] == 1  # at the next gateway refresh
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")  # locks take the links
    assert hass.states.get("sensor.front_door_gateway_signal").state == "-62"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_gateway_back_in_the_account_has_its_links_read(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    demo_account: FakeAccount,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A gateway that left the account and came back is not served stale (no) links."""
    gateway = next(iter(fake_cloud.gateways.values()))
    identifier = (DOMAIN, f"gateway_{gateway.gateway_id}")
    gateway.owner = fake_cloud.add_account("neighbour@example.com", "secret")
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/list")
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert (
        device_registry.async_get_device_by_identifier(identifier, init_integration.entry_id)
        is None
    )
    assert hass.states.get("sensor.front_door_gateway_signal").state == STATE_UNKNOWN
    gateway.owner = demo_account  # back well within the 6 h the links are kept
    fake_cloud.reset_requests()
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/list")
    assert fake_cloud.requests["/v3/gateway/listLock"] == 1
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert (
        device_registry.async_get_device_by_identifier(identifier, init_integration.entry_id)
        is not None
    )
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert hass.states.get("sensor.front_door_gateway_signal").state == "-62"


async def test_lock_detail_not_found(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A lock without a detail still loads, as a generic smart lock."""
    fake_cloud.fail_next("/v3/lock/detail", errcode=NOT_FOUND)  # the first lock: Front door
    await set_up(hass, mock_config_entry)
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{lock_named(fake_cloud, 'Front door').lock_id}"), mock_config_entry.entry_id
    )
    back = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{lock_named(fake_cloud, 'Back door').lock_id}"), mock_config_entry.entry_id
    )
    assert front is not None
    assert back is not None
    assert (front.model, front.sw_version) == ("Smart lock", None)
    assert (back.model, back.sw_version) == ("SN9161_PV53", "6.4.13.230914")
    assert hass.states.get("lock.front_door").state == "locked"
    fake_cloud.reset_requests()
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert fake_cloud.requests["/v3/lock/detail"] == 0  # read once per lock, not per cycle


@pytest.mark.parametrize(("errcode", "expected"), [(None, "on"), (NOT_SUPPORTED, STATE_UNKNOWN)])
async def test_passage_mode_missing_from_the_list(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    errcode: int | None,
    expected: str,
) -> None:
    """Without passageMode in the lock list, its configuration is read once."""
    front = lock_named(fake_cloud, "Front door")
    front.passage_in_list = False
    front.passage_mode = True
    if errcode is not None:
        fake_cloud.fail_next("/v3/lock/getPassageModeConfig", errcode=errcode)
    await set_up(hass, mock_config_entry)
    assert fake_cloud.requests["/v3/lock/getPassageModeConfig"] == 1
    assert hass.states.get("switch.front_door_passage_mode").state == expected
    assert hass.states.get("switch.back_door_passage_mode").state == "off"
    fake_cloud.reset_requests()
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert fake_cloud.requests["/v3/lock/getPassageModeConfig"] == 0
    assert hass.states.get("switch.front_door_passage_mode").state == expected


@pytest.mark.parametrize("errcode", [NOT_SUPPORTED, PERMISSION_DENIED, NOT_FOUND])
async def test_open_state_not_readable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    errcode: int,
) -> None:
    """A lock whose open state the cloud will not tell stays available, state unknown.

    Its records tell the state from then on.
    """
    fake_cloud.fail_next("/v3/lock/queryOpenState", errcode=errcode)  # Front door's
    await set_up(hass, mock_config_entry)
    assert hass.states.get("lock.front_door").state == STATE_UNKNOWN
    assert hass.states.get("switch.front_door_passage_mode").state == "off"
    assert hass.states.get("lock.back_door").state == "locked"
    fake_cloud.set_lock_state(lock_named(fake_cloud, "Front door").lock_id, LockState.LOCKED)
    await until_called(hass, freezer, fake_cloud, "/v3/lockRecord/list")
    assert hass.states.get("lock.front_door").state == "locked"


async def test_records_not_found_are_read_next_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A refused record list loses nothing: the records become events on the next poll."""
    fake_cloud.add_record(
        lock_named(fake_cloud, "Front door"), RecordType.PASSCODE_UNLOCK, username="Cleaner"
    )
    before = hass.states.get("event.front_door_operation")
    fake_cloud.fail_next("/v3/lockRecord/list", errcode=NOT_FOUND)  # Front door's
    await until_called(hass, freezer, fake_cloud, "/v3/lockRecord/list")
    assert hass.states.get("event.front_door_operation") == before
    assert hass.states.get("lock.front_door").state == "locked"
    await until_called(hass, freezer, fake_cloud, "/v3/lockRecord/list")
    event = hass.states.get("event.front_door_operation")
    assert event.state != before.state
    assert event.attributes["user"] == "Cleaner"
    assert event.attributes["action"] == "unlock"


async def test_records_uploaded_together(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Records sharing a serverDate all become events, in the order they happened, once."""
    garage = lock_named(fake_cloud, "Garage")
    await tick(hass, freezer, 60)
    now = dt_util.utcnow()
    # A phone syncs the Bluetooth lock: two operations reach the cloud at the same moment.
    for seconds, record_type, user in (
        (30, RecordType.INSIDE_UNLOCK, "Alice"),
        (20, RecordType.LOCK_BUTTON, "Bob"),
    ):
        fake_cloud.add_record(
            garage, record_type, username=user, at=now - timedelta(seconds=seconds), uploaded=now
        )
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    events = [
        change.data["new_state"].attributes
        for change in changes
        if change.data["entity_id"] == "event.garage_operation"
    ]
    assert [(event["user"], event["action"]) for event in events] == [
        ("Alice", "unlock"),
        ("Bob", "lock"),
    ]
    assert hass.states.get("event.garage_operation").attributes["action"] == "lock"


async def test_records_synced_hours_late(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A Bluetooth lock's operation that reaches the cloud hours later still becomes an event."""
    garage = lock_named(fake_cloud, "Garage")
    await tick(hass, freezer, 3 * 3600)
    fake_cloud.add_record(garage, RecordType.APP_LOCK, username="Bob")  # uploaded at once
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    assert hass.states.get("event.garage_operation").attributes["user"] == "Bob"
    # Alice opened it two hours ago, before Bob's record; her phone syncs only now.
    now = dt_util.utcnow()
    fake_cloud.add_record(
        garage, RecordType.APP_UNLOCK, username="Alice", at=now - timedelta(hours=2), uploaded=now
    )
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    event = hass.states.get("event.garage_operation")
    assert event.attributes["user"] == "Alice"
    assert event.attributes["action"] == "unlock"
    seen = event.state
    # Asked again inside the look-back window: not repeated.
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    assert hass.states.get("event.garage_operation").state == seen


@pytest.mark.parametrize(
    ("path", "errcode", "gone", "kept"),
    [
        (
            "/v3/electricMeter/list",
            NOT_SUPPORTED,
            "sensor.flat_1_electricity_energy",
            "sensor.flat_1_water_water",
        ),
        (
            "/v3/waterMeter/list",
            PERMISSION_DENIED,
            "sensor.flat_1_water_water",
            "sensor.flat_1_electricity_energy",
        ),
    ],
)
async def test_meter_list_refused(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    path: str,
    errcode: int,
    gone: str,
    kept: str,
) -> None:
    """A meter list the account may not read means no such meters; the other list stays."""
    kept_state = hass.states.get(kept).state
    gone_state = hass.states.get(gone).state
    fake_cloud.fail_next(path, errcode=errcode)
    await until_called(hass, freezer, fake_cloud, path)
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(gone) is None  # the meter left with its device
    assert hass.states.get(kept).state == kept_state
    assert hass.states.get("lock.front_door").state == "locked"
    waited = await until_called(hass, freezer, fake_cloud, path)
    assert waited >= timedelta(hours=24)  # no such meters: checked again once a day
    assert hass.states.get(gone).state == gone_state


async def test_unreachable_lock_is_retried_at_the_plan_pace(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A lock the cloud cannot reach is asked again when it is due, not every wake-up."""
    fake_cloud.fail_next("/v3/lock/queryOpenState", errcode=GATEWAY_OFFLINE)  # Front door's
    await set_up(hass, mock_config_entry)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    front = lock_named(fake_cloud, "Front door").lock_id
    interval = mock_config_entry.runtime_data.allowance.plan.per_lock[front]
    fake_cloud.reset_requests()
    await tick(hass, freezer, interval.total_seconds() - 60)
    assert fake_cloud.requests["/v3/lock/queryOpenState"] == 0
    waited = await until_called(hass, freezer, fake_cloud, "/v3/lock/queryOpenState")
    assert waited <= timedelta(minutes=2)
    assert fake_cloud.requests["/v3/lock/queryOpenState"] == 1
    assert hass.states.get("lock.front_door").state == "locked"


async def test_update_entity_reads_that_lock(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """homeassistant.update_entity reads the lock now: one call, not a whole cycle."""
    await async_setup_component(hass, "homeassistant", {})
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.set_lock_state(front.lock_id, LockState.UNLOCKED)
    fake_cloud.reset_requests()
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": "lock.front_door"}, blocking=True
    )
    await hass.async_block_till_done()
    assert dict(fake_cloud.requests) == {"/v3/lockRecord/list": 1}
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_a_failure_mid_cycle_keeps_what_was_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Front door's records were read (and its event fired) before Back door's failed."""
    front = lock_named(fake_cloud, "Front door")
    plan = init_integration.runtime_data.allowance.plan
    fake_cloud.set_lock_state(front.lock_id, LockState.UNLOCKED)
    await tick(hass, freezer, plan.per_lock[front.lock_id].total_seconds() - 90)
    # Front door's read goes through; Back door's (the second) fails.
    fake_cloud.faults.add("/v3/lockRecord/list", Fault(), 1)
    fake_cloud.faults.add("/v3/lockRecord/list", Fault(http_status=500), 1)
    await until_called(hass, freezer, fake_cloud, "/v3/lockRecord/list")
    assert fake_cloud.requests["/v3/lockRecord/list"] == 2
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE  # the cycle failed
    for _ in range(60):
        if hass.states.get("lock.front_door").state != STATE_UNAVAILABLE:
            break
        await tick(hass, freezer, 60)
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_gateway_offline_for_hours_keeps_its_locks(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """After 30 min the cloud lists the locks without a gateway; they still have one."""
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, False)
    await tick(hass, freezer, 2 * 3600)
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert init_integration.runtime_data.locks.data[front.lock_id].lock.is_remote
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE  # not removed
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, True)
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/list")
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert hass.states.get("lock.front_door").state == "locked"
