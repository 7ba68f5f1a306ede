"""A host's whole day, end to end: the path the demo plays (scripts/dev/host_day.py).

A real local calendar holds two stays on the front door; the binding adds the cleaner's
turnover code and a no-show verdict. The blueprints deliver to mocked notify actions.
People act at the simulator's keypad, and each record is pushed to the webhook as the
cloud would: booking -> code -> delivery -> arrival -> guessing -> check-out -> turnover
-> next guest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .blueprint_common import (
    add_stay,
    hass_config_dir,  # noqa: F401  (the fixture: blueprints in the config)
    local_calendar,
)
from .cloud_push import push_newest_record
from .conftest import WEBHOOK_ID
from .guest_common import binding_subentry, lock_named

NOW = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)  # 09:00 in Los Angeles
LEA = (NOW + timedelta(hours=6), NOW + timedelta(hours=9))  # 15:00 to 18:00
NOAH = (NOW + timedelta(hours=11), NOW + timedelta(days=2))  # from 20:00
PLAN = "sensor.flat_1_month_plan"
NEXT = "sensor.flat_1_next_stay"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


def _blueprint(name: str, **inputs: Any) -> dict[str, Any]:
    return {"use_blueprint": {"path": f"ttlock_access/{name}", "input": inputs}}


async def _at(hass: HomeAssistant, frozen: FrozenDateTimeFactory, moment: datetime) -> None:
    """Let time pass to ``moment`` in 15-minute steps (every timer on the way runs)."""
    current = dt_util.utcnow()
    while current < moment:
        current = min(current + timedelta(minutes=15), moment)
        frozen.move_to(current)
        async_fire_time_changed(hass, current)
        # The coordinators' reads too: none may be in flight at the next jump.
        await hass.async_block_till_done(wait_background_tasks=True)


def _code_of(front: FakeLock, person: str) -> str:
    return next(code.code for code in front.passcodes.values() if code.name.startswith(person))


def _messages(calls: list[ServiceCall]) -> list[str]:
    return [str(call.data["message"]) for call in calls]


async def test_a_host_day(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    front = lock_named(fake_cloud, "Front door")
    told: list[Event] = []
    hass.bus.async_listen(MATCH_ALL, told.append)
    await local_calendar(hass)
    guest = async_mock_service(hass, "notify", "guest")
    cleaner = async_mock_service(hass, "notify", "cleaner")
    host = async_mock_service(hass, "notify", "host")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                _blueprint("deliver_guest_code.yaml", notify_action="notify.guest"),
                _blueprint("deliver_turnover_code.yaml", notify_action="notify.cleaner"),
                _blueprint("guest_arrivals.yaml", notify_action="notify.host"),
                _blueprint("failed_attempts_alert.yaml", notify_action="notify.host"),
            ]
        },
    )
    # Booking: two stays; the next one first, so the turnover knows its end at once.
    await add_stay(hass, "Noah", *NOAH)
    await add_stay(hass, "Lea", *LEA)
    hass.config_entries.async_add_subentry(
        mock_config_entry,
        binding_subentry(
            [front.lock_id],
            days_before=1,
            margin=0,
            no_show_hours=1,
            turnover="between_stays",
            cleaner="Maria",
        ),
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()

    async def keypad(code: str) -> bool:
        opened = fake_cloud.enter_code(front.lock_id, code)
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()
        return opened

    # Code and delivery: each guest has their code, the cleaner hers, once each.
    lea, noah, maria = (_code_of(front, name) for name in ("Lea #", "Noah #", "Maria #"))
    assert sorted(_messages(guest)) == sorted(
        [
            f"Hello Lea, welcome! Your door code for Front door is {lea}. It works from "
            "15 Jun 15:00 to 15 Jun 18:00.",
            f"Hello Noah, welcome! Your door code for Front door is {noah}. It works from "
            "15 Jun 20:00 to 17 Jun 09:00.",
        ]
    )
    assert _messages(cleaner) == [
        f"Maria, Front door is yours from Mon 15 Jun 18:00 to Mon 15 Jun 20:00. Door code: {maria}."
    ]
    state = hass.states.get(PLAN)
    assert state is not None
    assert (state.state, state.attributes["turnovers"]) == ("2", 2)
    assert state.attributes["next_guest"] == "Lea"

    # Arrival: Lea opens with her code a few minutes after check-in.
    await _at(hass, frozen, LEA[0] + timedelta(minutes=5))
    assert await keypad(lea)
    assert _messages(host) == ["Lea arrived: Front door opened by passcode at 15 Jun 15:05."]
    state = hass.states.get(NEXT)
    assert state is not None
    assert state.attributes["current_guest"] == "Lea"
    assert (
        state.attributes["arrived_at"]
        == dt_util.as_local(LEA[0] + timedelta(minutes=5)).isoformat()
    )

    # Someone guesses: three wrong codes, one alert.
    for wrong in ("111999", "222888", "333777"):
        assert not await keypad(wrong)
    assert len(host) == 2
    assert host[-1].data["message"].startswith("Front door: 3 failed unlock attempts")
    state = hass.states.get("sensor.front_door_failed_attempts")
    assert state is not None
    assert state.state == "3"

    # No no-show for Lea: she came. Check-out: her code is deleted.
    await _at(hass, frozen, LEA[1] + timedelta(minutes=1))
    assert not any(code.name.startswith("Lea #") for code in front.passcodes.values())

    # Turnover: Maria opens with her code; Lea's old one is refused.
    await _at(hass, frozen, LEA[1] + timedelta(minutes=20))
    assert await keypad(maria)
    assert not await keypad(lea)
    assert _messages(host)[2] == (
        "Maria came to clean: Front door opened by passcode at 15 Jun 18:20."
    )
    assert host[2].data["title"] == "Cleaning started"

    # The next guest: Noah comes in; the cleaner's code is gone after his check-in.
    await _at(hass, frozen, NOAH[0] + timedelta(minutes=10))
    assert await keypad(noah)
    assert _messages(host)[-1] == "Noah arrived: Front door opened by passcode at 15 Jun 20:10."
    assert not any(code.name.startswith("Maria #") for code in front.passcodes.values())
    state = hass.states.get(PLAN)
    assert state is not None
    assert state.attributes["current_guest"] == "Noah"
    assert state.attributes["at_risk"] == []
    # Every message went out once; no event of the integration and no line it logged
    # carried a code (only the notify calls, which the blueprints make, and the test
    # harness's own echo of the private store).
    assert len(guest) == 2
    assert len(cleaner) == 1
    ours = [event for event in told if event.event_type.startswith("ttlock_access_")]
    assert {event.event_type for event in ours} >= {
        "ttlock_access_guest_code_created",
        "ttlock_access_turnover_code_created",
        "ttlock_access_guest_arrived",
        "ttlock_access_failed_attempt",
        "ttlock_access_guest_code_revoked",
    }
    for code in (lea, noah, maria, "111999"):
        assert all(code not in str(event.data) for event in ours)
        assert not [
            record
            for record in caplog.records
            if record.name.startswith("custom_components") and code in record.getMessage()
        ]
