"""Lock platform of TTLock Access."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator.cloud import FakeTTLockCloud

from .test_init import lock_named


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the lock platform."""
    return [Platform.LOCK]


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The lock entities."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_lock_unlock(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Unlock and lock go through the cloud and show at once."""
    front = lock_named(fake_cloud, "Front door")
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
    )
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert front.state == 1
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
    )
    assert hass.states.get("lock.front_door").state == "locked"
    assert front.state == 0


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ({"errcode": -3002}, "device_unreachable"),
        ({"errcode": -4043}, "not_supported"),
        ({"errcode": -2018}, "permission_denied"),
        ({"errcode": -1003}, "device_not_found"),
        ({"errcode": 30006}, "command_rate_limited"),
        ({"errcode": 10007}, "command_auth_failed"),
        ({"http_status": 500}, "command_cannot_connect"),
        ({"errcode": -3}, "command_invalid_value"),
    ],
)
async def test_command_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    fault: dict[str, int],
    key: str,
) -> None:
    """A refused command raises a translated error and leaves the state alone."""
    fake_cloud.fail_next("/v3/lock/unlock", **fault)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
        )
    assert err.value.translation_key == key
    assert err.value.translation_placeholders["name"] == "Front door"
    assert hass.states.get("lock.front_door").state == "locked"
