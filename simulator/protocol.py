"""The TTLock Open Platform as its official pages describe it: paths, limits, codes.

The simulator is the cloud's stand-in, not the client's mirror: everything it needs to
know about the protocol is written here from the official documentation (with the
project's notes in shared/ as the index), never imported from the client. If the client
gets a path, a page size, an errcode or an enum value wrong, the simulator disagrees and
the tests say so.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

TOKEN_PATH: Final = "/oauth2/token"

# Largest pageSize each list accepts (current DOC): lock/list and the meter lists 1000,
# the others 200.
MAX_PAGE_LOCKS: Final = 1000
MAX_PAGE_METERS: Final = 1000
MAX_PAGE: Final = 200

# Every /v3 call carries `date` (epoch ms); more than five minutes off gives 80000.
MAX_CLOCK_SKEW_MS: Final = 5 * 60 * 1000

# The 2026 monthly passcode quota has no documented errcode: the simulator answers this
# one (the client maps it; it only has to agree, which a test checks).
ERR_PASSCODE_QUOTA: Final = -3060

# featureValue bits (DOC lock/featureValue).
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


class LockSetting(IntEnum):
    """lock/updateSetting `type` (DOC lock/updateSetting); values 1 on / 2 off, volume 1-5."""

    PRIVACY_LOCK = 2
    TAMPER_ALERT = 3
    RESET_BUTTON = 4
    LOCK_SOUND = 6
    OPEN_DIRECTION = 7
    VOLUME = 8
    WIFI_POWER_SAVING = 10  # Bluetooth only
    DOOR_UNCLOSED_ALARM = 11


# The feature bit that makes each setting switchable (DOC lock/featureValue).
SETTING_FEATURES: Final = {
    LockSetting.PRIVACY_LOCK: FEATURE_PRIVACY_LOCK,
    LockSetting.TAMPER_ALERT: FEATURE_TAMPER_ALERT,
    LockSetting.RESET_BUTTON: FEATURE_RESET_BUTTON,
    LockSetting.LOCK_SOUND: FEATURE_SOUND,
    LockSetting.VOLUME: FEATURE_VOLUME,
}
# eKey keyStatus (DOC lock/listKey).
KEY_NORMAL: Final = "110401"
KEY_FROZEN: Final = "110405"

# A lock holds at most this many IC cards; one more is -4056 (DOC-CN identityCard/add).
MAX_CARDS: Final = 1000
# Card numbers as a reader gives them: decimal digits (DOC identityCard/add examples).
MAX_CARD_NUMBER_DIGITS: Final = 20

# lock/setAutoLockTime: 0 or -1 turns auto lock off; the upper bound is undocumented:
# the simulator takes the TTLock app's longest choice and answers -4082 beyond it.
MAX_AUTO_LOCK_SECONDS: Final = 900


class LockState(IntEnum):
    """lock/queryOpenState: state."""

    LOCKED = 0
    UNLOCKED = 1
    UNKNOWN = 2


class PasscodeType(IntEnum):
    """keyboardPwdType (keyboard password version 4)."""

    ONE_TIME = 1
    PERMANENT = 2
    PERIOD = 3
    ERASE = 4
    WEEKEND = 5
    DAILY = 6
    WORKDAY = 7
    MONDAY = 8
    TUESDAY = 9
    WEDNESDAY = 10
    THURSDAY = 11
    FRIDAY = 12
    SATURDAY = 13
    SUNDAY = 14


class PasscodeStatus(IntEnum):
    """lock/listKeyboardPwd: status."""

    NORMAL = 1
    INVALID = 2
    PENDING = 3
    ADDING = 4
    ADD_FAILED = 5
    MODIFYING = 6
    MODIFY_FAILED = 7
    DELETING = 8
    DELETE_FAILED = 9


class RecordType(IntEnum):
    """lockRecord/list: recordType (the ones the simulator makes)."""

    APP_UNLOCK = 1
    PASSCODE_UNLOCK = 4
    IC_CARD_UNLOCK = 7
    FINGERPRINT_UNLOCK = 8
    MECHANICAL_KEY_UNLOCK = 10
    APP_LOCK = 11
    GATEWAY_UNLOCK = 12
    INSIDE_UNLOCK = 32
    AUTO_LOCK = 45
    LOCK_BUTTON = 47
    SYSTEM_LOCKED = 48  # locked out after repeated bad passcodes, cards or fingerprints
