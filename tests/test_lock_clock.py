"""A lock's clock: the drift sensor, the repair issue past 2 min, the Sync clock button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.lock_clock import drift_of, issue_id
from simulator.cloud import FakeTTLockCloud

from .test_init import lock_named

DRIFT = "sensor.front_door_clock_drift"
SYNC = "button.front_door_sync_clock"


def test_drift_is_measured_against_the_middle_of_the_request() -> None:
    asked = datetime(2026, 12, 1, 12, tzinfo=UTC)
    answered = asked + timedelta(seconds=2)
    lock_time = asked + timedelta(minutes=3, seconds=1)
    assert drift_of(lock_time, asked, answered) == timedelta(minutes=3)
    assert drift_of(asked - timedelta(seconds=59), asked, answered) == timedelta(seconds=-60)


async def test_clock_read_at_setup_only_for_locks_the_cloud_reaches(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """One lock/queryDate per remote lock at setup; the Bluetooth-only garage has none."""
    assert hass.states.get(DRIFT).state == "0.0"
    assert hass.states.get(DRIFT).attributes["unit_of_measurement"] == "s"
    assert hass.states.get("sensor.back_door_clock_drift").state == "0.0"
    assert hass.states.get("sensor.garage_clock_drift") is None
    assert hass.states.get("button.garage_sync_clock") is None
    assert fake_cloud.requests["/v3/lock/queryDate"] == 2


@pytest.mark.parametrize(
    ("offset", "translation_key"),
    [(timedelta(minutes=5), "lock_clock_drift"), (-timedelta(minutes=3), "lock_clock_behind")],
)
async def test_a_clock_far_off_is_a_repair_until_synced(  # noqa: PLR0917
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    issue_registry: ir.IssueRegistry,
    offset: timedelta,
    translation_key: str,
) -> None:
    """Past 2 min: an issue naming the lock; the button sets the clock and resolves it."""
    front = lock_named(fake_cloud, "Front door")
    front.clock_offset_ms = int(offset.total_seconds() * 1000)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(DRIFT).state) == offset.total_seconds()
    issue = issue_registry.async_get_issue(
        DOMAIN, issue_id(init_integration.entry_id, front.lock_id)
    )
    assert issue is not None
    assert issue.translation_key == translation_key
    assert issue.translation_placeholders == {
        "lock_name": "Front door",
        "minutes": str(round(abs(offset).total_seconds() / 60)),
    }

    fake_cloud.reset_requests()
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: SYNC}, blocking=True)
    assert front.clock_offset_ms == 0
    assert fake_cloud.requests["/v3/lock/updateDate"] == 1
    assert hass.states.get(DRIFT).state == "0.0"
    assert (
        issue_registry.async_get_issue(DOMAIN, issue_id(init_integration.entry_id, front.lock_id))
        is None
    )


async def test_a_small_drift_is_no_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A minute off does not matter at the door: shown, not raised."""
    front = lock_named(fake_cloud, "Front door")
    front.clock_offset_ms = 60_000
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(DRIFT).state == "60.0"
    assert (
        issue_registry.async_get_issue(DOMAIN, issue_id(init_integration.entry_id, front.lock_id))
        is None
    )


async def test_sync_needs_the_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """The gateway busy or gone: a translated error, the clock as it was."""
    fake_cloud.fail_next("/v3/lock/updateDate", errcode=-3002)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: SYNC}, blocking=True)
    assert err.value.translation_key == "device_unreachable"
    assert err.value.translation_placeholders["name"] == "Front door"
