"""Switch (passage mode, electricity supply) and valve (water supply) of TTLock Access."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_CLOSE_VALVE,
    SERVICE_OPEN_VALVE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.cloud import FakeTTLockCloud


@pytest.fixture
def platforms(request: pytest.FixtureRequest) -> list[Platform]:
    """The platform under test (switch unless parametrised)."""
    return [getattr(request, "param", Platform.SWITCH)]


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platforms", [Platform.SWITCH, Platform.VALVE], indirect=True)
async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The switch and valve entities."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_passage_mode(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Passage mode turns on and off through the gateway."""
    entity_id = "switch.front_door_passage_mode"
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "on"
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "off"


async def test_passage_mode_gateway_offline(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """A refused change raises a translated error."""
    fake_cloud.fail_next("/v3/lock/configPassageMode", errcode=-3002)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch",
            SERVICE_TURN_ON,
            {ATTR_ENTITY_ID: "switch.front_door_passage_mode"},
            blocking=True,
        )
    assert err.value.translation_key == "device_unreachable"


async def test_supply(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The electricity supply switches off and on."""
    entity_id = "switch.flat_1_electricity_power_supply"
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "off"
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "on"


@pytest.mark.parametrize("platforms", [Platform.VALVE], indirect=True)
async def test_valve(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The water valve closes and opens."""
    entity_id = "valve.flat_1_water_water_supply"
    await hass.services.async_call(
        "valve", SERVICE_CLOSE_VALVE, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "closed"
    await hass.services.async_call(
        "valve", SERVICE_OPEN_VALVE, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert hass.states.get(entity_id).state == "open"
