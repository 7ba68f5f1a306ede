"""Config flow of TTLock Access: every step, error, abort, reauth, reconfigure and option."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.api import SERVERS
from custom_components.ttlock_access.config_flow import _base_url
from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_MONTHLY_ALLOWANCE,
    CONF_PASSCODE_QUOTA_LIMITED,
    CONF_PASSWORD,
    CONF_PASSWORD_MD5,
    CONF_SERVER,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SECTION_ADVANCED,
    SERVER_CUSTOM,
)
from simulator.cloud import FakeTTLockCloud
from simulator.demo import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME
from simulator.state import FakeAccount


def user_input(cloud_url: str, **overrides: Any) -> dict[str, Any]:
    """A filled-in credentials form pointing at the fake cloud (advanced section)."""
    data: dict[str, Any] = {
        CONF_SERVER: "eu",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        CONF_USERNAME: DEMO_USERNAME,
        CONF_PASSWORD: DEMO_PASSWORD,
        SECTION_ADVANCED: {CONF_BASE_URL: cloud_url + "/"},
    }
    data.update(overrides)
    return data


async def test_user_flow(hass: HomeAssistant, cloud_url: str, demo_account: FakeAccount) -> None:
    """The account logs in and an entry is created with the hash, tokens and a webhook."""
    await async_process_ha_core_config(hass, {"external_url": "https://ha.example.com"})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == DEMO_USERNAME
    assert result["result"].unique_id == str(demo_account.uid)
    data = result["data"]
    assert data[CONF_SERVER] == SERVER_CUSTOM
    assert data[CONF_BASE_URL] == cloud_url
    assert data[CONF_PASSWORD_MD5] == demo_account.password_md5
    assert CONF_PASSWORD not in data
    assert DEMO_PASSWORD not in str(data)
    assert data[CONF_TOKEN]["uid"] == demo_account.uid
    webhook_id = data[CONF_WEBHOOK_ID]
    assert result["description_placeholders"] == {
        "webhook_url": f"https://ha.example.com/api/webhook/{webhook_id}"
    }
    assert result["options"] == {CONF_MONTHLY_ALLOWANCE: 5000, CONF_PASSCODE_QUOTA_LIMITED: True}
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("fault", "field", "error"),
    [
        ({"errcode": 10001}, "base", "invalid_client"),
        ({"errcode": 10007}, "base", "invalid_auth"),
        ({"errcode": 30008}, CONF_SERVER, "wrong_region"),
        ({"errcode": 30006}, "base", "rate_limited"),
        ({"http_status": 503}, "base", "cannot_connect"),
        ({"malformed": True}, "base", "cannot_connect"),
        ({"errcode": -4063}, "base", "unknown"),
    ],
)
async def test_user_flow_errors(  # noqa: PLR0917
    hass: HomeAssistant,
    cloud_url: str,
    fake_cloud: FakeTTLockCloud,
    demo_account: FakeAccount,
    fault: dict[str, Any],
    field: str,
    error: str,
) -> None:
    """Each failure is shown on the form, the form keeps the input, and a retry works."""
    fake_cloud.fail_next("/oauth2/token", **fault)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if getattr(key, "description", None)
    }
    assert suggested[CONF_USERNAME] == DEMO_USERNAME
    assert suggested["client_id"] == CLIENT_ID

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_wrong_password(
    hass: HomeAssistant, cloud_url: str, demo_account: FakeAccount
) -> None:
    """A wrong password is invalid_auth."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url, **{CONF_PASSWORD: "nope"})
    )
    assert result["errors"] == {"base": "invalid_auth"}


async def test_user_flow_already_configured(
    hass: HomeAssistant, cloud_url: str, mock_config_entry: MockConfigEntry
) -> None:
    """The same account cannot be added twice."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


def test_base_url_choice() -> None:
    """A region maps to its server unless a custom URL is given."""
    assert _base_url({CONF_SERVER: "cn", SECTION_ADVANCED: {}}) == ("cn", SERVERS["cn"])
    assert _base_url({CONF_SERVER: "eu"}) == ("eu", SERVERS["eu"])
    assert _base_url(
        {CONF_SERVER: "eu", SECTION_ADVANCED: {CONF_BASE_URL: "https://x.example/"}}
    ) == (SERVER_CUSTOM, "https://x.example")


async def test_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    demo_account: FakeAccount,
) -> None:
    """A changed password is asked for, checked, and stored as a hash with new tokens."""
    entry = init_integration
    demo_account.password_md5 = "0" * 32  # the password changed in the TTLock app
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"][CONF_USERNAME] == DEMO_USERNAME

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    import hashlib  # noqa: PLC0415

    demo_account.password_md5 = hashlib.md5(b"new-password").hexdigest()
    old_token = entry.data[CONF_TOKEN]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD_MD5] == demo_account.password_md5
    assert entry.data[CONF_TOKEN] != old_token
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_wrong_account(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Credentials of another account abort the reauth."""
    hass.config_entries.async_update_entry(mock_config_entry, unique_id="424242")
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    cloud_url: str,
    fake_cloud: FakeTTLockCloud,
) -> None:
    """The connection is changed for the same account; errors keep the form."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    fake_cloud.fail_next("/oauth2/token", http_status=500)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url)
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud_url, client_id=f" {CLIENT_ID} ")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_BASE_URL] == cloud_url
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_never_sends_the_secret_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, cloud_url: str
) -> None:
    """The form suggests the stored values but the secret; left empty, it is kept."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested["client_id"] == CLIENT_ID
    assert suggested["client_secret"] is None
    assert suggested[CONF_PASSWORD] is None
    assert CLIENT_SECRET not in str(result)
    # A failed attempt shows the form again: still without what was typed as a secret.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(cloud_url, client_secret="typo-secret", **{CONF_PASSWORD: "nope"}),
    )
    assert result["errors"] == {"base": "invalid_client"}
    assert "typo-secret" not in str(result)
    form = user_input(cloud_url)
    del form["client_secret"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["client_secret"] == CLIENT_SECRET


async def test_reconfigure_other_account(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    cloud_url: str,
) -> None:
    """Another account's credentials abort the reconfiguration."""
    fake_cloud.add_account("other@example.com", "other-password")
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_SERVER: "eu"}
    )
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            cloud_url, **{CONF_USERNAME: "other@example.com", CONF_PASSWORD: "other-password"}
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_options(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The allowance and quota setting are saved, the entry reloads and plans with them."""
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["description_placeholders"]["webhook_url"].endswith(
        f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MONTHLY_ALLOWANCE: 20000.0, CONF_PASSCODE_QUOTA_LIMITED: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_MONTHLY_ALLOWANCE: 20000, CONF_PASSCODE_QUOTA_LIMITED: False}
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.allowance.allowance == 20000
    assert entry.runtime_data.allowance.facts.allowance == 20000
    assert hass.states.get("sensor.front_door_passcodes_remaining_this_month") is None or (
        hass.states.get("sensor.front_door_passcodes_remaining_this_month").state == "unavailable"
    )


async def test_options_out_of_bounds(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An allowance below 500 calls a month is refused."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_MONTHLY_ALLOWANCE: 5, CONF_PASSCODE_QUOTA_LIMITED: True}
        )


async def test_options_cloudhook(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """With Home Assistant Cloud, the callback URL is a cloudhook."""
    fake_cloud_module = ModuleType("homeassistant.components.cloud")
    fake_cloud_module.async_active_subscription = MagicMock(return_value=True)  # type: ignore[attr-defined]
    fake_cloud_module.async_get_or_create_cloudhook = AsyncMock(  # type: ignore[attr-defined]
        return_value="https://hooks.nabu.casa/abc"
    )
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": fake_cloud_module}):
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["description_placeholders"] == {"webhook_url": "https://hooks.nabu.casa/abc"}
