"""errors.py: the one mapping from client errors to Home Assistant's, and retries."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.api import (
    TTLockAuthError,
    TTLockConnectionError,
    TTLockDuplicatePasscodeError,
    TTLockError,
    TTLockInvalidParameterError,
    TTLockNotFoundError,
    TTLockNotSupportedError,
    TTLockPasscodeError,
    TTLockPasscodeQuotaError,
    TTLockPeriodReusedError,
    TTLockPermissionError,
    TTLockRateLimitError,
    TTLockServerError,
    TTLockUnreachableError,
)
from custom_components.ttlock_access.errors import (
    IN_DOUBT_CLOUD_KEYS,
    RETRYABLE_CLOUD_KEYS,
    cloud_error,
    is_retryable,
)
from simulator import FakeTTLockCloud


@pytest.mark.parametrize(
    ("err", "key", "validation"),
    [
        (TTLockAuthError("x"), "cloud_auth_failed", False),
        (TTLockRateLimitError("x"), "cloud_rate_limited", False),
        (TTLockUnreachableError("x"), "cloud_lock_unreachable", False),
        (TTLockNotFoundError("x"), "cloud_not_found", False),
        (TTLockInvalidParameterError("x"), "cloud_invalid_parameter", False),
        (TTLockNotSupportedError("x"), "cloud_not_supported", False),
        (TTLockPermissionError("x"), "cloud_permission_denied", False),
        (TTLockDuplicatePasscodeError("x"), "code_in_use", True),
        (TTLockPasscodeQuotaError("x"), "cloud_passcode_quota", False),
        (TTLockPeriodReusedError("x"), "cloud_period_reused", False),
        (TTLockPasscodeError("x"), "cloud_passcode_refused", False),
        (TTLockConnectionError("x"), "cloud_connection_failed", False),
        (TTLockServerError("x"), "cloud_server_error", False),
        (TTLockError("x"), "cloud_error", False),
    ],
)
def test_cloud_error(err: TTLockError, key: str, validation: bool) -> None:
    mapped = cloud_error(err, "Front door")
    assert isinstance(mapped, HomeAssistantError)
    assert isinstance(mapped, ServiceValidationError) is validation
    assert mapped.translation_key == key
    assert mapped.translation_placeholders == {"lock_name": "Front door", "error": "x"}


def test_retryable_is_one_rule() -> None:
    """The keys guest access retries on are exactly those of retryable errors."""
    assert {
        "cloud_rate_limited",
        "cloud_monthly_limit",
        "cloud_lock_unreachable",
        "cloud_connection_failed",
        "cloud_server_error",
    } == RETRYABLE_CLOUD_KEYS
    assert {"cloud_connection_failed", "cloud_server_error"} == IN_DOUBT_CLOUD_KEYS
    errors = [
        TTLockAuthError("x"),
        TTLockRateLimitError("x"),
        TTLockUnreachableError("x"),
        TTLockNotFoundError("x"),
        TTLockInvalidParameterError("x"),
        TTLockNotSupportedError("x"),
        TTLockPermissionError("x"),
        TTLockDuplicatePasscodeError("x"),
        TTLockPasscodeQuotaError("x"),
        TTLockPasscodeError("x"),
        TTLockConnectionError("x"),
        TTLockServerError("x"),
        TTLockError("x"),
    ]
    for err in errors:
        key = cloud_error(err).translation_key
        assert (key in RETRYABLE_CLOUD_KEYS) is is_retryable(err), key


async def test_refused_login_in_a_command_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """The account's password changed: the command fails clearly and reauth begins."""
    fake_cloud.fail_next("/v3/lock/unlock", errcode=10007)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "lock", "unlock", {"entity_id": "lock.front_door"}, blocking=True
        )
    assert err.value.translation_key == "command_auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
