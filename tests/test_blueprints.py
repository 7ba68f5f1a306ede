"""The automation blueprints: validated with Home Assistant's own code, two run end to end.

End to end: a real local_calendar (the ``ical`` package) holds the stay, the scheduler
creates the code in the fake TTLock cloud, and the blueprint's automation sends it to a
notify action (a mocked service, to read what it was sent).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint import BlueprintInputs
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.const import EVENT_GUEST_CODE_CREATED
from simulator import FakeTTLockCloud

from .blueprint_common import (
    BLUEPRINTS,
    add_stay,
    hass_config_dir,  # noqa: F401  (the fixture: blueprints in the config)
    local_calendar,
)
from .cloud_push import push_newest_record
from .conftest import WEBHOOK_ID
from .guest_common import binding_subentry, guest_codes, lock_named, recorded
from .timing import until_lock_read

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
CALENDAR = "calendar.stays"

INPUTS: dict[str, dict[str, Any]] = {
    "deliver_guest_code.yaml": {
        "notify_action": "notify.guest",
        "send_when": "before_arrival",
        "stay_sensor": "sensor.flat_1_next_stay",
        "hours_before": 48,
        "locks": ["lock.front_door"],
    },
    "deliver_turnover_code.yaml": {"notify_action": "notify.cleaner", "locks": ["lock.front_door"]},
    "failed_attempts_alert.yaml": {
        "notify_action": "notify.alerts",
        "locks": ["lock.front_door"],
        "failures": 3,
        "minutes": 10,
    },
    "guest_code_failed.yaml": {"notify_action": "notify.host"},
    "guest_arrivals.yaml": {
        "notify_action": "notify.host",
        "announce_arrived": True,
        "announce_no_show": False,
        "announce_after_checkout": True,
    },
    "lock_alerts.yaml": {
        "batteries": ["sensor.front_door_battery"],
        "gateways": ["binary_sensor.hallway_gateway_online"],
        "threshold": 25,
        "offline_for": {"minutes": 10},
    },
}


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


@pytest.fixture
def mock_recorder_before_hass(recorder_db_url: str) -> None:
    """The database before hass, so that a test here can ask for ``recorder_mock``."""


def load(name: str) -> Blueprint:
    return Blueprint(
        load_yaml_dict(BLUEPRINTS / name),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_blueprint_validates(hass: HomeAssistant, name: str) -> None:
    """Metadata, selectors, input coverage and the substituted automation all valid."""
    blueprint = load(name)
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"].endswith(f"/ttlock_access/{name}")
    inputs = BlueprintInputs(
        blueprint, {"use_blueprint": {"path": f"ttlock_access/{name}", "input": INPUTS[name]}}
    )
    inputs.validate()
    for key, value in INPUTS[name].items():
        selector.selector(blueprint.inputs[key]["selector"])(value)
    config = inputs.async_substitute()
    assert await async_validate_config_item(hass, "test", config) is not None


def test_every_blueprint_is_tested() -> None:
    assert sorted(path.name for path in BLUEPRINTS.glob("*.yaml")) == sorted(INPUTS)


async def _automation(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": {"use_blueprint": {"path": f"ttlock_access/{name}", "input": inputs}}},
    )
    await hass.async_block_till_done()
    (state,) = hass.states.async_all("automation")
    assert state.state == "on"


async def _setup_bound(
    hass: HomeAssistant, entry: MockConfigEntry, lock_id: int, **options: Any
) -> None:
    hass.config_entries.async_add_subentry(
        entry, binding_subentry([lock_id], code_source="phone", **options)
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_deliver_guest_code_end_to_end(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A stay in a local calendar -> a code in the cloud -> a message with that code."""
    front = lock_named(fake_cloud, "Front door")
    demo = set(front.passcodes)
    await local_calendar(hass)
    start = datetime(2026, 6, 18, 22, 0, tzinfo=UTC)
    end = datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
    await add_stay(hass, "Smith family", start, end, "Phone: +1 (415) 555-0187")
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {
            "notify_action": "notify.guest",
            "message": "Hi {{ guest }}, the code of {{ lock }} is {{ code }} "
            "from {{ valid_from }} to {{ valid_to }} (stay {{ checkin }} - {{ checkout }}).",
            "locks": ["lock.front_door"],
        },
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)

    (code,) = guest_codes(front, demo)
    assert code.code == "550187"
    assert len(sent) == 1
    data = sent[0].data
    assert data["title"] == "Your door code"
    assert data["message"] == (
        "Hi Smith family, the code of Front door is 550187 from "
        f"{dt_util.as_local(start - timedelta(minutes=30)).isoformat()} to "
        f"{dt_util.as_local(end + timedelta(minutes=30)).isoformat()} "
        f"(stay {dt_util.as_local(start).isoformat()} - {dt_util.as_local(end).isoformat()})."
    )


async def test_deliver_guest_code_records_no_code(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """With the recorder on, the blueprint leaves the code in no event and no state.

    Except where Home Assistant puts it, not this integration: the notify action's own
    call (every action call is recorded with its data, here the message).
    """
    front = lock_named(fake_cloud, "Front door")
    demo = set(front.passcodes)
    await local_calendar(hass)
    start = datetime(2026, 6, 18, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Smith family", start, start + timedelta(days=3))
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {"notify_action": "notify.guest", "message": "{{ guest }}: {{ code }}"},
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    (code,) = guest_codes(front, demo)
    assert [call.data["message"] for call in sent] == [f"Smith family: {code.code}"]

    await async_wait_recording_done(hass)
    events, states = await recorder_mock.async_add_executor_job(recorded, hass)
    assert [t for t, _ in events].count(EVENT_GUEST_CODE_CREATED) == 1
    assert any(t == "call_service" and "get_guest_code" in data for t, data in events)
    holding = [(t, data) for t, data in events if code.code in data]
    assert len(holding) == 1
    assert holding[0][0] == "call_service"
    assert '"domain":"notify"' in holding[0][1]
    assert code.code not in str(states)


async def test_deliver_before_arrival_end_to_end(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The other mode: the message goes out a chosen time before arrival."""
    front = lock_named(fake_cloud, "Front door")
    await local_calendar(hass)
    start = datetime(2026, 6, 18, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Jones", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {
            "notify_action": "notify.guest",
            "send_when": "before_arrival",
            "stay_sensor": "sensor.flat_1_next_stay",
            "hours_before": 24,
            "message": "{{ guest }}: {{ code }}",
            "locks": ["lock.front_door"],
        },
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    assert sent == []  # created, but not yet 24 h before arrival
    moment = start - timedelta(hours=24)
    frozen.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done()
    (code,) = guest_codes(front, {51000001, 51000002, 51000003})
    assert [call.data["message"] for call in sent] == [f"Jones: {code.code}"]


async def test_deliver_fallback_then_its_replacement(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """An offline code stands in (with the note), then the custom code is sent once."""
    front = lock_named(fake_cloud, "Front door")
    demo = set(front.passcodes)
    gateway_id = front.links[0].gateway.gateway_id
    fake_cloud.set_gateway_online(gateway_id, False)
    await local_calendar(hass)
    start = datetime(2026, 6, 17, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Brown", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(hass, "deliver_guest_code.yaml", {"notify_action": "notify.guest"})
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    midnight = dt_util.start_of_local_day(dt_util.as_local(start))
    await _walk(hass, frozen, midnight)
    (offline,) = guest_codes(front, demo)
    (first,) = [call.data["message"] for call in sent]
    assert first.startswith(
        f"Hello Brown, welcome! Your door code for Front door is {offline.code}"
    )
    assert "Please use it once before" in first
    assert "generated offline because the lock could not be reached" in first

    fake_cloud.set_gateway_online(gateway_id, True)
    await _walk(hass, frozen, midnight + timedelta(hours=1))
    (custom,) = guest_codes(front, demo)
    assert len(sent) == 2
    update = sent[1].data["message"]
    assert update.startswith(
        f"Hello Brown, your booking changed. Your new door code for Front door is {custom.code};"
        " the previous code no longer works."
    )
    assert "generated offline" not in update
    await _walk(hass, frozen, start)
    assert len(sent) == 2


async def test_deliver_turnover_code_end_to_end(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Two stays in a local calendar: the cleaner gets the turnover's code, once per change."""
    front = lock_named(fake_cloud, "Front door")
    demo = set(front.passcodes)
    await local_calendar(hass)
    checkout = datetime(2026, 6, 18, 18, 0, tzinfo=UTC)  # 11:00 in Los Angeles
    arrival = datetime(2026, 6, 19, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Smith", checkout - timedelta(days=2), checkout)
    await add_stay(hass, "Jones", arrival, arrival + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "cleaner")
    await _automation(
        hass,
        "deliver_turnover_code.yaml",
        {"notify_action": "notify.cleaner", "locks": ["lock.front_door"]},
    )
    await _setup_bound(
        hass, mock_config_entry, front.lock_id, turnover="between_stays", cleaner="Maria"
    )
    (code,) = [c for c in guest_codes(front, demo) if c.name.startswith("Maria #")]
    (call,) = sent
    assert call.data["title"] == "Turnover"
    assert call.data["message"] == (
        "Maria, Front door is yours from Thu 18 Jun 10:30 to Fri 19 Jun 15:30."
        f" Door code: {code.code}."
    )


async def test_deliver_before_arrival_back_to_back_stays(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The next guest arrives as the first leaves: each hears 24 h before their arrival."""
    front = lock_named(fake_cloud, "Front door")
    await local_calendar(hass)
    first = datetime(2026, 6, 17, 22, 0, tzinfo=UTC)
    second = first + timedelta(days=2)
    await add_stay(hass, "Jones", first, second)
    await add_stay(hass, "Kim", second, second + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {
            "notify_action": "notify.guest",
            "send_when": "before_arrival",
            "stay_sensor": "sensor.flat_1_next_stay",
            "hours_before": 24,
            "message": "{{ guest }}",
        },
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    await _walk(hass, frozen, first - timedelta(hours=24))
    assert [call.data["message"] for call in sent] == ["Jones"]
    await _walk(hass, frozen, second - timedelta(hours=24, minutes=15))
    assert len(sent) == 1  # during the first stay, not yet
    await _walk(hass, frozen, second - timedelta(hours=24))
    assert [call.data["message"] for call in sent] == ["Jones", "Kim"]


async def test_deliver_before_arrival_code_made_later(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """10 days before arrival, but the code is made 5 days before: it goes out then, once.

    The Next stay sensor shows the booking 12 days ahead; at 10 days the code is not
    there yet (nothing sent), at 5 days it is made and sent.
    """
    front = lock_named(fake_cloud, "Front door")
    await local_calendar(hass)
    start = datetime(2026, 6, 27, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Jones", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {
            "notify_action": "notify.guest",
            "send_when": "before_arrival",
            "stay_sensor": "sensor.flat_1_next_stay",
            "hours_before": 240,
            "message": "{{ guest }}: {{ code }} ({{ lock }})",
        },
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    state = hass.states.get("sensor.flat_1_next_stay")
    assert state is not None
    assert dt_util.parse_datetime(state.state) == start
    await _walk(hass, frozen, start - timedelta(days=10, minutes=-5))
    assert sent == []  # the moment came without a code
    assert guest_codes(front, {51000001, 51000002, 51000003}) == []
    created_at = dt_util.as_local(start) - timedelta(days=5)
    await _walk(hass, frozen, created_at + timedelta(hours=3))
    (code,) = guest_codes(front, {51000001, 51000002, 51000003})
    assert [call.data["message"] for call in sent] == [f"Jones: {code.code} (Front door)"]


async def test_deliver_before_arrival_late_booking(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Booked 20 h before arrival (within the 24 h): one message, as soon as the code is made."""
    front = lock_named(fake_cloud, "Front door")
    await local_calendar(hass)
    sent = async_mock_service(hass, "notify", "guest")
    await _automation(
        hass,
        "deliver_guest_code.yaml",
        {
            "notify_action": "notify.guest",
            "send_when": "before_arrival",
            "stay_sensor": "sensor.flat_1_next_stay",
            "hours_before": 24,
            "message": "{{ guest }}: {{ code }}",
        },
    )
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    start = NOW + timedelta(hours=20)
    await add_stay(hass, "Late", start, start + timedelta(days=1))
    await hass.async_block_till_done()
    await _walk(hass, frozen, NOW + timedelta(hours=1))
    (code,) = guest_codes(front, {51000001, 51000002, 51000003})
    assert [call.data["message"] for call in sent] == [f"Late: {code.code}"]
    await _walk(hass, frozen, start)
    assert len(sent) == 1


async def _walk(hass: HomeAssistant, frozen: FrozenDateTimeFactory, until: datetime) -> None:
    """Let time pass in 15-minute steps (the blueprint's template sees every minute)."""
    moment = dt_util.utcnow()
    while moment < until:
        moment = min(moment + timedelta(minutes=15), until)
        frozen.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done()


async def test_guest_code_failed_end_to_end(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The gateway stays offline until the check-in day: the host hears of it."""
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, False)
    await local_calendar(hass)
    start = datetime(2026, 6, 16, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Brown", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "host")
    await _automation(hass, "guest_code_failed.yaml", {"notify_action": "notify.host"})
    created: list[Any] = []
    hass.bus.async_listen(EVENT_GUEST_CODE_CREATED, created.append)
    await _setup_bound(hass, mock_config_entry, front.lock_id, fallback_offline=False)
    midnight = dt_util.start_of_local_day(dt_util.as_local(start))
    moment = dt_util.now()
    while moment < midnight:
        moment = min(moment + timedelta(hours=1), midnight)
        frozen.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done()
    assert created == []
    assert len(sent) == 1
    message = sent[0].data["message"]
    assert "Brown" in message
    assert "Front door" in message
    assert "offline" in message


async def test_host_told_of_a_fallback_code(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The gateway stays offline: an offline code stands in, and the host hears why."""
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, False)
    await local_calendar(hass)
    start = datetime(2026, 6, 16, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Brown", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "host")
    await _automation(hass, "guest_code_failed.yaml", {"notify_action": "notify.host"})
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    await _walk(hass, frozen, dt_util.start_of_local_day(dt_util.as_local(start)))
    (call,) = sent
    assert call.data["title"] == "Offline code instead"
    assert call.data["message"].startswith(
        "Brown got an offline code for Front door (check-in 16 Jun 15:00) because the lock"
        " or its gateway is offline."
    )


async def test_code_left_on_a_lock_end_to_end(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Guest access removed from a lock without a gateway: the host hears which code works."""
    garage = lock_named(fake_cloud, "Garage")
    await local_calendar(hass)
    start = dt_util.utcnow() + timedelta(days=2)
    await add_stay(hass, "Green", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "host")
    await _automation(hass, "guest_code_failed.yaml", {"notify_action": "notify.host"})
    await _setup_bound(hass, mock_config_entry, garage.lock_id)
    assert len(guest_codes(garage, {51000003})) == 1
    (subentry_id,) = mock_config_entry.subentries
    hass.config_entries.async_remove_subentry(mock_config_entry, subentry_id)
    await hass.async_block_till_done()
    (call,) = sent
    assert call.data["title"] == "Old guest code still works"
    message = call.data["message"]
    assert message.startswith("The old code of Green still opens Garage until")
    assert "guest access was removed" in message
    assert "TTLock app" in message


async def test_lock_alerts_run(hass: HomeAssistant) -> None:
    """Low battery and an offline gateway each send one message."""
    sent = async_mock_service(hass, "notify", "alerts")
    hass.states.async_set("sensor.front_door_battery", "40", {"friendly_name": "Front door"})
    hass.states.async_set(
        "binary_sensor.hallway_gateway_online", "on", {"friendly_name": "Hallway gateway"}
    )
    await _automation(
        hass,
        "lock_alerts.yaml",
        {
            "notify_action": "notify.alerts",
            "batteries": ["sensor.front_door_battery"],
            "gateways": ["binary_sensor.hallway_gateway_online"],
            "offline_for": {"minutes": 10},
        },
    )
    hass.states.async_set("sensor.front_door_battery", "15", {"friendly_name": "Front door"})
    await hass.async_block_till_done()
    assert sent[-1].data["message"].startswith("Front door: battery at 15 %")
    hass.states.async_set(
        "binary_sensor.hallway_gateway_online", "off", {"friendly_name": "Hallway gateway"}
    )
    await hass.async_block_till_done()
    assert len(sent) == 1
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    assert len(sent) == 2
    assert sent[-1].data["message"].startswith("Hallway gateway is offline")


async def test_guest_arrivals_end_to_end(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The guest types their code; polling reads the record: the host hears it once."""
    front = lock_named(fake_cloud, "Front door")
    demo = set(front.passcodes)
    await local_calendar(hass)
    start = datetime(2026, 6, 16, 22, 0, tzinfo=UTC)
    await add_stay(hass, "Smith family", start, start + timedelta(days=2))
    sent = async_mock_service(hass, "notify", "host")
    await _automation(hass, "guest_arrivals.yaml", {"notify_action": "notify.host"})
    await _setup_bound(hass, mock_config_entry, front.lock_id)
    (code,) = guest_codes(front, demo)
    await _walk(hass, frozen, start + timedelta(minutes=40))
    used_at = dt_util.utcnow()
    assert fake_cloud.enter_code(front.lock_id, code.code)
    entry = mock_config_entry
    await until_lock_read(hass, frozen, entry, front.lock_id)
    at = dt_util.as_local(used_at).strftime("%d %b %H:%M")
    assert [(call.data["title"], call.data["message"]) for call in sent] == [
        ("Guest arrived", f"Smith family arrived: Front door opened by passcode at {at}.")
    ]
    assert fake_cloud.enter_code(front.lock_id, code.code)  # back from the beach
    await until_lock_read(hass, frozen, entry, front.lock_id)
    assert len(sent) == 1
    assert code.code not in str([call.data for call in sent])


async def test_guest_arrivals_messages_and_choices(hass: HomeAssistant) -> None:
    """Each event's message (times in local time), and a kind turned off stays silent."""
    sent = async_mock_service(hass, "notify", "host")
    await _automation(
        hass,
        "guest_arrivals.yaml",
        {"notify_action": "notify.host", "announce_arrived": False},
    )
    checkin = dt_util.as_local(datetime(2026, 6, 16, 22, 0, tzinfo=UTC))
    checkout = checkin + timedelta(days=2)
    stay = {
        "guest": "Kim",
        "lock": "Front door",
        "checkin": checkin.isoformat(),
        "checkout": checkout.isoformat(),
    }
    used = (checkout + timedelta(minutes=7)).isoformat()
    hass.bus.async_fire(
        "ttlock_access_guest_arrived", stay | {"arrived_at": checkin.isoformat(), "method": "card"}
    )
    hass.bus.async_fire("ttlock_access_guest_no_show", stay | {"hours": 3, "locks": ["A", "B"]})
    hass.bus.async_fire(
        "ttlock_access_guest_code_used_after_checkout", stay | {"used_at": used, "method": "x"}
    )
    await hass.async_block_till_done()
    assert [(call.data["title"], call.data["message"]) for call in sent] == [
        ("Guest not arrived", "Kim has not opened A, B 3 h after check-in (16 Jun 15:00)."),
        (
            "Guest code used after check-out",
            "The code of Kim opened Front door at 18 Jun 15:07, after check-out (18 Jun 15:00).",
        ),
    ]


WRONG_CODE = "864209"


async def _type_wrong_codes(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    fake_cloud: FakeTTLockCloud,
    client: Any,
    times: int,
) -> None:
    """Type a wrong code at the front door ``times`` times, two minutes apart (pushed)."""
    front = lock_named(fake_cloud, "Front door")
    for _ in range(times):
        frozen.tick(timedelta(minutes=2))
        assert not fake_cloud.enter_code(front.lock_id, WRONG_CODE)
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("typed", "messages"),
    [
        (2, []),
        (3, ["Front door: 3 failed unlock attempts within 10 minutes."]),
        (
            5,  # the cooldown: one alert for the whole spree, lock-out included
            ["Front door: 3 failed unlock attempts within 10 minutes."],
        ),
    ],
)
async def test_failed_attempts_alert_end_to_end(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    typed: int,
    messages: list[str],
) -> None:
    """N wrong codes in M minutes: one message naming the lock, the count, the window."""
    sent = async_mock_service(hass, "notify", "alerts")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await _automation(hass, "failed_attempts_alert.yaml", INPUTS["failed_attempts_alert.yaml"])
    await _type_wrong_codes(hass, frozen, fake_cloud, await hass_client_no_auth(), typed)
    assert [call.data["message"] for call in sent] == messages
    assert all(call.data["title"] == "Failed unlock attempts" for call in sent)
    assert WRONG_CODE not in str([call.data for call in sent])


async def _alert_automation(
    hass: HomeAssistant, entry: MockConfigEntry, failures: int, minutes: int
) -> list[Any]:
    sent = async_mock_service(hass, "notify", "alerts")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    inputs = {"notify_action": "notify.alerts", "failures": failures, "minutes": minutes}
    await _automation(hass, "failed_attempts_alert.yaml", inputs)
    return sent


async def test_failed_attempts_alert_counts_within_the_window(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Four failures in the day, never three within five minutes: no alert."""
    sent = await _alert_automation(hass, mock_config_entry, failures=3, minutes=5)
    client = await hass_client_no_auth()
    await _type_wrong_codes(hass, frozen, fake_cloud, client, 2)
    frozen.tick(timedelta(minutes=5))
    await _type_wrong_codes(hass, frozen, fake_cloud, client, 2)
    assert sent == []


async def test_failed_attempts_alert_on_lock_out(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Fewer failures than asked for, but the lock locked its keypad: that is told."""
    sent = await _alert_automation(hass, mock_config_entry, failures=10, minutes=10)
    client = await hass_client_no_auth()
    await _type_wrong_codes(hass, frozen, fake_cloud, client, 4)
    assert sent == []
    await _type_wrong_codes(hass, frozen, fake_cloud, client, 1)  # the fifth: lock-out
    (call,) = sent
    assert call.data["message"].startswith("Front door: ")
    assert call.data["message"].endswith(
        "The lock has locked its keypad after repeated wrong codes."
    )
