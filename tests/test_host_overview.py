"""The host's month plan: one sensor per binding, from the book, at no cloud call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import StaysCalendar, go, setup_bound

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
SENSOR = "sensor.flat_1_month_plan"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


async def test_month_plan(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    snapshot: SnapshotAssertion,
) -> None:
    # Under way, next (code made), later this month (code not yet made), next month.
    day = timedelta(days=1)
    stays.add("adams", NOW - day, NOW + day, "Adams")
    stays.add("baker", NOW + 2 * day, NOW + 4 * day, "Baker")
    stays.add("clark", NOW + 10 * day, NOW + 12 * day, "Clark")
    stays.add("davis", NOW + 20 * day, NOW + 22 * day, "Davis")
    fake_cloud.set_battery(front.lock_id, 12)
    await setup_bound(
        hass, mock_config_entry, [front, garage], turnover="between_stays", cleaner="Maria"
    )
    requests = sum(fake_cloud.requests.values())
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.state == "3"  # Adams checked in on the 14th: June has Adams, Baker, Clark
    assert state.attributes["next_guest"] == "Baker"
    assert state.attributes["current_guest"] == "Adams"
    assert dict(state.attributes) == snapshot(name="month_plan")
    # The front door's quota is used (the demo's codes, Adams, Baker and two turnovers):
    # Clark's code, due this month, cannot be made. The garage is in its free first month.
    (front_month, garage_month) = state.attributes["locks"]
    assert (front_month["codes_left"], front_month["codes_needed"]) == (0, 3)
    assert garage_month["codes_left"] is None

    # The gateway goes offline: the stays whose code is still to make are at risk.
    fake_cloud.set_gateway_online(front.links[0].gateway.gateway_id, False)
    await mock_config_entry.runtime_data.gateways.async_refresh()
    await mock_config_entry.runtime_data.locks.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state is not None
    risks = {(risk["guest"], risk["lock"]): risk["reasons"] for risk in state.attributes["at_risk"]}
    assert risks[("Clark", "Front door")] == ["gateway_offline", "low_battery", "quota"]
    assert risks[("Adams", "Front door")] == ["low_battery"]  # its code exists
    # Nothing of it cost a call but the refreshes themselves.
    assert sum(fake_cloud.requests.values()) - requests <= 4

    # On the 1st the month turns over.
    await go(
        hass,
        frozen,
        dt_util.as_utc(datetime(2026, 7, 1, 0, 5, tzinfo=dt_util.get_default_time_zone())),
    )
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.attributes["month"] == "2026-07"
