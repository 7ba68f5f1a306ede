"""Diagnostics of TTLock Access."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ttlock_access.const import DOMAIN
from simulator.demo import DEMO_USERNAME

EXCLUDE = props("created_at", "modified_at", "entry_id", "base_url", "expires_at")


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
async def test_entry_diagnostics(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Entry diagnostics hide secrets, tokens, codes and addresses."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = str(result)
    assert DEMO_USERNAME not in text
    assert "access_token" not in text or "**REDACTED**" in text
    assert init_integration.data["password_md5"] not in text
    assert result == snapshot(exclude=EXCLUDE)


@pytest.mark.freeze_time("2026-06-15 10:00:00+00:00")
async def test_device_diagnostics(  # noqa: PLR0917
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each device has its own diagnostics."""
    results = {}
    for device in sorted(
        dr.async_entries_for_config_entry(device_registry, init_integration.entry_id),
        key=lambda device: device.name or "",
    ):
        results[device.name] = await get_diagnostics_for_device(
            hass, hass_client, init_integration, device
        )
    foreign = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={("other", "x"), (DOMAIN, "junk")}
    )
    results["foreign"] = await get_diagnostics_for_device(
        hass, hass_client, init_integration, foreign
    )
    assert results == snapshot(exclude=EXCLUDE)
