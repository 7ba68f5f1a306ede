"""Setup, unload, coordinators, devices and errors of TTLock Access, against the fake cloud."""

from __future__ import annotations

from datetime import timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access import async_remove_config_entry_device
from custom_components.ttlock_access.api import LockState, RecordType
from custom_components.ttlock_access.const import CONF_TOKEN, DOMAIN
from simulator.cloud import FakeTTLockCloud
from simulator.state import FakeAccount, FakeLock
from tests.timing import tick, until_called, until_lock_read


@pytest.fixture(autouse=True)
def _fixed_clock(freezer: FrozenDateTimeFactory) -> None:
    """A fixed mid-month moment: a month's plan depends on the day (not on when CI runs)."""
    freezer.move_to("2026-06-15 10:20+00:00")


def lock_named(cloud: FakeTTLockCloud, name: str) -> FakeLock:
    """The fake lock with this name."""
    return next(lock for lock in cloud.locks.values() if lock.alias == name)


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """The demo account loads, with its devices, and unloads."""
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("lock.front_door").state == "locked"
    assert hass.states.get("lock.garage") is None  # no gateway, no Wi-Fi: nothing to command
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """One device per lock, gateway and meter; locks behind a gateway are via it."""
    entry_id = init_integration.entry_id
    devices = dr.async_entries_for_config_entry(device_registry, entry_id)
    assert sorted(device.name for device in devices) == [
        "Back door",
        "Flat 1 electricity",
        "Flat 1 water",
        "Front door",
        "Garage",
        "Hallway gateway",
        "demo@example.com",  # the account: its API call sensor
    ]
    gateway_id = next(iter(fake_cloud.gateways))
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"gateway_{gateway_id}"), entry_id
    )
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{lock_named(fake_cloud, 'Front door').lock_id}"), entry_id
    )
    garage = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{lock_named(fake_cloud, 'Garage').lock_id}"), entry_id
    )
    assert gateway is not None
    assert front is not None
    assert garage is not None
    assert front.via_device_id == gateway.id
    assert garage.via_device_id is None
    assert front.manufacturer == "TTLock"


async def test_requests_per_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A day costs what the plan says, within the budget, each read at its own pace.

    No push: the two locks behind the gateway are polled (one records call each per
    cycle); the Bluetooth-only garage is read slowly; lists at their own pace.
    """
    plan = init_integration.runtime_data.allowance.plan
    front = lock_named(fake_cloud, "Front door").lock_id
    garage = lock_named(fake_cloud, "Garage").lock_id
    fake_cloud.reset_requests()
    for _ in range(24 * 60):
        await tick(hass, freezer, 60)
    day = 86400

    def expected(interval: timedelta, count: int = 1) -> int:
        # Read at one-minute ticks: an interval ends at the next whole minute.
        return count * int(day // (math.ceil(interval.total_seconds() / 60) * 60))

    requests = fake_cloud.requests
    assert abs(requests["/v3/lock/list"] - expected(plan.lock_list)) <= 1
    assert abs(requests["/v3/gateway/list"] - expected(plan.gateways)) <= 1
    assert abs(requests["/v3/gateway/listLock"] - expected(plan.links)) <= 1
    assert abs(requests["/v3/electricMeter/list"] - expected(plan.meters)) <= 1
    polled = expected(plan.per_lock[front], 2) + expected(plan.per_lock[garage])
    # (the plan is renewed during the day as the ledger fills: within 5% of the first one)
    assert abs(requests["/v3/lockRecord/list"] - polled) <= max(3, 0.05 * polled)
    # Nothing else: the state is never queried again, the details never read again.
    assert set(requests) == {
        "/v3/lock/list",
        "/v3/gateway/list",
        "/v3/gateway/listLock",
        "/v3/electricMeter/list",
        "/v3/waterMeter/list",
        "/v3/lockRecord/list",
    }
    assert plan.per_lock[garage] > plan.per_lock[front]  # the Bluetooth lock, slowly
    assert sum(requests.values()) <= plan.budget_per_day
    # (settings and credential lists are weekly: none in a day, amortised in the plan)
    # Polled at one-minute ticks, each interval ends at the next whole minute (a 38-minute
    # interval is read every 39 minutes): a few percent under the plan, never over it.
    planned = plan.reads_per_day - plan.settings_reads_per_day
    assert 0.92 * planned <= sum(requests.values()) <= math.ceil(planned)


@pytest.mark.parametrize(
    ("path", "fault"),
    [
        ("/v3/gateway/list", {"http_status": 500}),
        ("/v3/lock/list", {"malformed": True}),
        ("/v3/waterMeter/list", {"errcode": 1}),
        ("/v3/lock/detail", {"errcode": -3}),
        ("/v3/lock/list", {"errcode": 30006}),
    ],
)
async def test_setup_retry(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    path: str,
    fault: dict[str, object],
) -> None:
    """A cloud failure during setup retries later."""
    fake_cloud.fail_next(path, **fault)  # type: ignore[arg-type]
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_auth_failed(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    demo_account: FakeAccount,
) -> None:
    """Dead tokens and a changed password start a reauth flow."""
    fake_cloud.expire_tokens()
    fake_cloud.fail_next("/oauth2/token", errcode=10011)  # the refresh fails
    demo_account.password_md5 = "0" * 32  # and the stored password is stale
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_relogin_with_stored_hash(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """When the refresh token is refused, the stored hash logs in again silently."""
    old = mock_config_entry.data[CONF_TOKEN]
    fake_cloud.expire_tokens()
    fake_cloud.fail_next("/oauth2/token", errcode=10011)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.data[CONF_TOKEN]["access_token"] != old["access_token"]


async def test_token_refresh_written_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Tokens the client refreshes are stored in the entry."""
    old = init_integration.data[CONF_TOKEN]
    fake_cloud.expire_tokens()
    await until_called(hass, freezer, fake_cloud, "/oauth2/token")
    assert init_integration.data[CONF_TOKEN]["access_token"] != old["access_token"]
    assert hass.states.get("lock.front_door").state == "locked"


async def test_rate_limit_backs_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The frequency limit makes the entities unavailable and the next read wait."""
    fake_cloud.fail_next("/v3/lock/list", errcode=30006)
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    fake_cloud.reset_requests()
    await tick(hass, freezer, 120)
    assert fake_cloud.requests["/v3/lock/list"] == 0
    await tick(hass, freezer, 300)
    assert fake_cloud.requests["/v3/lock/list"] == 1
    assert hass.states.get("lock.front_door").state == "locked"


async def test_unavailable_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A failed refresh makes the lock entities unavailable until the next good one."""
    fake_cloud.fail_next("/v3/lock/list", http_status=502)
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_door_battery").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert hass.states.get("lock.front_door").state == "locked"
    assert hass.states.get("sensor.front_door_battery").state == "85"


async def test_gateway_offline_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Locks behind an offline gateway are unavailable; the battery stays known."""
    gateway_id = next(iter(fake_cloud.gateways))
    fake_cloud.set_gateway_online(gateway_id, False)
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/list")
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "off"
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert hass.states.get("switch.front_door_passage_mode").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_door_battery").state == "85"
    fake_cloud.set_gateway_online(gateway_id, True)
    await until_called(hass, freezer, fake_cloud, "/v3/gateway/list")
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert hass.states.get("lock.front_door").state == "locked"


async def test_new_lock_appears(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    demo_account: FakeAccount,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A lock added to the account shows up without a reload."""
    gateway = next(iter(fake_cloud.gateways.values()))
    shed = fake_cloud.add_lock(demo_account, name="Shed", gateway=gateway, battery=70)
    waited = await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert waited <= init_integration.runtime_data.allowance.plan.lock_list + timedelta(minutes=1)
    assert hass.states.get("lock.shed").state == "locked"
    assert hass.states.get("sensor.shed_battery").state == "70"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{shed.lock_id}"), init_integration.entry_id
    )
    assert device is not None
    assert device.name == "Shed"


async def test_removed_lock_vanishes(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A lock removed from the account leaves the device and entity registries."""
    front = lock_named(fake_cloud, "Front door")
    identifier = (DOMAIN, f"lock_{front.lock_id}")
    device = device_registry.async_get_device_by_identifier(identifier, init_integration.entry_id)
    assert device is not None
    assert await async_remove_config_entry_device(hass, init_integration, device) is False
    fake_cloud.remove_lock(front.lock_id)
    await until_called(hass, freezer, fake_cloud, "/v3/lock/list")
    assert (
        device_registry.async_get_device_by_identifier(identifier, init_integration.entry_id)
        is None
    )
    assert entity_registry.async_get("lock.front_door") is None
    assert hass.states.get("lock.front_door") is None
    assert hass.states.get("lock.back_door").state == "locked"


async def test_remove_stale_device_by_hand(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device the account no longer has may be deleted by the user."""
    stale = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "lock_1")}
    )
    assert await async_remove_config_entry_device(hass, init_integration, stale) is True


async def test_polled_records_update_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Records newer than the last seen become events; a Bluetooth lock's state follows them."""
    garage = lock_named(fake_cloud, "Garage")
    fake_cloud.set_lock_state(garage.lock_id, LockState.UNLOCKED, username="Alice")
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.add_record(front, RecordType.PASSCODE_UNLOCK, username="Cleaner", code="2749")
    freezer.tick(timedelta(seconds=1))
    fake_cloud.add_record(front, 66)  # lock timeout: jammed
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    state = hass.states.get("event.garage_operation")
    assert state.attributes["event_type"] == "button"
    assert state.attributes["user"] == "Alice"
    assert state.attributes["action"] == "unlock"
    garage_data = init_integration.runtime_data.locks.data[garage.lock_id]
    assert garage_data.state is LockState.UNLOCKED
    front_event = hass.states.get("event.front_door_operation")
    assert "2749" not in str(front_event.attributes)
    assert hass.states.get("lock.front_door").state == "jammed"
    # Nothing new: nothing fires again.
    last = hass.states.get("event.garage_operation").state
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    assert hass.states.get("event.garage_operation").state == last


async def test_removing_the_entry_forgets_its_passcode_books(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, object]
) -> None:
    """Quota books and guest records go with the account, not left behind in .storage."""
    key = f"{DOMAIN}.passcodes.{init_integration.entry_id}"
    await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"type": "permanent", "name": "Family"},
        target={"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    assert key in hass_storage
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
