"""The one mapping from the client's errors to Home Assistant's, and what is worth retrying.

Three places meet cloud failures, each with its own wording (translation keys): the
coordinators' reads (``update_error``: entities unavailable, reauth on a refused login),
the entities' commands (``command_error``, naming the device), and the passcode actions
and guest access (``cloud_error``, naming the lock). Whether a failure is worth another
try is a property of the exception (``is_retryable``), the same everywhere.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .allowance import allowance_reset_text
from .api import (
    TTLockAuthError,
    TTLockConnectionError,
    TTLockCredentialLimitError,
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
from .const import DOMAIN, MONTHLY_LIMIT_RETRY_AFTER, RATE_LIMIT_RETRY_AFTER

# Out of reach for now: the cloud, the lock or its gateway, the rate or monthly limit.
_RETRYABLE: Final = (
    TTLockConnectionError,
    TTLockServerError,
    TTLockRateLimitError,
    TTLockUnreachableError,
)
# Failures after which the cloud may have carried a write out all the same (answer lost).
IN_DOUBT: Final = (TTLockConnectionError, TTLockServerError)


def is_retryable(err: TTLockError) -> bool:
    """Whether the same request may succeed later without anyone doing anything."""
    return isinstance(err, _RETRYABLE)


def start_reauth_if_needed(hass: HomeAssistant, entry: ConfigEntry[Any], err: TTLockError) -> None:
    """Start reauth on a refused login (an expired token the client renews by itself)."""
    if isinstance(err, TTLockAuthError):
        entry.async_start_reauth(hass)


# ---- reads (coordinators) ------------------------------------------------------------


def update_error(err: TTLockError) -> Exception:
    """Map a client error to what a coordinator raises."""
    if isinstance(err, TTLockAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
    if isinstance(err, TTLockRateLimitError) and err.monthly:
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="monthly_limit",
            translation_placeholders={"reset": allowance_reset_text(err)},
            retry_after=MONTHLY_LIMIT_RETRY_AFTER,
        )
    if isinstance(err, TTLockRateLimitError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            retry_after=RATE_LIMIT_RETRY_AFTER,
        )
    if isinstance(err, TTLockConnectionError):
        key = "cannot_connect"
    elif isinstance(err, TTLockServerError):
        key = "server_error"
    else:
        key = "update_failed"
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders={"error": str(err)}
    )


# ---- commands (entities) -------------------------------------------------------------


def command_error(err: TTLockError, name: str) -> HomeAssistantError:
    """Return a translated error for a failed command on the device ``name``."""
    if isinstance(err, TTLockUnreachableError):
        key = "device_unreachable"
    elif isinstance(err, TTLockNotSupportedError):
        key = "not_supported"
    elif isinstance(err, TTLockPermissionError):
        key = "permission_denied"
    elif isinstance(err, TTLockNotFoundError):
        key = "device_not_found"
    elif isinstance(err, TTLockInvalidParameterError):
        key = "command_invalid_value"
    elif isinstance(err, TTLockRateLimitError) and err.monthly:
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_monthly_limit",
            translation_placeholders={"name": name, "reset": allowance_reset_text(err)},
        )
    elif isinstance(err, TTLockRateLimitError):
        key = "command_rate_limited"
    elif isinstance(err, TTLockAuthError):
        key = "command_auth_failed"
    elif isinstance(err, (TTLockConnectionError, TTLockServerError)):
        key = "command_cannot_connect"
    else:
        key = "command_failed"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"name": name, "error": str(err)},
    )


# ---- passcode actions and guest access -------------------------------------------------

_CLOUD_ERRORS: Final[tuple[tuple[type[TTLockError], str], ...]] = (
    (TTLockAuthError, "cloud_auth_failed"),
    (TTLockRateLimitError, "cloud_rate_limited"),
    (TTLockUnreachableError, "cloud_lock_unreachable"),
    (TTLockNotFoundError, "cloud_not_found"),
    (TTLockInvalidParameterError, "cloud_invalid_parameter"),
    (TTLockNotSupportedError, "cloud_not_supported"),
    (TTLockCredentialLimitError, "cloud_credential_limit"),
    (TTLockPermissionError, "cloud_permission_denied"),
    (TTLockDuplicatePasscodeError, "code_in_use"),
    (TTLockPasscodeQuotaError, "cloud_passcode_quota"),
    (TTLockPeriodReusedError, "cloud_period_reused"),
    (TTLockPasscodeError, "cloud_passcode_refused"),
    (TTLockConnectionError, "cloud_connection_failed"),
    (TTLockServerError, "cloud_server_error"),
)


def cloud_error(err: TTLockError, lock_name: str = "") -> HomeAssistantError:
    """Return a translated Home Assistant error for a typed cloud failure."""
    key = next((key for cls, key in _CLOUD_ERRORS if isinstance(err, cls)), "cloud_error")
    placeholders = {"lock_name": lock_name, "error": str(err)}
    if isinstance(err, TTLockRateLimitError) and err.monthly:
        key = "cloud_monthly_limit"
        placeholders["reset"] = allowance_reset_text(err)
    if isinstance(err, TTLockDuplicatePasscodeError):
        return ServiceValidationError(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


# The cloud_error keys of failures worth another try (guest access retries on them).
RETRYABLE_CLOUD_KEYS: Final = frozenset(
    {key for cls, key in _CLOUD_ERRORS if issubclass(cls, _RETRYABLE)} | {"cloud_monthly_limit"}
)
# The cloud_error keys of failures after which a write may have happened all the same.
IN_DOUBT_CLOUD_KEYS: Final = frozenset(
    key for cls, key in _CLOUD_ERRORS if issubclass(cls, IN_DOUBT)
)
