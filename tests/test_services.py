"""The passcode actions, end to end against the fake TTLock cloud (real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_platform,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockPlatform,
    MockUser,
    async_fire_time_changed,
    mock_platform,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ttlock_access.api import TTLockClient
from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PASSCODE_QUOTA_LIMITED,
    CONF_PASSWORD_MD5,
    CONF_SERVER,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.ttlock_access.passcode_manager import async_remove_store
from simulator import FakeAccount, FakeTTLockCloud
from simulator.demo import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME

FRONT = "lock.front_door"
BACK = "lock.back_door"
GARAGE = "sensor.garage_battery"  # no gateway: no lock entity, its device is the lock
CALENDAR = "calendar.stays"
NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
VOLATILE = props("code", "passcode_id")


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Mid-June 2026 (before the fake cloud's demo data is made)."""
    freezer.move_to(NOW)
    return freezer


@pytest.fixture
def options() -> dict[str, Any]:
    return {}


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    fake_cloud: FakeTTLockCloud,
    cloud_url: str,
    options: dict[str, Any],
) -> MockConfigEntry:
    """The demo account, set up."""
    password_md5 = TTLockClient.hash_password(DEMO_PASSWORD)
    client = TTLockClient(
        async_get_clientsession(hass), CLIENT_ID, CLIENT_SECRET, base_url=cloud_url
    )
    token = await client.login(DEMO_USERNAME, password_md5)
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_USERNAME,
        unique_id=str(token.uid),
        data={
            CONF_SERVER: "custom",
            CONF_BASE_URL: cloud_url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_USERNAME: DEMO_USERNAME,
            CONF_PASSWORD_MD5: password_md5,
            CONF_TOKEN: token.as_dict(),
            CONF_WEBHOOK_ID: "webhook-id",
        },
        options=options,
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    return config_entry


def lock_id(hass: HomeAssistant, entity_id: str) -> int:
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    device = dr.async_get(hass).async_get(entity.device_id)
    assert device is not None
    (identifier,) = [ident for domain, ident in device.identifiers if domain == DOMAIN]
    return int(identifier.removeprefix("lock_"))


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any] | None = None,
    *,
    target: str | list[str] | dict[str, Any] = FRONT,
    response: bool = True,
) -> Any:
    if not isinstance(target, dict):
        target = {"entity_id": target}
    return await hass.services.async_call(
        DOMAIN,
        service,
        dict(data or {}),
        target=target,
        blocking=True,
        return_response=response,
    )


async def codes(hass: HomeAssistant, entity_id: str = FRONT) -> dict[int, dict[str, Any]]:
    listed = await call(hass, "list_passcodes", {"reveal": True}, target=entity_id)
    return {item["passcode_id"]: item for item in listed[entity_id]["passcodes"]}


def assert_code(code: str, lengths: range) -> None:
    assert code.isdigit()
    assert len(code) in lengths


# ---- create_passcode -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_id", "data"),
    [
        (FRONT, {"type": "custom", "name": "Random permanent"}),
        (
            FRONT,
            {
                "type": "custom",
                "name": "Plumber",
                "start": "2026-06-16 09:00:00",
                "end": "2026-06-16 17:30:00",
            },
        ),
        (GARAGE, {"type": "timed", "name": "Week", "end": "2026-06-22 12:30:00"}),
        (
            GARAGE,
            {
                "type": "timed",
                "name": "Later",
                "start": "2026-06-18T14:45:00+02:00",
                "end": "2026-06-19T11:00:00+02:00",
            },
        ),
        (GARAGE, {"type": "one_time", "name": "Courier"}),
        (GARAGE, {"type": "permanent", "name": "Family"}),
        (GARAGE, {"type": "erase", "name": "Reset", "confirm": True}),
    ],
    ids=["custom", "custom_period", "timed", "timed_start", "one_time", "permanent", "erase"],
)
async def test_create_each_type(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    entity_id: str,
    data: dict[str, Any],
) -> None:
    response = await call(hass, "create_passcode", data, target=entity_id)
    assert response == snapshot(exclude=VOLATILE)
    result = response[entity_id]
    assert_code(result["code"], range(6, 7) if data["type"] == "custom" else range(6, 10))
    listed = await codes(hass, entity_id)
    assert listed[result["passcode_id"]]["code"] == result["code"]


@pytest.mark.parametrize(
    "cycle",
    [
        "daily",
        "weekend",
        "workday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ],
)
async def test_create_recurring(
    hass: HomeAssistant, entry: MockConfigEntry, snapshot: SnapshotAssertion, cycle: str
) -> None:
    response = await call(
        hass,
        "create_passcode",
        {"type": "recurring", "name": "Cleaner", "cycle": cycle, "start_hour": 8, "end_hour": 17},
        target=GARAGE,
    )
    assert response == snapshot(exclude=VOLATILE)
    assert_code(response[GARAGE]["code"], range(6, 10))


async def test_create_chosen_code(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    response = await call(
        hass, "create_passcode", {"type": "custom", "name": "Mine", "code": "582914"}
    )
    assert response[FRONT]["code"] == "582914"
    assert response[FRONT]["offline"] is False
    assert "warning" not in response[FRONT]
    # Without a response asked for.
    assert (
        await call(
            hass,
            "create_passcode",
            {"type": "custom", "name": "Mine 2", "code": "692814"},
            response=False,
        )
        is None
    )


async def test_creating_costs_one_call_once_the_books_are_fresh(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The code list is read to bring the quota books up to date, then not for 6 hours.

    A code already on the lock is refused by the cloud itself, the same clear error.
    """
    fake_cloud.reset_requests()
    await call(hass, "create_passcode", {"type": "custom", "name": "A", "code": "582914"})
    await call(hass, "create_passcode", {"type": "custom", "name": "B", "code": "692814"})
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", {"type": "custom", "name": "C", "code": "692814"})
    assert err.value.translation_key == "code_in_use"
    assert fake_cloud.requests["/v3/lock/listKeyboardPwd"] == 1
    assert fake_cloud.requests["/v3/keyboardPwd/add"] == 3
    frozen.tick(timedelta(hours=6))
    await call(hass, "create_passcode", {"type": "custom", "name": "D", "code": "703915"})
    assert fake_cloud.requests["/v3/lock/listKeyboardPwd"] == 2


async def test_create_on_several_locks_by_device(
    hass: HomeAssistant, entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock_{lock_id(hass, FRONT)}"), entry.entry_id
    )
    assert front is not None
    response = await call(
        hass,
        "create_passcode",
        {"type": "one_time", "name": "Courier"},
        target={"device_id": front.id, "entity_id": [BACK, "sensor.back_door_battery"]},
    )
    assert set(response) == {front.id, BACK}


@pytest.mark.parametrize(
    ("entity_id", "data", "key"),
    [
        (FRONT, {"type": "custom", "name": "x", "code": "123"}, "code_length"),
        (FRONT, {"type": "custom", "name": "x", "code": "1234567890"}, "code_length"),
        (FRONT, {"type": "custom", "name": "x", "code": "12a4"}, "code_not_digits"),
        (FRONT, {"type": "custom", "name": "x", "code": "1234"}, "code_too_simple"),
        (FRONT, {"type": "custom", "name": "x", "code": "1111"}, "code_too_simple"),
        (FRONT, {"type": "custom", "name": "x", "code": "480913"}, "code_in_use"),
        (GARAGE, {"type": "custom", "name": "x"}, "custom_code_needs_gateway"),
        (
            FRONT,
            {
                "type": "custom",
                "name": "x",
                "start": "2026-06-16 10:00:00",
                "end": "2026-06-16 09:00:00",
            },
            "end_before_start",
        ),
        (
            GARAGE,
            {"type": "timed", "name": "x", "start": "2026-06-01 10:00", "end": "2026-06-02 10:00"},
            "window_in_past",
        ),
        (GARAGE, {"type": "timed", "name": "x"}, "missing_field"),
        (GARAGE, {"type": "timed", "name": "x", "code": "582914"}, "code_only_for_custom"),
        (GARAGE, {"type": "erase", "name": "x"}, "erase_not_confirmed"),
        (GARAGE, {"type": "recurring", "name": "x", "start_hour": 8}, "missing_field"),
    ],
)
async def test_create_errors(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    entity_id: str,
    data: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", data, target=entity_id)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_unknown_targets(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    data = {"type": "one_time", "name": "x"}
    for target in ({"entity_id": "lock.nowhere"}, {"device_id": "no-such-device"}):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, "create_passcode", data, target=target)
        assert err.value.translation_key == "unknown_lock"
    # A TTLock device that is no lock.
    gateway = next(
        device
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if any(ident[1].startswith("gateway_") for ident in device.identifiers)
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", data, target={"device_id": gateway.id})
    assert err.value.translation_key == "unknown_lock"
    # An entity of another integration or another domain of ours.
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", data, target="sensor.hallway_gateway_locks_served")
    assert err.value.translation_key == "unknown_lock"
    # Nothing at all / nothing that is a lock.
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", data, target={"area_id": "nowhere"})
    assert err.value.translation_key == "no_lock_targeted"


async def test_lock_gone_and_entry_unloaded(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    front_id = lock_id(hass, FRONT)
    entry.runtime_data.locks.data.pop(front_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", {"type": "one_time", "name": "x"})
    assert err.value.translation_key == "unknown_lock"
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", {"type": "one_time", "name": "x"}, target=BACK)
    assert err.value.translation_key == "entry_not_loaded"


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ({"errcode": -3002}, "cloud_lock_unreachable"),
        ({"errcode": 10007}, "cloud_auth_failed"),
        ({"errcode": 30006}, "cloud_rate_limited"),
        ({"errcode": -4043}, "cloud_not_supported"),
        ({"errcode": -2018}, "cloud_permission_denied"),
        ({"errcode": -3009}, "cloud_passcode_quota"),
        ({"errcode": -3008}, "cloud_passcode_refused"),
        ({"errcode": -3}, "cloud_invalid_parameter"),
        ({"errcode": 12345}, "cloud_error"),
        ({"http_status": 500}, "cloud_server_error"),
        ({"malformed": True}, "cloud_connection_failed"),
    ],
)
async def test_create_cloud_errors(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    fault: dict[str, Any],
    key: str,
) -> None:
    fake_cloud.fail_next("/v3/keyboardPwd/add", **fault)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_passcode", {"type": "custom", "name": "x"})
    assert err.value.translation_key == key
    assert not isinstance(err.value, ServiceValidationError)


async def test_list_cloud_error(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    fake_cloud.fail_next("/v3/lock/listKeyboardPwd", errcode=-1003)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "list_passcodes")
    assert err.value.translation_key == "cloud_not_found"


async def test_create_retries(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    # A generated code the cloud says exists already is drawn again.
    fake_cloud.fail_next("/v3/keyboardPwd/add", errcode=-3007)
    response = await call(hass, "create_passcode", {"type": "custom", "name": "x"})
    assert_code(response[FRONT]["code"], range(6, 7))
    # A chosen one is not.
    fake_cloud.fail_next("/v3/keyboardPwd/add", errcode=-3007)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_passcode", {"type": "custom", "name": "x", "code": "582914"})
    assert err.value.translation_key == "code_in_use"
    # A timed period issued and deleted before moves one hour earlier.
    fake_cloud.fail_next("/v3/keyboardPwd/get", errcode=-1026)
    response = await call(
        hass,
        "create_passcode",
        {"type": "timed", "name": "x", "start": "2026-06-20T14:00:00+00:00", "end": "2026-06-21"},
        target=GARAGE,
    )
    assert dt_util.parse_datetime(response[GARAGE]["valid_from"]) == datetime(
        2026, 6, 20, 13, tzinfo=UTC
    )
    # Other kinds cannot move.
    fake_cloud.fail_next("/v3/keyboardPwd/get", errcode=-1026)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_passcode", {"type": "permanent", "name": "x"}, target=GARAGE)
    assert err.value.translation_key == "cloud_period_reused"


async def test_multi_lock_rollback(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """A failure on the second lock deletes the first lock's new code."""
    before = set(await codes(hass, FRONT))
    fake_cloud.remove_lock(lock_id(hass, GARAGE))
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "create_passcode", {"type": "one_time", "name": "x"}, target=[FRONT, GARAGE]
        )
    assert err.value.translation_key == "cloud_not_found"
    assert set(await codes(hass, FRONT)) == before


async def test_multi_lock_rollback_fails(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What cannot be deleted is reported, never lost."""
    fake_cloud.remove_lock(lock_id(hass, GARAGE))
    fake_cloud.fail_next("/v3/keyboardPwd/delete", errcode=-3002)
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "create_passcode", {"type": "one_time", "name": "x"}, target=[FRONT, GARAGE]
        )
    assert err.value.translation_key == "passcodes_left_behind"
    assert err.value.translation_placeholders["passcodes"].startswith("Front door #")
    assert "Could not delete passcode" in caplog.text


async def test_codes_never_logged(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    response = await call(hass, "create_passcode", {"type": "custom", "name": "x"})
    code = response[FRONT]["code"]
    assert code not in caplog.text
    assert f"****{code[-2:]}" in caplog.text


# ---- quota -------------------------------------------------------------------------------


async def test_quota_across_month(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    frozen: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    manager = entry.runtime_data.passcodes
    back = lock_id(hass, BACK)
    updates: list[int | None] = []
    remove = manager.async_add_listener(lambda: updates.append(manager.remaining(back)))
    assert manager.remaining(back) == 5
    for number in range(5):
        response = await call(
            hass, "create_passcode", {"type": "permanent", "name": f"p{number}"}, target=BACK
        )
        assert response[BACK]["quota_remaining"] == 4 - number
    assert updates[-1] == 0
    issue_id = f"passcode_quota_exhausted_{entry.entry_id}_{back}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {"type": "timed", "name": "x", "end": "2026-06-20"},
            target=BACK,
        )
    assert err.value.translation_key == "quota_exhausted"
    assert err.value.translation_placeholders == {
        "lock_name": "Back door",
        "limit": "5",
        "reset": "2026-07-01",
    }
    # One-time codes are free; the count survives a restart.
    await call(hass, "create_passcode", {"type": "one_time", "name": "x"}, target=BACK)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    manager = entry.runtime_data.passcodes
    assert manager.remaining(back) == 0
    # A new month frees the allowance (and the repair issue goes at midnight).
    frozen.move_to(datetime(2026, 7, 2, 7, 0, 5, tzinfo=UTC))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert manager.remaining(back) == 5
    response = await call(
        hass, "create_passcode", {"type": "permanent", "name": "july"}, target=BACK
    )
    assert response[BACK]["quota_remaining"] == 4
    remove()


async def test_quota_reconciles_with_cloud(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    manager = entry.runtime_data.passcodes
    front = lock_id(hass, FRONT)
    # Not read yet: the demo guest code was sent yesterday (timed, counts).
    assert manager.remaining(front) == 5
    listed = await call(hass, "list_passcodes")
    assert listed[FRONT]["quota_remaining"] == 4
    # Made in the app today.
    fake_cloud.add_passcode(fake_cloud.locks[front], "739164", name="App", sent=NOW)
    await call(hass, "list_passcodes")
    assert manager.remaining(front) == 3


async def test_quota_refused_by_cloud(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    issue_registry: ir.IssueRegistry,
) -> None:
    fake_cloud.fail_next("/v3/keyboardPwd/get", errcode=-3060)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_passcode", {"type": "permanent", "name": "x"}, target=BACK)
    assert err.value.translation_key == "cloud_passcode_quota"
    assert entry.runtime_data.passcodes.remaining(lock_id(hass, BACK)) == 0


async def test_quota_first_month_exempt(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The garage lock joined the account 10 days ago: no allowance yet."""
    assert entry.runtime_data.passcodes.remaining(lock_id(hass, GARAGE)) is None
    for number in range(6):
        response = await call(
            hass, "create_passcode", {"type": "permanent", "name": f"p{number}"}, target=GARAGE
        )
        assert response[GARAGE]["quota_remaining"] is None


@pytest.mark.parametrize("options", [{CONF_PASSCODE_QUOTA_LIMITED: False}])
async def test_quota_unlimited_account(
    hass: HomeAssistant, entry: MockConfigEntry, demo_account: FakeAccount
) -> None:
    demo_account.limited = False
    for number in range(6):
        response = await call(
            hass, "create_passcode", {"type": "permanent", "name": f"p{number}"}, target=BACK
        )
        assert response[BACK]["quota_remaining"] is None


# ---- list, change, delete ----------------------------------------------------------------


async def test_list_passcodes(
    hass: HomeAssistant, entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    masked = await call(hass, "list_passcodes", target=[FRONT, BACK, GARAGE])
    assert masked == snapshot
    revealed = await call(hass, "list_passcodes", {"reveal": True}, target=FRONT)
    assert {item["code"] for item in revealed[FRONT]["passcodes"]} >= {"480913", "2749"}
    assert "480913" not in str(masked)
    await call(
        hass,
        "create_passcode",
        {
            "type": "recurring",
            "name": "Cleaner",
            "cycle": "workday",
            "start_hour": 8,
            "end_hour": 17,
        },
        target=GARAGE,
    )
    listed = await call(hass, "list_passcodes", target=GARAGE)
    assert listed[GARAGE]["passcodes"][-1]["cycle"] == "workday"


async def test_change_passcode(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    created = (await call(hass, "create_passcode", {"type": "custom", "name": "Cleaner"}))[FRONT]
    pid = created["passcode_id"]
    response = await call(
        hass,
        "change_passcode",
        {"passcode_id": pid, "code": "582914", "end": "2026-06-30 18:00:00", "name": "Maid"},
    )
    assert response[FRONT]["code"] == "582914"
    assert response[FRONT]["name"] == "Maid"
    listed = (await codes(hass))[pid]
    assert (listed["code"], listed["name"]) == ("582914", "Maid")
    assert dt_util.parse_datetime(listed["valid_to"]) == datetime(2026, 7, 1, 1, tzinfo=UTC)
    # The period only, start and end.
    await call(
        hass,
        "change_passcode",
        {"passcode_id": pid, "start": "2026-06-16 08:00:00", "end": "2026-06-16 12:00:00"},
    )
    assert dt_util.parse_datetime((await codes(hass))[pid]["valid_from"]) == datetime(
        2026, 6, 16, 15, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "nothing_to_change"),
        ({"code": "12"}, "code_length"),
        ({"passcode_id": 999999, "name": "x"}, "unknown_passcode"),
        ({"code": "2749"}, "code_in_use"),
        ({"end": "2026-06-01 10:00:00"}, "window_in_past"),
        ({"start": "2026-06-20 10:00:00", "end": "2026-06-19 10:00:00"}, "end_before_start"),
        ({"start": "2026-06-20 10:00:00"}, "missing_field"),
    ],
)
async def test_change_errors(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    family = next(pid for pid, item in (await codes(hass)).items() if item["name"] == "Family")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "change_passcode", {"passcode_id": family} | data)
    assert err.value.translation_key == key


async def test_change_offline_code(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    guest = next(pid for pid, item in (await codes(hass)).items() if item["name"] == "Guest")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "change_passcode", {"passcode_id": guest, "code": "582914"})
    assert err.value.translation_key == "offline_code_value"
    # The cloud refuses to move a code never used on the lock (-3008).
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "change_passcode", {"passcode_id": guest, "end": "2026-06-25 10:30:00"})
    assert err.value.translation_key == "cloud_passcode_refused"


async def test_change_and_delete_need_one_lock_with_gateway(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    for service, data in (
        ("change_passcode", {"passcode_id": 1, "code": "582914"}),
        ("change_passcode", {"passcode_id": 1, "end": "2026-06-30 18:00:00"}),
        ("delete_passcode", {"passcode_id": 1}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, data, target=GARAGE)
        assert err.value.translation_key == "gateway_required"
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, data, target=[FRONT, BACK])
        assert err.value.translation_key == "single_lock_required"


async def test_reveal_is_for_administrators(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
) -> None:
    """A user who is not an administrator gets the codes masked only."""
    for user, allowed in ((hass_admin_user, True), (hass_read_only_user, False)):
        context = Context(user_id=user.id)
        masked = await hass.services.async_call(
            DOMAIN,
            "list_passcodes",
            target={"entity_id": FRONT},
            blocking=True,
            return_response=True,
            context=context,
        )
        assert masked is not None
        assert all("*" in item["code"] for item in masked[FRONT]["passcodes"])  # type: ignore[index]
        if allowed:
            shown = await hass.services.async_call(
                DOMAIN,
                "list_passcodes",
                {"reveal": True},
                target={"entity_id": FRONT},
                blocking=True,
                return_response=True,
                context=context,
            )
            assert shown is not None
            assert not any("*" in item["code"] for item in shown[FRONT]["passcodes"])  # type: ignore[index]
            continue
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "list_passcodes",
                {"reveal": True},
                target={"entity_id": FRONT},
                blocking=True,
                return_response=True,
                context=context,
            )
        assert err.value.translation_key == "reveal_needs_admin"


async def test_rename_on_a_lock_without_gateway(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """A new name is the cloud's record only: no lock operation, so no gateway needed."""
    created = await call(
        hass,
        "create_passcode",
        {"type": "timed", "name": "Gardener", "end": "2026-06-20 18:00:00"},
        target=GARAGE,
    )
    pid = created[GARAGE]["passcode_id"]
    item = (await codes(hass, GARAGE))[pid]
    response = await call(
        hass, "change_passcode", {"passcode_id": pid, "name": "Back gate"}, target=GARAGE
    )
    assert response[GARAGE]["name"] == "Back gate"
    assert (await codes(hass, GARAGE))[pid]["name"] == "Back gate"
    assert (await codes(hass, GARAGE))[pid]["code"] == item["code"]
    assert "changeType" not in fake_cloud.last_params["/v3/keyboardPwd/change"]


async def test_change_cloud_error(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    family = next(pid for pid, item in (await codes(hass)).items() if item["name"] == "Family")
    fake_cloud.fail_next("/v3/keyboardPwd/change", errcode=-3002)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "change_passcode", {"passcode_id": family, "name": "x"})
    assert err.value.translation_key == "cloud_lock_unreachable"


async def test_delete_passcode(
    hass: HomeAssistant, entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    family = next(pid for pid, item in (await codes(hass)).items() if item["name"] == "Family")
    assert await call(hass, "delete_passcode", {"passcode_id": family}) == {
        FRONT: {"passcode_id": family, "deleted": True}
    }
    assert family not in await codes(hass)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "delete_passcode", {"passcode_id": family})
    assert err.value.translation_key == "unknown_passcode"
    cleaner = next(pid for pid, item in (await codes(hass)).items() if item["name"] == "Cleaner")
    fake_cloud.fail_next("/v3/keyboardPwd/delete", errcode=-3003)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "delete_passcode", {"passcode_id": cleaner})
    assert err.value.translation_key == "cloud_lock_unreachable"


# ---- create_guest_passcode -----------------------------------------------------------------


class StaysCalendar(CalendarEntity):
    """A calendar of bookings."""

    _attr_name = "Stays"
    _attr_unique_id = "stays"

    def __init__(self, events: list[CalendarEvent]) -> None:
        self.events = events
        self.fail = False

    @property
    def event(self) -> CalendarEvent | None:
        return None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        if self.fail:
            raise HomeAssistantError("calendar down")
        return [
            event
            for event in self.events
            if event.start_datetime_local < end_date and event.end_datetime_local > start_date
        ]


@pytest.fixture
async def stays(hass: HomeAssistant) -> StaysCalendar:
    calendar = StaysCalendar(
        [
            CalendarEvent(
                start=datetime(2026, 6, 20, 15, 10, tzinfo=UTC),
                end=datetime(2026, 6, 25, 10, 45, tzinfo=UTC),
                summary="Smith",
                uid="stay-smith",
            ),
            CalendarEvent(
                start=datetime(2026, 6, 26).date(),
                end=datetime(2026, 6, 28).date(),
                summary="Jones",
                uid="stay-jones",
            ),
        ]
    )

    async def setup_platform(
        hass: HomeAssistant,
        config: Any,
        async_add_entities: entity_platform.AddEntitiesCallback,
        discovery_info: Any = None,
    ) -> None:
        async_add_entities([calendar])

    mock_platform(hass, "stays.calendar", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "calendar", {"calendar": {"platform": "stays"}})
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR) is not None
    return calendar


async def test_guest_passcode_by_uid(
    hass: HomeAssistant,
    stays: StaysCalendar,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    data = {"calendar": CALENDAR, "event_uid": "stay-smith"}
    first = await call(hass, "create_guest_passcode", data, target=[FRONT, GARAGE])
    assert first == snapshot(exclude=VOLATILE)
    assert_code(first[FRONT]["code"], range(6, 7))
    assert_code(first[GARAGE]["code"], range(6, 10))
    again = await call(hass, "create_guest_passcode", data, target=[FRONT, GARAGE])
    for entity_id in (FRONT, GARAGE):
        assert again[entity_id]["code"] == first[entity_id]["code"]
        assert again[entity_id]["passcode_id"] == first[entity_id]["passcode_id"]
        assert again[entity_id]["reused"] is True
    # One code per stay, even after a restart.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    third = await call(hass, "create_guest_passcode", data, target=FRONT)
    assert third[FRONT]["passcode_id"] == first[FRONT]["passcode_id"]


async def test_guest_passcode_from_trigger(
    hass: HomeAssistant, stays: StaysCalendar, entry: MockConfigEntry
) -> None:
    data = {
        "calendar": CALENDAR,
        "event_start": "2026-06-26",
        "event_end": "2026-06-28",
        "event_summary": "Jones",
        "margin": 0,
    }
    first = await call(hass, "create_guest_passcode", data, target=GARAGE)
    result = first[GARAGE]
    assert result["name"].startswith("Jones #")
    assert result["valid_from"] == "2026-06-26T00:00:00-07:00"
    assert result["valid_to"] == "2026-06-28T00:00:00-07:00"
    assert result["offline"] is True
    assert "24 h" in result["warning"]
    again = await call(hass, "create_guest_passcode", data, target=GARAGE)
    assert again[GARAGE]["code"] == result["code"]
    # Another summary is another stay (through a gateway: its own code).
    first = await call(hass, "create_guest_passcode", data, target=FRONT)
    other = await call(
        hass, "create_guest_passcode", data | {"event_summary": "Brown"}, target=FRONT
    )
    assert other[FRONT]["passcode_id"] != first[FRONT]["passcode_id"]


async def test_guest_booking_moved_or_code_deleted(
    hass: HomeAssistant, stays: StaysCalendar, entry: MockConfigEntry
) -> None:
    data = {"calendar": CALENDAR, "event_uid": "stay-smith", "margin": 60}
    first = (await call(hass, "create_guest_passcode", data))[FRONT]
    stays.events[0].end = datetime(2026, 6, 26, 10, 0, tzinfo=UTC)
    moved = (await call(hass, "create_guest_passcode", data))[FRONT]
    assert (moved["code"], moved["passcode_id"]) == (first["code"], first["passcode_id"])
    assert dt_util.parse_datetime(moved["valid_to"]) == datetime(2026, 6, 26, 11, tzinfo=UTC)
    listed = (await codes(hass))[first["passcode_id"]]
    assert listed["valid_to"] == moved["valid_to"]
    # Deleted in the meantime (here or in the app): a new code.
    await call(hass, "delete_passcode", {"passcode_id": first["passcode_id"]})
    fresh = (await call(hass, "create_guest_passcode", data))[FRONT]
    assert fresh["passcode_id"] != first["passcode_id"]
    assert fresh["reused"] is False
    await entry.runtime_data.client.delete_passcode(lock_id(hass, FRONT), fresh["passcode_id"])
    newer = (await call(hass, "create_guest_passcode", data))[FRONT]
    assert newer["passcode_id"] not in (first["passcode_id"], fresh["passcode_id"])
    # An offline code cannot move: the moved stay gets a new one.
    garage = (await call(hass, "create_guest_passcode", data, target=GARAGE))[GARAGE]
    stays.events[0].end = datetime(2026, 6, 27, 10, 0, tzinfo=UTC)
    moved = (await call(hass, "create_guest_passcode", data, target=GARAGE))[GARAGE]
    assert moved["passcode_id"] != garage["passcode_id"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"calendar": CALENDAR}, "event_required"),
        ({"calendar": CALENDAR, "event_uid": "nope"}, "unknown_event"),
        ({"calendar": "calendar.nope", "event_uid": "stay-smith"}, "unknown_calendar"),
        (
            {"calendar": CALENDAR, "event_start": "2026-06-01 10:00", "event_end": "2026-06-02"},
            "window_in_past",
        ),
        (
            {"calendar": CALENDAR, "event_start": "2026-06-21 10:00", "event_end": "2026-06-20"},
            "end_before_start",
        ),
    ],
)
async def test_guest_errors(
    hass: HomeAssistant,
    stays: StaysCalendar,
    entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_guest_passcode", data)
    assert err.value.translation_key == key


async def test_guest_calendar_fails(
    hass: HomeAssistant, stays: StaysCalendar, entry: MockConfigEntry
) -> None:
    stays.fail = True
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "create_guest_passcode",
            {
                "calendar": CALENDAR,
                "event_uid": "stay-smith",
                "event_start": "2026-06-20",
                "event_end": "2026-06-25",
            },
        )
    assert err.value.translation_key == "calendar_failed"


async def test_guest_quota(
    hass: HomeAssistant, stays: StaysCalendar, entry: MockConfigEntry
) -> None:
    for number in range(5):
        await call(
            hass, "create_passcode", {"type": "permanent", "name": f"p{number}"}, target=BACK
        )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_guest_passcode",
            {"calendar": CALENDAR, "event_uid": "stay-smith"},
            target=BACK,
        )
    assert err.value.translation_key == "quota_exhausted"


async def test_translations_cover_keys(hass: HomeAssistant) -> None:
    """Every exception key raised here and every action has its text."""
    import json  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import yaml  # noqa: PLC0415

    base = Path(__file__).parent.parent / "custom_components" / DOMAIN
    strings = json.loads((base / "strings.json").read_text())
    assert strings == json.loads((base / "translations" / "en.json").read_text())
    services = yaml.safe_load((base / "services.yaml").read_text())
    icons = json.loads((base / "icons.json").read_text())
    for service, spec in services.items():
        translated = strings["services"][service]
        assert service in icons["services"]
        for field, field_spec in spec.get("fields", {}).items():
            if "fields" in field_spec:
                assert field in translated["sections"]
                for sub in field_spec["fields"]:
                    assert sub in translated["fields"]
            else:
                assert field in translated["fields"]
    source = (base / "passcodes.py").read_text() + (base / "services.py").read_text()
    import re  # noqa: PLC0415

    keys = set(re.findall(r'translation_key="([a-z_]+)"', source))
    keys |= set(re.findall(r'_error\(\s*"([a-z_]+)"', source))
    keys |= set(re.findall(r'"(cloud_[a-z_]+|code_in_use)"\)', source))
    keys.discard("passcode_quota_exhausted")
    assert keys - set(strings["exceptions"]) == set()
    assert "passcode_quota_exhausted" in strings["issues"]


async def test_remove_store(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await call(hass, "create_passcode", {"type": "permanent", "name": "x"}, target=BACK)
    key = f"{DOMAIN}.passcodes.{entry.entry_id}"
    assert key in hass_storage
    await async_remove_store(hass, entry.entry_id)
    assert key not in hass_storage


async def test_guest_passcode_for_a_stay_that_began_days_ago(
    hass: HomeAssistant, stays: StaysCalendar, entry: MockConfigEntry
) -> None:
    """A lock without gateway gets an offline code from this hour, and is told why."""
    stays.events.append(
        CalendarEvent(
            start=NOW - timedelta(days=2),
            end=NOW + timedelta(days=3),
            summary="Late",
            uid="stay-late",
        )
    )
    data = {"calendar": CALENDAR, "event_uid": "stay-late"}
    response = await call(hass, "create_guest_passcode", data, target=GARAGE)
    created = response[GARAGE]
    this_hour = dt_util.as_local(NOW.replace(minute=0, second=0, microsecond=0))
    assert created["valid_from"] == this_hour.isoformat()
    assert (
        created["requested_start"]
        == dt_util.as_local((NOW - timedelta(days=2, minutes=30)).replace(minute=0)).isoformat()
    )
    assert "24 h" in created["note"]
