"""Constants of the TTLock Open Platform cloud API (v3)."""

from __future__ import annotations

from typing import Final

# Regional API servers. Accounts outside mainland China live on "eu", mainland China on
# "cn"; the wrong one answers errcode 30008. "global" is the legacy host.
SERVERS: Final[dict[str, str]] = {
    "eu": "https://euapi.ttlock.com",
    "cn": "https://cnapi.ttlock.com",
    "global": "https://api.ttlock.com",
}
DEFAULT_SERVER: Final = "eu"

TOKEN_PATH: Final = "/oauth2/token"
# The application's request count of the month (official page getAppMonthRequestCount).
MONTH_REQUEST_COUNT_PATH: Final = "/app/getMonthRequestCount"

# Largest page each list endpoint accepts (official documentation).
PAGE_SIZE_LOCKS: Final = 1000
PAGE_SIZE_GATEWAYS: Final = 200
# List order, which the official pages mark required on some lists: 1 = newest first.
ORDER_NEWEST_FIRST: Final = 1
PAGE_SIZE_PASSCODES: Final = 200
PAGE_SIZE_RECORDS: Final = 200
PAGE_SIZE_CARDS: Final = 200
PAGE_SIZE_FINGERPRINTS: Final = 200
PAGE_SIZE_KEYS: Final = 200  # lock/listKey
PAGE_SIZE_METERS: Final = 1000

# The cloud refuses a request whose ``date`` is more than five minutes off.
MAX_CLOCK_SKEW_MS: Final = 5 * 60 * 1000

# Refresh the access token this long before it expires.
TOKEN_REFRESH_MARGIN_S: Final = 24 * 3600

# Errcodes the client acts on. The full mapping to exceptions is in errors.py.
ERR_INVALID_TOKEN: Final = 10003
ERR_EXPIRED_TOKEN: Final = 10004
ERR_INVALID_REFRESH_TOKEN: Final = 10011
ERR_MONTHLY_LIMIT: Final = 30007  # the application's monthly allowance is used up

# The 2026 monthly passcode quota has no documented errcode; the simulator answers this one
# and the client maps it to TTLockPasscodeQuotaError. The integration refuses before the
# cloud does, so the real value matters little.
ERR_PASSCODE_QUOTA: Final = -3060

# Lock feature bits (featureValue is a hex string of a big integer).
FEATURE_PASSCODE: Final = 0
FEATURE_IC_CARD: Final = 1
FEATURE_FINGERPRINT: Final = 2
FEATURE_AUTO_LOCK: Final = 4
FEATURE_LOCK_COMMAND: Final = 8
FEATURE_GATEWAY_UNLOCK: Final = 10
FEATURE_CYCLIC_PASSCODE: Final = 12
FEATURE_DOOR_SENSOR: Final = 13
FEATURE_SOUND: Final = 15
FEATURE_PASSAGE_MODE: Final = 22
FEATURE_TAMPER_ALERT: Final = 28
FEATURE_RESET_BUTTON: Final = 29
FEATURE_PRIVACY_LOCK: Final = 30
FEATURE_VOLUME: Final = 43
FEATURE_WIFI: Final = 56
