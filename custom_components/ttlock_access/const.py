"""Constants of the TTLock Access integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "ttlock_access"
LOGGER = logging.getLogger(__package__)
MANUFACTURER: Final = "TTLock"

# Config entry data
CONF_SERVER: Final = "server"  # "eu" | "cn" | "global" | "custom"
CONF_BASE_URL: Final = "base_url"  # the resolved API URL (custom in advanced mode)
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"  # only ever in a flow form, never stored
CONF_PASSWORD_MD5: Final = "password_md5"
CONF_TOKEN: Final = "token"  # Token.as_dict()
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"

SERVER_CUSTOM: Final = "custom"
SECTION_ADVANCED: Final = "advanced"

# Config entry options
CONF_MONTHLY_ALLOWANCE: Final = "monthly_allowance"  # API calls a month (the developer plan)
CONF_PASSCODE_QUOTA_LIMITED: Final = "passcode_quota_limited"
DEFAULT_MONTHLY_ALLOWANCE: Final = 5000  # what users report for a free developer account
MIN_MONTHLY_ALLOWANCE: Final = 500
MAX_MONTHLY_ALLOWANCE: Final = 100_000_000
DEFAULT_PASSCODE_QUOTA_LIMITED: Final = True
# Removed in config entry version 1.2: the allowance planner chooses the polling.
CONF_SCAN_INTERVAL_REMOVED: Final = "scan_interval"

# Back-off when the developer account hits its call limits.
RATE_LIMIT_RETRY_AFTER: Final = 300.0  # 30006: per-minute frequency limit
MONTHLY_LIMIT_RETRY_AFTER: Final = 6 * 3600.0  # 30007: monthly allowance used up

# Cloud record types that say the bolt did not reach its position (unlock/lock timeout).
JAMMED_RECORD_TYPES: Final = frozenset({65, 66})

# Device identifiers
DEVICE_LOCK: Final = "lock"
DEVICE_GATEWAY: Final = "gateway"
DEVICE_ELECTRIC_METER: Final = "electric_meter"
DEVICE_WATER_METER: Final = "water_meter"

# Guest access: config subentries binding calendars to locks (guest_access.py)
SUBENTRY_GUEST_BINDING: Final = "guest_binding"
CONF_CALENDARS: Final = "calendars"
CONF_LOCKS: Final = "locks"
CONF_DAYS_BEFORE: Final = "days_before"
CONF_MARGIN: Final = "margin"
CONF_CODE_SOURCE: Final = "code_source"
CONF_CODE_PREFIX: Final = "code_prefix"
CONF_CODE_LENGTH: Final = "code_length"
DEFAULT_DAYS_BEFORE: Final = 5
MIN_DAYS_BEFORE: Final = 1
MAX_DAYS_BEFORE: Final = 14
DEFAULT_CODE_LENGTH: Final = 6
# Turnover (cleaning) codes between two stays, and offline codes when custom ones fail.
CONF_TURNOVER: Final = "turnover"  # section of the binding form, and the mode within it
CONF_CLEANER: Final = "cleaner"
CONF_TURNOVER_FROM: Final = "turnover_from"
CONF_TURNOVER_TO: Final = "turnover_to"
CONF_FALLBACK_OFFLINE: Final = "fallback_offline"
DEFAULT_CLEANER: Final = "Cleaning"
DEFAULT_TURNOVER_FROM: Final = "11:00:00"
DEFAULT_TURNOVER_TO: Final = "16:00:00"
DEFAULT_FALLBACK_OFFLINE: Final = True
EVENT_GUEST_CODE_CREATED: Final = f"{DOMAIN}_guest_code_created"
EVENT_GUEST_CODE_FAILED: Final = f"{DOMAIN}_guest_code_failed"
EVENT_GUEST_CODE_REVOKED: Final = f"{DOMAIN}_guest_code_revoked"
EVENT_GUEST_CODE_LEFT_ON_LOCK: Final = f"{DOMAIN}_guest_code_left_on_lock"
EVENT_TURNOVER_CODE_CREATED: Final = f"{DOMAIN}_turnover_code_created"
# Arrivals (arrivals.py): a stay's first use, a no-show, a use after check-out.
CONF_NO_SHOW_HOURS: Final = "no_show_hours"
DEFAULT_NO_SHOW_HOURS: Final = 0  # off: a verdict the host asks for, not a default alarm
MAX_NO_SHOW_HOURS: Final = 48
EVENT_GUEST_ARRIVED: Final = f"{DOMAIN}_guest_arrived"
EVENT_GUEST_NO_SHOW: Final = f"{DOMAIN}_guest_no_show"
EVENT_GUEST_CODE_USED_AFTER_CHECKOUT: Final = f"{DOMAIN}_guest_code_used_after_checkout"
# A lock refused a credential, or locked itself out after several (failed_attempt_watch.py)
EVENT_FAILED_ATTEMPT: Final = f"{DOMAIN}_failed_attempt"
