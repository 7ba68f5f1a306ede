"""The door sensor of a lock that has one: fed by door records, restored after a restart."""

from __future__ import annotations

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.api import RecordType
from simulator.cloud import FakeTTLockCloud
from tests.cloud_push import push_newest_record

from .conftest import WEBHOOK_ID
from .test_init import lock_named

DOOR = "binary_sensor.front_door_door"


async def test_door_follows_the_door_records(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Opened, left open, closed: from records, at no call of its own."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    state = hass.states.get(DOOR)
    assert state is not None
    assert state.state == STATE_UNKNOWN  # no door record yet: not guessed
    assert state.attributes["device_class"] == "door"
    # Only the lock with a door sensor (featureValue bit 13) has one.
    assert hass.states.get("binary_sensor.back_door_door") is None

    for record_type, expected, left_open in (
        (RecordType.DOOR_OPENED, STATE_ON, False),
        (RecordType.DOOR_NOT_CLOSED_ALARM, STATE_ON, True),
        (RecordType.DOOR_CLOSED, STATE_OFF, False),
    ):
        fake_cloud.add_record(front, record_type)
        fake_cloud.reset_requests()
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()
        state = hass.states.get(DOOR)
        assert state.state == expected, record_type
        assert state.attributes["left_open"] is left_open
        assert fake_cloud.requests["/v3/lockRecord/list"] == 1  # the push's confirmation

    # A lock operation is no door record: the door stays as it was.
    fake_cloud.set_lock_state(front.lock_id, 1)
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    assert hass.states.get(DOOR).state == STATE_OFF
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_door_restores_its_last_state(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """After a restart the door shows what it last knew until the next door record."""
    mock_restore_cache(hass, [State(DOOR, STATE_ON, {"left_open": True})])
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(DOOR)
    assert state.state == STATE_ON
    assert state.attributes["left_open"] is True
