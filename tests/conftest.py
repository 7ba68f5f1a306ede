"""Shared fixtures.

The integration package is imported first: pytest-homeassistant-custom-component points
Home Assistant at its own testing config, whose ``custom_components`` package would
otherwise shadow this repository's.
"""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import PropertyMock, patch

import aiohttp
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.ttlock_access  # noqa: F401  # must come before HA loads integrations
from custom_components.ttlock_access.api import Token, TTLockClient
from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_MONTHLY_ALLOWANCE,
    CONF_PASSCODE_QUOTA_LIMITED,
    CONF_PASSWORD_MD5,
    CONF_SERVER,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SERVER_CUSTOM,
)
from simulator.demo import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME
from simulator.state import FakeAccount

pytest_plugins = ["tests.cloud_fixtures", "tests.guest_fixtures"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Generator[None]:
    """Let Home Assistant load custom integrations in every test."""
    return


# --- Home Assistant side: a config entry of the demo account and the loaded integration ---

# Deterministic ids so snapshots and diagnostics stay stable.
ENTRY_ID = "01JTTLOCKACCESSDEMOENTRY00"
WEBHOOK_ID = "ttlock-test-webhook-id"


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def platforms() -> list[Platform] | None:
    """Platforms to set up (None: all); a test module overrides this."""
    return None


@pytest.fixture
async def demo_token(cloud_url: str, demo_account: FakeAccount) -> Token:
    """A token of the demo account, from a real login on the fake cloud."""
    async with aiohttp.ClientSession() as session:
        client = TTLockClient(session, CLIENT_ID, CLIENT_SECRET, base_url=cloud_url)
        return await client.login(DEMO_USERNAME, TTLockClient.hash_password(DEMO_PASSWORD))


@pytest.fixture
def mock_config_entry(hass: HomeAssistant, cloud_url: str, demo_token: Token) -> MockConfigEntry:
    """A config entry of the demo account, as the config flow creates it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_USERNAME,
        unique_id=str(demo_token.uid),
        entry_id=ENTRY_ID,
        data={
            CONF_SERVER: SERVER_CUSTOM,
            CONF_BASE_URL: cloud_url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_USERNAME: DEMO_USERNAME,
            CONF_PASSWORD_MD5: TTLockClient.hash_password(DEMO_PASSWORD),
            CONF_TOKEN: demo_token.as_dict(),
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
        options={CONF_MONTHLY_ALLOWANCE: 5000, CONF_PASSCODE_QUOTA_LIMITED: True},
        minor_version=2,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, platforms: list[Platform] | None
) -> MockConfigEntry:
    """Set the demo account up through the config entries API."""
    if platforms is None:
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    else:
        with patch("custom_components.ttlock_access.PLATFORMS", platforms):
            assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's extension (registry ids as ANY, tests/snapshots/)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
