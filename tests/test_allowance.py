"""The monthly API allowance in a running integration: counted, kept, planned within."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.ttlock_access.api import LockState
from custom_components.ttlock_access.const import (
    CONF_MONTHLY_ALLOWANCE,
    CONF_PASSCODE_QUOTA_LIMITED,
    DOMAIN,
)
from simulator.cloud import FakeTTLockCloud
from tests.cloud_push import push_newest_record
from tests.timing import tick, until_called

from .conftest import ENTRY_ID, WEBHOOK_ID
from .test_init import lock_named

USAGE_STORE = f"{DOMAIN}.usage.{ENTRY_ID}"
SENSOR = "sensor.demo_example_com_api_calls_this_month"
# December 1st, 00:00 in Beijing: the cloud's month begins.
MONTH_BEGINS = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def issue(hass: HomeAssistant, key: str) -> ir.IssueEntry | None:
    """The integration's repair issue of this kind, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{ENTRY_ID}")


async def push_state(client: Any, cloud: FakeTTLockCloud, lock_id: int, state: LockState) -> None:
    """Turn a lock in the fake cloud and POST the callback the cloud sends about it."""
    cloud.set_lock_state(lock_id, state)
    await push_newest_record(client, WEBHOOK_ID, cloud.locks[lock_id])


async def test_migrates_the_scan_interval_option(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Entries of 1.1 lose the scan interval (the planner chooses) and get the allowance."""
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={"scan_interval": 30, CONF_PASSCODE_QUOTA_LIMITED: False},
        minor_version=1,
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.minor_version == 2
    assert mock_config_entry.options == {
        CONF_PASSCODE_QUOTA_LIMITED: False,
        CONF_MONTHLY_ALLOWANCE: 5000,
    }


async def test_a_newer_entry_is_not_downgraded(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(mock_config_entry, version=2)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.MIGRATION_ERROR


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
async def test_sensor(
    hass: HomeAssistant, init_integration: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The month's calls, what the plan does with the rest, and what they were spent on."""
    state = hass.states.get(SENSOR)
    assert state is not None
    assert state == snapshot
    assert int(state.state) == init_integration.runtime_data.client.ledger.used


async def test_counts_and_push_history_survive_a_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """A restart forgets neither the month's calls nor which locks push."""
    front = lock_named(fake_cloud, "Front door").lock_id
    await push_state(await hass_client_no_auth(), fake_cloud, front, LockState.UNLOCKED)
    await hass.async_block_till_done()
    used = init_integration.runtime_data.allowance.ledger.used
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[USAGE_STORE]["data"]["pushed"] == {
        str(front): hass_storage[USAGE_STORE]["data"]["pushed"][str(front)]
    }
    allowance = init_integration.runtime_data.allowance
    assert allowance.ledger.used > used  # the setup's own calls on top
    assert allowance.ledger.used == fake_cloud.month_requests
    assert allowance.pushed(front)
    assert allowance.plan.per_lock[front] >= timedelta(hours=6)  # not polled after a restart
    # The cloud's count was read today already: not again at this setup.
    assert allowance.ledger.by_path["/app/getMonthRequestCount"] == 1


async def test_damaged_store_starts_afresh(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unreadable counts file is replaced, not a reason to fail the setup."""
    hass_storage[USAGE_STORE] = {
        "version": 1,
        "key": USAGE_STORE,
        "data": {"ledger": {"month": 12}, "pushed": [], "missed": {}, "gateways_pushed": None},
    }
    with caplog.at_level(logging.WARNING):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert "Stored API call counts unreadable" in caplog.text
    assert mock_config_entry.runtime_data.allowance.ledger.used > 0


async def test_allowance_used_up_early(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """A 30007: entities unavailable, actions refused, one probe a day until the 1st."""
    freezer.move_to("2026-12-10T08:00:00+00:00")
    fake_cloud.monthly_allowance = fake_cloud.month_requests  # another app spent the rest
    await tick(hass, freezer, 0)  # nine days on: every read is due, the first gets 30007
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.front_door_battery").state == STATE_UNAVAILABLE
    exhausted = issue(hass, "allowance_exhausted")
    assert exhausted is not None
    assert exhausted.translation_placeholders["reset"] == "2026-12-31 08:00"  # in US/Pacific
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "list_passcodes",
            {},
            target={"device_id": _front_device(hass, init_integration)},
            blocking=True,
            return_response=True,
        )
    assert caught.value.translation_key == "cloud_monthly_limit"
    assert caught.value.translation_placeholders["reset"] == "2026-12-31 08:00"

    sent = sum(fake_cloud.requests.values())
    for _ in range(23):
        await tick(hass, freezer, 3600)
    assert sum(fake_cloud.requests.values()) == sent  # nothing goes out
    for _ in range(2):
        await tick(hass, freezer, 3600)
    assert sum(fake_cloud.requests.values()) == sent + 1  # the day's probe

    freezer.move_to("2026-12-31T16:00:30+00:00")  # January in Beijing: a new allowance
    fake_cloud.monthly_allowance = 5000  # (December's was cut to what was spent)
    await until_called(hass, freezer, fake_cloud, "/v3/lockRecord/list")
    await tick(hass, freezer, 3600)
    assert hass.states.get("lock.front_door").state == "locked"
    assert issue(hass, "allowance_exhausted") is None


def _front_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    entity = er.async_get(hass).async_get("lock.front_door")
    assert entity is not None
    assert entity.device_id is not None
    return entity.device_id


async def test_projection_over_the_allowance(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """Another app already spent nearly everything: the user is told, reads slow down."""
    fake_cloud.set_month_requests(4990)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    allowance = mock_config_entry.runtime_data.allowance
    projection = issue(hass, "allowance_projection")
    assert projection is not None
    assert int(projection.translation_placeholders["used"]) >= 4990
    assert allowance.plan.lock_list == timedelta(days=1)
    # A bigger plan: the entry reloads with room again.
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_MONTHLY_ALLOWANCE: 50_000},
    )
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, "allowance_projection") is None
    assert mock_config_entry.runtime_data.allowance.plan.lock_list == timedelta(hours=1)


@pytest.mark.parametrize("already_used", [0, 2500])
async def test_a_month_stays_within_the_allowance(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    already_used: int,
) -> None:
    """A month compressed in simulated time never reaches a 30007.

    The cloud enforces the allowance for real. Pushes start on day 5, stop on day 12
    (the safety reads find what they missed and polling resumes), start again on day 18;
    the allowance is lowered to 4,500 on day 20; someone locks and unlocks the front door three
    times a day, and the garage is used (by Bluetooth) every evening.
    """
    freezer.move_to(MONTH_BEGINS)
    fake_cloud.monthly_allowance = 5000
    fake_cloud.set_month_requests(already_used)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door").lock_id
    garage = lock_named(fake_cloud, "Garage").lock_id
    allowance = mock_config_entry.runtime_data.allowance
    step = timedelta(minutes=5)
    moment = MONTH_BEGINS
    end = MONTH_BEGINS + timedelta(days=31)
    while moment < end - step:
        moment += step
        freezer.move_to(moment)
        await tick(hass, freezer, 0)
        day, minute = divmod(int((moment - MONTH_BEGINS).total_seconds() // 60), 24 * 60)
        if day == 20 and minute == 0:
            fake_cloud.monthly_allowance = 4500
            hass.config_entries.async_update_entry(
                mock_config_entry,
                options={**mock_config_entry.options, CONF_MONTHLY_ALLOWANCE: 4500},
            )
        if minute in (8 * 60, 13 * 60, 19 * 60):
            pushes = 5 <= day < 12 or day >= 18
            state = LockState.UNLOCKED if minute == 13 * 60 else LockState.LOCKED
            if pushes:
                await push_state(client, fake_cloud, front, state)
                await hass.async_block_till_done()  # its confirmation, before time jumps
            else:
                fake_cloud.set_lock_state(front, state)
        if minute == 19 * 60:
            fake_cloud.set_lock_state(garage, LockState.UNLOCKED, username="Alice")
        assert not allowance.ledger.exhausted(), f"30007 on day {day}"
    assert fake_cloud.month_requests <= 4500
    assert allowance.ledger.used == fake_cloud.month_requests
    # Each push confirmed by a read paid from the plan (never past the allowance); on a
    # month already half spent, the last may still wait for its read.
    confirmations = mock_config_entry.runtime_data.pushes.as_dict()
    assert confirmations["pushed"] == 60
    assert confirmations["unconfirmed"] == 0
    assert confirmations["confirmed"] + confirmations["waiting"] == 60
    assert confirmations["waiting"] <= 1
    assert confirmations["reads"] <= 60
    # The last change shows once its read is paid (it may still wait at the month's end).
    last = "locked" if not confirmations["waiting"] else "unlocked"
    assert hass.states.get("lock.front_door").state == last
    # Both halves of the month were spent on something useful: polling while no push came.
    assert allowance.ledger.by_path["/v3/lockRecord/list"] > 100
