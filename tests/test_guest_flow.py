"""The guest access binding: a config subentry flow (add and reconfigure)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import SUBENTRY_GUEST_BINDING
from simulator import FakeTTLockCloud

from .guest_common import (
    CALENDAR,
    StaysCalendar,
    async_setup_stays,
    binding_subentry,
    lock_named,
)

SENSOR = "sensor.flat_1_next_stay"


@pytest.fixture
async def stays(hass: HomeAssistant) -> StaysCalendar:
    return await async_setup_stays(hass)


def user_input(front: int, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Flat 1",
        "calendars": [CALENDAR],
        "locks": [str(front)],
        "days_before": 5,
        "margin": 30,
        "code_source": "random",
        "code_length": 6,
    } | changes


async def test_add_binding(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    stays: StaysCalendar,
    fake_cloud: FakeTTLockCloud,
    entity_registry: er.EntityRegistry,
) -> None:
    front = lock_named(fake_cloud, "Front door").lock_id
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_GUEST_BINDING), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    options = result["data_schema"].schema["locks"].config["options"]
    assert [option["label"] for option in options] == ["Back door", "Front door", "Garage"]

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, calendars=[], locks=[])
    )
    assert result["errors"] == {"calendars": "no_calendar", "locks": "no_lock"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, code_source="prefix", code_prefix="0x")
    )
    assert result["errors"] == {"code_prefix": "invalid_prefix"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, code_source="prefix", code_prefix="12345")
    )
    assert result["errors"] == {"code_prefix": "prefix_too_long"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, code_source="prefix", code_prefix="42")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Flat 1"
    assert result["data"] == {
        "calendars": [CALENDAR],
        "locks": [str(front)],
        "days_before": 5,
        "margin": 30,
        "code_source": "prefix",
        "code_prefix": "42",
        "code_length": 6,
        "fallback_offline": True,
        "turnover": "off",
        "cleaner": "Cleaning",
        "turnover_from": "11:00:00",
        "turnover_to": "16:00:00",
        "no_show_hours": 0,  # off unless chosen
    }
    await hass.async_block_till_done()  # the entry reloads with its new binding
    (subentry_id,) = init_integration.subentries
    assert hass.states.get(SENSOR) is not None
    entity = entity_registry.async_get(SENSOR)
    assert entity is not None
    assert entity.config_subentry_id == subentry_id


async def test_reconfigure_binding(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    stays: StaysCalendar,
    fake_cloud: FakeTTLockCloud,
) -> None:
    front = lock_named(fake_cloud, "Front door").lock_id
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_GUEST_BINDING), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front)
    )
    await hass.async_block_till_done()
    (subentry_id,) = init_integration.subentries
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_GUEST_BINDING),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, name="Flat 2", days_before=7, locks=[])
    )
    assert result["errors"] == {"locks": "no_lock"}
    turnover = {
        "turnover": "checkout_day",
        "cleaner": " Maria ",
        "turnover_from": "15:00:00",
        "turnover_to": "11:00:00",
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input(front, name="Flat 2", turnover=turnover)
    )
    assert result["errors"] == {"turnover": "turnover_hours"}
    turnover["turnover_to"] = "17:30:00"
    with pytest.raises(InvalidData):  # a no-show verdict at most 48 h after check-in
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], user_input(front, no_show_hours=49)
        )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        user_input(
            front,
            name="Flat 2",
            days_before=7,
            turnover=turnover,
            fallback_offline=False,
            no_show_hours=6,
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = init_integration.subentries[subentry_id]
    assert subentry.title == "Flat 2"
    assert subentry.data["days_before"] == 7
    assert {key: subentry.data[key] for key in (*turnover, "fallback_offline")} == {
        "turnover": "checkout_day",
        "cleaner": "Maria",
        "turnover_from": "15:00:00",
        "turnover_to": "17:30:00",
        "fallback_offline": False,
    }
    assert subentry.data["no_show_hours"] == 6


async def test_entry_not_loaded(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, SUBENTRY_GUEST_BINDING), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
    hass.config_entries.async_add_subentry(mock_config_entry, binding_subentry([1]))
    (subentry_id,) = mock_config_entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, SUBENTRY_GUEST_BINDING),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
