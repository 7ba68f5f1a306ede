"""A lock's settings: auto-lock time, sound, volume, privacy lock, tamper alert, reset button.

Against the simulator over real HTTP: values from lock/detail, writes through the gateway
(lock/setAutoLockTime, lock/updateSetting) read back to confirm, featureValue gating,
unavailable while the gateway is offline, refusals as translated errors.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.cloud import FakeTTLockCloud
from simulator.protocol import FEATURE_PRIVACY_LOCK, FEATURE_VOLUME, LockSetting
from tests.timing import tick

from .test_init import lock_named

SETTINGS = {
    "number.front_door_auto_lock_time": "5",
    "switch.front_door_sound": "on",
    "switch.front_door_privacy_lock": "off",
    "switch.front_door_tamper_alert": "on",
    "switch.front_door_reset_button": "on",
    "select.front_door_volume": "medium",
}


@pytest.fixture
def platforms(request: pytest.FixtureRequest) -> list[Platform]:
    """The platforms under test."""
    return getattr(request, "param", [Platform.NUMBER, Platform.SELECT, Platform.SWITCH])


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
@pytest.mark.parametrize("platforms", [[Platform.NUMBER], [Platform.SELECT]], indirect=True)
async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The auto-lock time and volume entities."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_settings_show_what_the_lock_reports(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """From lock/detail; only locks the cloud reaches (not the Bluetooth-only garage)."""
    assert {entity: hass.states.get(entity).state for entity in SETTINGS} == SETTINGS
    assert hass.states.get("switch.back_door_sound") is not None
    assert hass.states.get("number.garage_auto_lock_time") is None
    assert hass.states.get("switch.garage_sound") is None


async def test_writes_go_through_the_gateway_and_are_read_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Each change: one write (type 2) and one lock/detail read that confirms it."""
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.reset_requests()
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: "switch.front_door_sound"}, blocking=True
    )
    assert front.settings[LockSetting.LOCK_SOUND] == 2
    assert fake_cloud.last_params["/v3/lock/updateSetting"]["changeType"] == "2"
    assert fake_cloud.requests["/v3/lock/updateSetting"] == 1
    assert fake_cloud.requests["/v3/lock/detail"] == 1
    assert hass.states.get("switch.front_door_sound").state == "off"

    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.front_door_privacy_lock"}, blocking=True
    )
    assert front.settings[LockSetting.PRIVACY_LOCK] == 1
    assert hass.states.get("switch.front_door_privacy_lock").state == "on"

    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: "select.front_door_volume", "option": "very_high"},
        blocking=True,
    )
    assert front.settings[LockSetting.VOLUME] == 5
    assert hass.states.get("select.front_door_volume").state == "very_high"

    for seconds, stored in ((30, 30), (0, -1)):
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.front_door_auto_lock_time", "value": seconds},
            blocking=True,
        )
        assert front.auto_lock_seconds == stored  # 0 turns auto lock off (-1 in the cloud)
        assert hass.states.get("number.front_door_auto_lock_time").state == str(seconds)


async def test_a_refused_write_changes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """The lock refusing (-4043) or out of reach: a translated error, the state as it was."""
    fake_cloud.fail_next("/v3/lock/updateSetting", errcode=-4043)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: "switch.front_door_tamper_alert"}, blocking=True
        )
    assert err.value.translation_key == "not_supported"
    assert hass.states.get("switch.front_door_tamper_alert").state == "on"

    fake_cloud.fail_next("/v3/lock/setAutoLockTime", errcode=-4082)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.front_door_auto_lock_time", "value": 7},
            blocking=True,
        )
    assert err.value.translation_key == "command_invalid_value"
    assert hass.states.get("number.front_door_auto_lock_time").state == "5"


async def test_unavailable_while_the_gateway_is_offline(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Settings need the gateway: unavailable (not wrong) while it is offline."""
    gateway_id = next(iter(fake_cloud.gateways))
    fake_cloud.set_gateway_online(gateway_id, False)
    await init_integration.runtime_data.gateways.async_refresh()
    await hass.async_block_till_done()
    for entity in SETTINGS:
        assert hass.states.get(entity).state == STATE_UNAVAILABLE, entity


async def test_only_settings_the_lock_has(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """A lock whose featureValue lacks a setting's bit gets no entity for it."""
    back = lock_named(fake_cloud, "Back door")
    back.features &= ~(1 << FEATURE_PRIVACY_LOCK | 1 << FEATURE_VOLUME)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("switch.back_door_privacy_lock") is None
    assert hass.states.get("select.back_door_volume") is None
    assert hass.states.get("switch.back_door_sound") is not None
    assert hass.states.get("switch.front_door_privacy_lock") is not None


async def test_changes_made_in_the_app_are_read_weekly(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Settings changed outside Home Assistant show within the plan's settings interval."""
    front = lock_named(fake_cloud, "Front door")
    front.settings[LockSetting.LOCK_SOUND] = 2  # someone turned it off in the TTLock app
    fake_cloud.reset_requests()
    days = 0
    while hass.states.get("switch.front_door_sound").state == "on":
        await tick(hass, freezer, 86400)
        days += 1
        assert days <= 31, "never read again"
    # Weekly at most (stretched when the month runs hot), each remote lock once.
    assert days >= 7
    assert fake_cloud.requests["/v3/lock/detail"] == 2


@pytest.mark.parametrize("platforms", [[Platform.LOCK, Platform.SWITCH]], indirect=True)
async def test_passage_mode_on_a_weekly_schedule(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Weekdays (1 = Monday), hours and auto unlock go to the lock through the gateway."""
    front = lock_named(fake_cloud, "Front door")
    response = await hass.services.async_call(
        "ttlock_access",
        "set_passage_mode_schedule",
        {"weekdays": ["saturday", "monday"], "start": "08:30", "end": "18:00", "auto_unlock": True},
        target={"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "lock.front_door": {
            "passage_mode": True,
            "weekdays": ["monday", "saturday"],
            "all_day": False,
            "start": "08:30",
            "end": "18:00",
            "auto_unlock": True,
        }
    }
    assert front.passage_mode
    assert front.passage_weekdays == [1, 6]
    assert (front.passage_start_minute, front.passage_end_minute) == (510, 1080)
    assert not front.passage_all_day
    assert front.passage_auto_unlock
    assert fake_cloud.last_params["/v3/lock/configPassageMode"]["type"] == "2"
    assert hass.states.get("switch.front_door_passage_mode").state == "on"


@pytest.mark.parametrize("platforms", [[Platform.LOCK]], indirect=True)
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"weekdays": ["monday"], "start": "08:00"}, "passage_window_incomplete"),
        ({"weekdays": ["monday"], "start": "18:00", "end": "08:00"}, "end_before_start"),
    ],
)
async def test_passage_schedule_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    data: dict[str, object],
    key: str,
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "ttlock_access",
            "set_passage_mode_schedule",
            data,
            target={"entity_id": "lock.front_door"},
            blocking=True,
        )
    assert err.value.translation_key == key
    assert not lock_named(fake_cloud, "Front door").passage_mode
