"""Failed unlock attempts over real HTTP: events, counts, the sensor, at no call of their own.

Wrong codes are typed on the fake cloud's keypad; the integration reads them by polling
or through a push (confirmed by one read), as it reads every other record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.ttlock_access.api import RecordType
from custom_components.ttlock_access.const import EVENT_FAILED_ATTEMPT
from simulator.cloud import FakeTTLockCloud
from tests.cloud_push import push_newest_record
from tests.timing import until_lock_read

from .conftest import WEBHOOK_ID
from .test_init import lock_named

SENSOR = "sensor.front_door_failed_attempts"
OPERATION = "event.front_door_operation"
WRONG = "864209"  # typed at the keypad: in no event, state or log line
VALID = "480913"  # the demo's Family code of the front door

# What polling reads (test_init.test_requests_per_cycle): no state query, no passcode list.
POLLED = {
    "/v3/lock/list",
    "/v3/gateway/list",
    "/v3/gateway/listLock",
    "/v3/electricMeter/list",
    "/v3/waterMeter/list",
    "/v3/lockRecord/list",
}

pytestmark = pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")


def _everything(hass: HomeAssistant, events: list[Event[Any]]) -> str:
    return str([event.data for event in events]) + str(hass.states.async_all())


async def test_wrong_codes_polled(
    hass: HomeAssistant,
    *,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    snapshot: SnapshotAssertion,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three wrong codes read by the next poll: three events counting up, one read."""
    front = lock_named(fake_cloud, "Front door")
    events = async_capture_events(hass, EVENT_FAILED_ATTEMPT)
    assert hass.states.get(SENSOR).state == "0"
    for typed in range(3):
        freezer.tick(timedelta(seconds=40 if typed else 0))
        assert not fake_cloud.enter_code(front.lock_id, WRONG)
    fake_cloud.reset_requests()
    await until_lock_read(hass, freezer, init_integration, front.lock_id)

    # Counting cost nothing: what a polling cycle reads anyway, nothing else.
    assert fake_cloud.requests["/v3/lockRecord/list"] >= 1
    assert set(fake_cloud.requests) <= POLLED
    assert [event.data["last_24_h"] for event in events] == [1, 2, 3]
    assert events[-1].data == snapshot(name="event")
    assert hass.states.get(SENSOR) == snapshot(name="sensor")
    operation = hass.states.get(OPERATION)
    assert operation.attributes["event_type"] == "failed"
    assert operation.attributes["last_hour"] == 3  # read late: out of the 15 minutes
    assert operation.attributes["locked_out"] is False
    assert operation.attributes["user"] is None
    assert WRONG not in _everything(hass, events)
    assert WRONG not in caplog.text


async def test_lock_out_and_a_valid_code_pushed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Five wrong codes lock the keypad (48); the right code after them counts nothing."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    events = async_capture_events(hass, EVENT_FAILED_ATTEMPT)
    for _ in range(5):
        fake_cloud.enter_code(front.lock_id, WRONG)
        fake_cloud.reset_requests()
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()
        # One read confirms the push, and the counting adds none.
        assert sum(fake_cloud.requests.values()) == 1
        assert fake_cloud.requests["/v3/lockRecord/list"] == 1

    # The fifth wrong code and the lock-out share a moment: their order is the cloud's.
    assert sorted((e.data["record_type"], e.data["locked_out"]) for e in events) == [
        (RecordType.PASSCODE_UNLOCK, False),
    ] * 5 + [(RecordType.SYSTEM_LOCKED, True)]
    assert [e.data["last_24_h"] for e in events] == [1, 2, 3, 4, 5, 6]
    lock_out = next(e.data for e in events if e.data["locked_out"])
    assert lock_out["lock"] == "Front door"
    assert lock_out["lock_entity_id"] == "lock.front_door"
    assert lock_out["method"] == "other"
    last = events[-1].data
    assert last["last_15_min"] == 6  # the lock-out is a failure record of its own
    assert len(last["recent"]) == 6
    assert last["recent"] == sorted(last["recent"])
    assert hass.states.get(OPERATION).attributes["event_type"] == "failed"

    assert fake_cloud.enter_code(front.lock_id, VALID)
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    assert len(events) == 6
    operation = hass.states.get(OPERATION)
    assert operation.attributes["event_type"] == "passcode"
    assert operation.attributes["user"] == "Family"
    assert "locked_out" not in operation.attributes
    assert hass.states.get(SENSOR).state == "6"
    everything = _everything(hass, events) + caplog.text
    assert WRONG not in everything
    assert VALID not in everything


async def test_refused_card_on_a_lock_without_gateway(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A deleted card tried at the garage (Bluetooth only, polled): no lock entity."""
    garage = lock_named(fake_cloud, "Garage")
    events = async_capture_events(hass, EVENT_FAILED_ATTEMPT)
    fake_cloud.add_record(garage, 51, username="Old card")
    await until_lock_read(hass, freezer, init_integration, garage.lock_id)
    (event,) = events
    assert event.data["lock"] == "Garage"
    assert event.data["lock_entity_id"] is None
    assert event.data["method"] == "card"
    assert event.data["user"] == "Old card"
    assert hass.states.get("sensor.garage_failed_attempts").state == "1"
    assert hass.states.get("sensor.front_door_failed_attempts").state == "0"


async def test_sensor_decays(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The counts fall back as failures leave their windows: timers, no polling."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    start = dt_util.utcnow()
    for _ in range(2):
        fake_cloud.enter_code(front.lock_id, WRONG)
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "2"
    assert state.attributes["last_15_min"] == 2
    assert state.attributes["last_failure"] == start.isoformat()

    async def at(moment: timedelta) -> dict[str, Any]:
        """Walk to ``start + moment`` in steps the cloud's polling keeps up with."""
        while (now := dt_util.utcnow()) < start + moment:
            freezer.move_to(min(now + timedelta(minutes=30), start + moment))
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
        state = hass.states.get(SENSOR)
        return {"state": state.state, **state.attributes}

    assert (await at(timedelta(minutes=16)))["last_15_min"] == 0
    assert (await at(timedelta(minutes=16)))["state"] == "2"
    assert (await at(timedelta(minutes=61)))["last_hour"] == 0
    assert (await at(timedelta(hours=23, minutes=59)))["state"] == "2"
    after = await at(timedelta(hours=24, seconds=2))
    assert after["state"] == "0"
    assert after["last_failure"] is not None  # when it was, even once out of the window


async def test_failures_kept_across_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The times of the last day's failures come back; what does not read as one does not.

    Only times are kept (no code, no name); one older than a day is dropped, and so are a
    time without a zone, a number and a word, whatever the store holds.
    """
    now = dt_util.utcnow()
    stored = [
        (now - timedelta(hours=30)).isoformat(),  # over a day ago
        (now - timedelta(hours=2)).isoformat(),
        (now - timedelta(minutes=5)).isoformat(),
        "2026-06-15T10:00:00",  # no zone
        12345,
        "not a time",
    ]
    mock_restore_cache_with_extra_data(hass, [(State(SENSOR, "9"), {"recent": stored})])
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state is not None
    assert (state.state, state.attributes["last_15_min"], state.attributes["last_hour"]) == (
        "2",
        1,
        1,
    )
    watch = mock_config_entry.runtime_data.attempts
    front = lock_named(fake_cloud, "Front door").lock_id
    sensor = next(
        entity
        for entity in hass.data["entity_components"]["sensor"].entities
        if entity.entity_id == SENSOR
    )
    assert sensor.extra_restore_state_data.as_dict() == {
        "recent": [when.isoformat() for when in watch.log.recent(front, dt_util.utcnow())]
    }
    assert len(sensor.extra_restore_state_data.as_dict()["recent"]) == 2
