"""A Wi-Fi lock (no gateway, featureValue bit 56): first-class, as a gateway lock is.

Lock entity and state, passage mode and settings, custom codes online, its own online
pushes (confirmed by asking the lock), and no gateway signal sensor.
"""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.const import DOMAIN
from simulator.cloud import FakeTTLockCloud
from simulator.demo import DEMO_USERNAME
from simulator.protocol import LockSetting, LockState
from simulator.state import FakeLock

from .conftest import WEBHOOK_ID

STUDIO = "lock.studio"


@pytest.fixture
async def studio(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> FakeLock:
    """A Wi-Fi lock on the demo account, set up with the rest."""
    lock = fake_cloud.add_lock(
        fake_cloud.account_by_username(DEMO_USERNAME), name="Studio", wifi=True
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return lock


async def test_a_wifi_lock_has_what_a_gateway_lock_has(
    hass: HomeAssistant, studio: FakeLock
) -> None:
    """Lock, passage mode, settings, clock; no gateway signal (it has no gateway)."""
    assert hass.states.get(STUDIO).state == "locked"
    for entity in (
        "switch.studio_passage_mode",
        "switch.studio_sound",
        "number.studio_auto_lock_time",
        "select.studio_volume",
        "sensor.studio_clock_drift",
        "button.studio_sync_clock",
        "sensor.studio_battery",
    ):
        assert hass.states.get(entity) is not None, entity
    assert hass.states.get("sensor.studio_gateway_signal") is None


async def test_commands_and_settings_over_its_own_wifi(
    hass: HomeAssistant, studio: FakeLock, fake_cloud: FakeTTLockCloud
) -> None:
    """Unlock, passage mode and a setting go to the lock over Wi-Fi."""
    await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: STUDIO}, blocking=True)
    assert studio.state == LockState.UNLOCKED
    assert hass.states.get(STUDIO).state == "unlocked"
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.studio_passage_mode"}, blocking=True
    )
    assert studio.passage_mode
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: "switch.studio_sound"}, blocking=True
    )
    assert studio.settings[LockSetting.LOCK_SOUND] == 2


async def test_custom_code_online(hass: HomeAssistant, studio: FakeLock) -> None:
    """A custom code is added through the lock's Wi-Fi, like through a gateway."""
    response = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"type": "custom", "name": "Cleaner", "code": "480516"},
        target={"entity_id": STUDIO},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    result = response[STUDIO]
    assert result["offline"] is False
    assert studio.passcodes[result["passcode_id"]].code == "480516"


async def test_its_own_online_pushes_are_confirmed(
    hass: HomeAssistant,
    studio: FakeLock,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """notifyType 3: offline once the cloud cannot reach it, back once it can."""
    client = await hass_client_no_auth()
    url = f"/api/webhook/{WEBHOOK_ID}"
    studio.wifi_online = False
    await client.post(url, data={"notifyType": "3", "lockId": str(studio.lock_id), "isOnline": "0"})
    await hass.async_block_till_done()
    assert hass.states.get(STUDIO).state == STATE_UNAVAILABLE
    assert hass.states.get("switch.studio_sound").state == STATE_UNAVAILABLE

    studio.wifi_online = True
    await client.post(url, data={"notifyType": "3", "lockId": str(studio.lock_id), "isOnline": "1"})
    await hass.async_block_till_done()
    assert hass.states.get(STUDIO).state == "locked"
