"""Typed models of what the TTLock cloud returns.

Each model has a ``from_api`` constructor that reads the cloud's JSON item and tolerates
what real answers do: numbers sent as strings, flags as 0/1, optional fields missing.
Times are timezone-aware UTC datetimes here; the wire carries epoch milliseconds.

Why this module is over 400 lines: one small dataclass per cloud object, side by side so
the wire's conventions (flags, strings for numbers, milliseconds) are read one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
import json
from typing import Any

from .const import (
    FEATURE_AUTO_LOCK,
    FEATURE_DOOR_SENSOR,
    FEATURE_FINGERPRINT,
    FEATURE_GATEWAY_UNLOCK,
    FEATURE_IC_CARD,
    FEATURE_LOCK_COMMAND,
    FEATURE_PASSAGE_MODE,
    FEATURE_PASSCODE,
    FEATURE_PRIVACY_LOCK,
    FEATURE_RESET_BUTTON,
    FEATURE_SOUND,
    FEATURE_TAMPER_ALERT,
    FEATURE_VOLUME,
    FEATURE_WIFI,
)

type JSON = Mapping[str, Any]


def ms_to_datetime(value: Any) -> datetime | None:
    """Epoch milliseconds (int or numeric string) to an aware datetime; 0/None -> None."""
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def datetime_to_ms(value: datetime) -> int:
    """Convert an aware datetime to epoch milliseconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return int(value.timestamp() * 1000)


def _int(value: Any, default: int = 0) -> int:
    if value in (None, ""):
        return default
    return int(float(value))


def _opt_int(value: Any) -> int | None:
    return None if value in (None, "") else int(float(value))


def _opt_float(value: Any) -> float | None:
    """Meter figures come as strings such as "12.50" or "0.00kWh"."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = value.strip().removesuffix("kWh").removesuffix("m³").removesuffix("m3")
    try:
        return float(value)
    except TypeError, ValueError:
        return None


def _flag(value: Any) -> bool:
    return _int(value) == 1


@dataclass(frozen=True, slots=True)
class Token:
    """An access token of one TTLock account."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    uid: int | None = None

    @classmethod
    def from_api(cls, data: JSON, *, now: datetime, uid: int | None = None) -> Token:
        """Build from the token endpoint's answer, received at ``now``."""
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=datetime.fromtimestamp(
                now.timestamp() + _int(data.get("expires_in"), 7776000), UTC
            ),
            uid=_opt_int(data.get("uid")) if data.get("uid") is not None else uid,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form, for storing in a config entry."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
            "uid": self.uid,
        }

    @classmethod
    def from_dict(cls, data: JSON) -> Token:
        """Inverse of ``as_dict``."""
        return cls(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=datetime.fromisoformat(data["expires_at"]),
            uid=data.get("uid"),
        )


class LockState(IntEnum):
    """Answer of /v3/lock/queryOpenState."""

    LOCKED = 0
    UNLOCKED = 1
    UNKNOWN = 2


@dataclass(frozen=True, slots=True)
class Lock:
    """An item of /v3/lock/list: enough to show a lock and its battery."""

    lock_id: int
    name: str  # the user's alias, else the Bluetooth name
    bluetooth_name: str
    mac: str
    battery: int | None
    feature_value: int
    has_gateway: bool
    passcode_version: int | None = None
    passage_mode: bool | None = None
    group_name: str | None = None
    init_date: datetime | None = None

    @classmethod
    def from_api(cls, data: JSON) -> Lock:
        """Build from a lock list (or detail) item."""
        bluetooth_name = str(data.get("lockName") or "")
        passage = _opt_int(data.get("passageMode"))
        return cls(
            lock_id=int(data["lockId"]),
            name=str(data.get("lockAlias") or bluetooth_name or data["lockId"]),
            bluetooth_name=bluetooth_name,
            mac=str(data.get("lockMac") or ""),
            battery=_opt_int(data.get("electricQuantity")),
            feature_value=int(str(data.get("featureValue") or "0"), 16),
            has_gateway=_flag(data.get("hasGateway")),
            passcode_version=_opt_int(data.get("keyboardPwdVersion")),
            passage_mode=None if passage in (None, 0) else passage == 1,
            group_name=data.get("groupName") or None,
            init_date=ms_to_datetime(data.get("date")),
        )

    def supports(self, feature_bit: int) -> bool:
        """Whether the lock reports a feature bit (see const.FEATURE_*)."""
        return bool(self.feature_value >> feature_bit & 1)

    @property
    def is_wifi(self) -> bool:
        """A Wi-Fi lock talks to the cloud without a gateway."""
        return self.supports(FEATURE_WIFI)

    @property
    def is_remote(self) -> bool:
        """Whether the cloud can reach the lock (gateway or Wi-Fi)."""
        return self.has_gateway or self.is_wifi

    @property
    def supports_remote_lock(self) -> bool:
        """Lock and unlock from the cloud."""
        return self.is_remote and (
            self.supports(FEATURE_GATEWAY_UNLOCK) or self.supports(FEATURE_LOCK_COMMAND)
        )

    @property
    def supports_passcodes(self) -> bool:
        """Whether the lock has a keypad (it then takes offline codes, cloud-generated)."""
        return self.supports(FEATURE_PASSCODE)

    @property
    def supports_auto_lock(self) -> bool:
        """Whether the lock's auto-lock time can be set."""
        return self.supports(FEATURE_AUTO_LOCK)

    @property
    def supports_passage_mode(self) -> bool:
        """Whether the lock has a passage mode."""
        return self.supports(FEATURE_PASSAGE_MODE)

    @property
    def supports_cards(self) -> bool:
        """Whether the lock reads IC cards."""
        return self.supports(FEATURE_IC_CARD)

    @property
    def supports_fingerprints(self) -> bool:
        """Whether the lock reads fingerprints."""
        return self.supports(FEATURE_FINGERPRINT)

    @property
    def supports_door_sensor(self) -> bool:
        """Whether the lock has a door sensor."""
        return self.supports(FEATURE_DOOR_SENSOR)

    def supports_setting(self, setting: LockSetting) -> bool:
        """Whether the cloud can change this setting of the lock (featureValue)."""
        return self.supports(_SETTING_FEATURES[setting])


@dataclass(frozen=True, slots=True)
class LockDetail:
    """/v3/lock/detail: the rarely changing facts of one lock, and its settings.

    A setting the lock does not report (absent, or 0 = unknown) is None.
    """

    lock: Lock
    model: str | None
    firmware: str | None
    hardware: str | None
    timezone_offset_ms: int | None
    auto_lock_seconds: int | None  # 0: off
    is_frozen: bool
    sound: bool | None = None
    volume: int | None = None  # 1-5
    privacy_lock: bool | None = None
    tamper_alert: bool | None = None
    reset_button: bool | None = None

    @classmethod
    def from_api(cls, data: JSON) -> LockDetail:
        """Build from the detail answer."""
        auto_lock = _opt_int(data.get("autoLockTime"))
        volume = _opt_int(data.get("soundVolume"))
        return cls(
            lock=Lock.from_api(data),
            model=data.get("modelNum") or None,
            firmware=data.get("firmwareRevision") or None,
            hardware=data.get("hardwareRevision") or None,
            timezone_offset_ms=_opt_int(data.get("timezoneRawOffset")),
            # -1 (and 0 on some locks) means off.
            auto_lock_seconds=None if auto_lock is None else max(auto_lock, 0),
            is_frozen=_flag(data.get("isFrozen")),
            sound=_setting(data.get("lockSound")),
            volume=volume if volume is not None and 1 <= volume <= 5 else None,
            privacy_lock=_setting(data.get("privacyLock")),
            tamper_alert=_setting(data.get("tamperAlert")),
            reset_button=_setting(data.get("resetButton")),
        )


def _setting(value: object) -> bool | None:
    """Read a detail setting: 1 on, 2 off, anything else (0, absent) unknown."""
    number = _opt_int(value)
    return None if number is None else {1: True, 2: False}.get(number)


class LockSetting(IntEnum):
    """lock/updateSetting ``type``: what a switch of the lock changes."""

    PRIVACY_LOCK = 2
    TAMPER_ALERT = 3
    RESET_BUTTON = 4
    LOCK_SOUND = 6
    VOLUME = 8


# The featureValue bit that makes each setting switchable (DOC lock/featureValue).
_SETTING_FEATURES: dict[LockSetting, int] = {
    LockSetting.PRIVACY_LOCK: FEATURE_PRIVACY_LOCK,
    LockSetting.TAMPER_ALERT: FEATURE_TAMPER_ALERT,
    LockSetting.RESET_BUTTON: FEATURE_RESET_BUTTON,
    LockSetting.LOCK_SOUND: FEATURE_SOUND,
    LockSetting.VOLUME: FEATURE_VOLUME,
}


@dataclass(frozen=True, slots=True)
class PassageModeConfig:
    """/v3/lock/getPassageModeConfig. Times are minutes of the day; weekdays 1=Mon..7=Sun."""

    enabled: bool
    all_day: bool = True
    start_minute: int = 0
    end_minute: int = 0
    weekdays: tuple[int, ...] = ()
    auto_unlock: bool = False

    @classmethod
    def from_api(cls, data: JSON) -> PassageModeConfig:
        """Build from the config answer (weekDays may be a JSON string or a list)."""
        weekdays = data.get("weekDays") or []
        if isinstance(weekdays, str):
            import json  # noqa: PLC0415  # rare path

            weekdays = json.loads(weekdays or "[]")
        return cls(
            enabled=_int(data.get("passageMode"), 2) == 1,
            all_day=_int(data.get("isAllDay"), 1) == 1,
            start_minute=_int(data.get("startDate")),
            end_minute=_int(data.get("endDate")),
            weekdays=tuple(int(day) for day in weekdays),
            auto_unlock=_int(data.get("autoUnlock"), 2) == 1,
        )


class GatewayVersion(IntEnum):
    """Gateway hardware generation."""

    G1 = 1
    G2 = 2
    G3 = 3  # wired
    G4 = 4  # cellular


@dataclass(frozen=True, slots=True)
class Gateway:
    """An item of /v3/gateway/list (or /v3/gateway/detail)."""

    gateway_id: int
    name: str
    mac: str
    version: int | None
    network_name: str | None
    network_mac: str | None
    lock_count: int
    online: bool

    @classmethod
    def from_api(cls, data: JSON) -> Gateway:
        """Build from a gateway list item."""
        return cls(
            gateway_id=int(data["gatewayId"]),
            name=str(data.get("gatewayName") or data.get("gatewayMac") or data["gatewayId"]),
            mac=str(data.get("gatewayMac") or ""),
            version=_opt_int(data.get("gatewayVersion")),
            network_name=data.get("networkName") or None,
            network_mac=data.get("networkMac") or None,
            lock_count=_int(data.get("lockNum")),
            online=_flag(data.get("isOnline")),
        )


@dataclass(frozen=True, slots=True)
class GatewayLink:
    """A lock reached by a gateway, with the signal between them.

    From /v3/gateway/listLock (lock side filled) or /v3/gateway/listByLock (gateway side).
    """

    gateway_id: int | None
    lock_id: int | None
    rssi: int | None
    updated: datetime | None

    @classmethod
    def from_api(
        cls, data: JSON, *, gateway_id: int | None = None, lock_id: int | None = None
    ) -> GatewayLink:
        """Build from either list's item; the caller supplies the side it asked about."""
        return cls(
            gateway_id=_opt_int(data.get("gatewayId")) or gateway_id,
            lock_id=_opt_int(data.get("lockId")) or lock_id,
            rssi=_opt_int(data.get("rssi")),
            updated=ms_to_datetime(data.get("updateDate") or data.get("rssiUpdateDate")),
        )


class MeterSupply(IntEnum):
    """Meter relay or valve state (onOff)."""

    OFF = 0
    ON = 1
    UNKNOWN = 2


@dataclass(frozen=True, slots=True)
class ElectricMeter:
    """An item of /v3/electricMeter/list. Figures arrive as strings.

    No live power (W): the official list and detail pages (document-pages/cloud/
    eletricMeter/admin/{list,detail}) report energy, balance and the maxPower *setting*
    only; voltage and current appear solely as inputs of the SDK upload call syncSameAdmin.
    """

    meter_id: int
    name: str
    number: str
    online: bool
    rssi: int | None
    supply: MeterSupply
    prepaid: bool
    total_kwh: float | None
    remaining_kwh: float | None
    price: float | None

    @classmethod
    def from_api(cls, data: JSON) -> ElectricMeter:
        """Build from a meter list item."""
        return cls(
            meter_id=int(data["electricMeterId"]),
            name=str(data.get("name") or data.get("number") or data["electricMeterId"]),
            number=str(data.get("number") or ""),
            online=_flag(data.get("online")),
            rssi=_opt_int(data.get("rssi")),
            supply=MeterSupply(_int(data.get("onOff"), 2)),
            prepaid=_int(data.get("payMode")) == 1,
            total_kwh=_opt_float(data.get("totalKwh")),
            remaining_kwh=_opt_float(data.get("remainderKwh")),
            price=_opt_float(data.get("price")),
        )


@dataclass(frozen=True, slots=True)
class WaterMeter:
    """An item of /v3/waterMeter/list. Figures arrive as strings."""

    meter_id: int
    name: str
    number: str
    online: bool
    rssi: int | None
    valve: MeterSupply
    prepaid: bool
    total_m3: float | None
    remaining_m3: float | None
    price: float | None
    battery: int | None

    @classmethod
    def from_api(cls, data: JSON) -> WaterMeter:
        """Build from a meter list item."""
        return cls(
            meter_id=int(data["waterMeterId"]),
            name=str(data.get("name") or data.get("number") or data["waterMeterId"]),
            number=str(data.get("number") or ""),
            online=_flag(data.get("online")),
            rssi=_opt_int(data.get("rssi")),
            valve=MeterSupply(_int(data.get("onOff"), 2)),
            prepaid=_int(data.get("payMode")) == 1,
            total_m3=_opt_float(data.get("totalM3")),
            remaining_m3=_opt_float(data.get("remainderM3")),
            price=_opt_float(data.get("price")),
            battery=_opt_int(data.get("electricQuantity")),
        )


class PasscodeType(IntEnum):
    """keyboardPwdType for keyboard-password version 4 locks."""

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

    @property
    def is_recurring(self) -> bool:
        """Whether the code repeats weekly (types 5-14)."""
        return self >= PasscodeType.WEEKEND


class PasscodeStatus(IntEnum):
    """Status of a passcode in the cloud list."""

    NORMAL = 1
    INVALID = 2
    PENDING = 3
    ADDING = 4
    ADD_FAILED = 5
    MODIFYING = 6
    MODIFY_FAILED = 7
    DELETING = 8
    DELETE_FAILED = 9


@dataclass(frozen=True, slots=True)
class Passcode:
    """An item of /v3/lock/listKeyboardPwd."""

    passcode_id: int
    lock_id: int
    code: str
    name: str
    type: PasscodeType
    is_custom: bool
    start: datetime | None
    end: datetime | None
    created: datetime | None
    sender: str | None = None
    status: int | None = None

    @classmethod
    def from_api(cls, data: JSON, *, lock_id: int | None = None) -> Passcode:
        """Build from a passcode list item (keyboardPwdType may be a string)."""
        return cls(
            passcode_id=int(data["keyboardPwdId"]),
            lock_id=_opt_int(data.get("lockId")) or int(lock_id or 0),
            code=str(data.get("keyboardPwd") or ""),
            name=str(data.get("keyboardPwdName") or ""),
            type=PasscodeType(_int(data.get("keyboardPwdType"), 3)),
            is_custom=_flag(data.get("isCustom")),
            start=ms_to_datetime(data.get("startDate")),
            end=ms_to_datetime(data.get("endDate")),
            created=ms_to_datetime(data.get("sendDate")),
            sender=data.get("senderUsername") or None,
            status=_opt_int(data.get("status")),
        )


@dataclass(frozen=True, slots=True)
class CreatedPasscode:
    """What the cloud answers when it creates a code."""

    passcode_id: int
    code: str


class RecordType(IntEnum):
    """Cloud recordType of lock records (the common ones; others pass through as int)."""

    APP_UNLOCK = 1
    PASSCODE_UNLOCK = 4
    IC_CARD_UNLOCK = 7
    FINGERPRINT_UNLOCK = 8
    WRISTBAND_UNLOCK = 9
    MECHANICAL_KEY_UNLOCK = 10
    APP_LOCK = 11
    GATEWAY_UNLOCK = 12
    FORCED_UNLOCK = 29
    DOOR_CLOSED = 30
    DOOR_OPENED = 31
    INSIDE_UNLOCK = 32
    FINGERPRINT_LOCK = 33
    PASSCODE_LOCK = 34
    IC_CARD_LOCK = 35
    MECHANICAL_KEY_LOCK = 36
    REMOTE_CONTROL = 37
    TAMPER_ALERT = 44
    AUTO_LOCK = 45
    UNLOCK_BUTTON = 46
    LOCK_BUTTON = 47
    SYSTEM_LOCKED = 48
    KEY_FOB = 55
    PASSAGE_MODE_AUTO_UNLOCK = 63
    DOOR_NOT_CLOSED_ALARM = 64


class OperationMethod(StrEnum):
    """How a lock was operated, grouped for people (event entity types)."""

    APP = "app"
    PASSCODE = "passcode"
    CARD = "card"
    FINGERPRINT = "fingerprint"
    GATEWAY = "gateway"
    KEY = "key"
    BUTTON = "button"
    AUTO = "auto"
    REMOTE = "remote"
    OTHER = "other"


_RECORD_METHODS: dict[int, tuple[OperationMethod, bool | None]] = {
    # recordType: (method, True = unlocked / False = locked / None = neither)
    1: (OperationMethod.APP, True),
    4: (OperationMethod.PASSCODE, True),
    7: (OperationMethod.CARD, True),
    8: (OperationMethod.FINGERPRINT, True),
    9: (OperationMethod.OTHER, True),
    10: (OperationMethod.KEY, True),
    11: (OperationMethod.APP, False),
    12: (OperationMethod.GATEWAY, True),
    29: (OperationMethod.OTHER, True),
    32: (OperationMethod.BUTTON, True),
    33: (OperationMethod.FINGERPRINT, False),
    34: (OperationMethod.PASSCODE, False),
    35: (OperationMethod.CARD, False),
    36: (OperationMethod.KEY, False),
    37: (OperationMethod.REMOTE, None),
    45: (OperationMethod.AUTO, False),
    46: (OperationMethod.BUTTON, True),
    47: (OperationMethod.BUTTON, False),
    51: (OperationMethod.CARD, None),  # a deleted card tried
    55: (OperationMethod.REMOTE, True),
    63: (OperationMethod.AUTO, True),
    91: (OperationMethod.CARD, None),  # a card refused
}

# Failed unlock attempts, from the record types of the shared notes (ttlock-settings-
# credentials.md section 9): an unlock by a credential or the app that the lock refused
# (success 0), and the types that are failures by themselves.
_ATTEMPT_TYPES = frozenset(
    {
        1,  # app / Bluetooth
        4,  # passcode
        7,  # IC card
        8,  # fingerprint
        10,  # mechanical key
        49,  # hotel card
        57,  # QR code
        67,  # face
        84,  # palm vein
        92,  # admin passcode
    }
)
_FAILURE_TYPES = frozenset(
    {
        48,  # system locked after repeated bad passcodes, fingerprints or cards
        51,  # a deleted card tried
        58,  # an expired QR code
        68,  # face
        71,  # face
        85,  # palm vein
        88,  # palm vein
        91,  # card failed
    }
)


@dataclass(frozen=True, slots=True)
class LockRecord:
    """An item of /v3/lockRecord/list, or one record of a notifyType 1 callback."""

    record_id: int | None
    lock_id: int
    record_type: int
    success: bool
    username: str | None  # app user, or the passcode/card/fingerprint name
    code: str | None  # passcode, card or fingerprint number: a secret, never log it
    lock_date: datetime | None
    server_date: datetime | None
    battery: int | None = None

    @classmethod
    def from_api(cls, data: JSON, *, lock_id: int | None = None) -> LockRecord:
        """Build from a record item."""
        return cls(
            record_id=_opt_int(data.get("recordId")),
            lock_id=_opt_int(data.get("lockId")) or int(lock_id or 0),
            record_type=_int(data.get("recordType")),
            success=_flag(data.get("success", 1)),
            username=data.get("username") or None,
            code=str(data["keyboardPwd"]) if data.get("keyboardPwd") else None,
            lock_date=ms_to_datetime(data.get("lockDate")),
            server_date=ms_to_datetime(data.get("serverDate")),
            battery=_opt_int(data.get("electricQuantity")),
        )

    @property
    def method(self) -> OperationMethod:
        """How the lock was operated."""
        return _RECORD_METHODS.get(self.record_type, (OperationMethod.OTHER, None))[0]

    @property
    def unlocked(self) -> bool | None:
        """True if this record unlocked the lock, False if it locked it, None otherwise."""
        return _RECORD_METHODS.get(self.record_type, (OperationMethod.OTHER, None))[1]

    @property
    def failed_attempt(self) -> bool:
        """Whether the record is a failed try to open the lock (or the lock-out it caused)."""
        if self.record_type in _FAILURE_TYPES:
            return True
        return not self.success and self.record_type in _ATTEMPT_TYPES

    @property
    def locked_out(self) -> bool:
        """Whether the lock shut its keypad and readers after repeated bad credentials."""
        return self.record_type == RecordType.SYSTEM_LOCKED


@dataclass(frozen=True, slots=True)
class CyclicPeriod:
    """One weekly window of a cyclic card or fingerprint (minutes of the day)."""

    weekday: int
    start_minute: int
    end_minute: int


def _cyclic(data: JSON) -> tuple[CyclicPeriod, ...]:
    return tuple(
        CyclicPeriod(
            weekday=_int(item.get("weekDay")),
            start_minute=_int(item.get("startTime")),
            end_minute=_int(item.get("endTime")),
        )
        for item in data.get("cyclicConfig") or []
    )


@dataclass(frozen=True, slots=True)
class IdentityCard:
    """An item of /v3/identityCard/list."""

    card_id: int
    lock_id: int
    number: str  # a credential: never log it
    name: str
    start: datetime | None
    end: datetime | None
    cyclic: tuple[CyclicPeriod, ...] = field(default=())

    @classmethod
    def from_api(cls, data: JSON, *, lock_id: int | None = None) -> IdentityCard:
        """Build from a card list item."""
        return cls(
            card_id=int(data["cardId"]),
            lock_id=_opt_int(data.get("lockId")) or int(lock_id or 0),
            number=str(data.get("cardNumber") or ""),
            name=str(data.get("cardName") or ""),
            start=ms_to_datetime(data.get("startDate")),
            end=ms_to_datetime(data.get("endDate")),
            cyclic=_cyclic(data),
        )


KEY_FROZEN_STATUS = "110405"


@dataclass(frozen=True, slots=True)
class EKey:
    """An item of /v3/lock/listKey: a TTLock app account's key to a lock."""

    key_id: int
    lock_id: int
    username: str
    name: str
    start: datetime | None  # None/None: permanent
    end: datetime | None
    frozen: bool
    remote_unlock: bool
    sender: str | None
    # A recurring key: its weekdays (1 = Monday ... 7 = Sunday, converted from the cloud's
    # 1 = Sunday), ``start``/``end`` its first and last day, and the daily times as the
    # moments the cloud keeps them (only their time of day counts).
    weekdays: tuple[int, ...] = ()
    daily_start: datetime | None = None
    daily_end: datetime | None = None

    @classmethod
    def from_api(cls, data: JSON, *, lock_id: int | None = None) -> EKey:
        """Build from a key list item."""
        recurring = _int(data.get("keyType"), 1) == 4
        weekdays: list[int] = []
        if recurring:
            raw = data.get("weekDays") or []
            weekdays = json.loads(raw) if isinstance(raw, str) else list(raw)
        return cls(
            key_id=int(data["keyId"]),
            lock_id=_opt_int(data.get("lockId")) or int(lock_id or 0),
            username=str(data.get("username") or ""),
            name=str(data.get("keyName") or ""),
            start=ms_to_datetime(data.get("startDay" if recurring else "startDate")),
            end=ms_to_datetime(data.get("endDay" if recurring else "endDate")),
            frozen=str(data.get("keyStatus")) == KEY_FROZEN_STATUS,
            remote_unlock=_int(data.get("remoteEnable"), 2) == 1,
            sender=data.get("senderUsername") or None,
            weekdays=tuple(sorted(from_sunday_first(int(day)) for day in weekdays)),
            daily_start=ms_to_datetime(data.get("startDate")) if recurring else None,
            daily_end=ms_to_datetime(data.get("endDate")) if recurring else None,
        )


def to_sunday_first(weekday: int) -> int:
    """Convert a Monday-first weekday (1 = Monday) to the recurring eKey's (1 = Sunday)."""
    return weekday % 7 + 1


def from_sunday_first(weekday: int) -> int:
    """Convert the recurring eKey's weekday (1 = Sunday) to Monday-first (1 = Monday)."""
    return (weekday - 2) % 7 + 1


class CredentialKind(StrEnum):
    """A credential the lock reads besides passcodes, and its cloud paths and fields."""

    CARD = "card"
    FINGERPRINT = "fingerprint"

    @property
    def path(self) -> str:
        """The cloud's path prefix."""
        return "/v3/identityCard" if self is CredentialKind.CARD else "/v3/fingerprint"

    @property
    def id_field(self) -> str:
        """The id parameter."""
        return "cardId" if self is CredentialKind.CARD else "fingerprintId"

    @property
    def name_field(self) -> str:
        """The name parameter."""
        return "cardName" if self is CredentialKind.CARD else "fingerprintName"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An item of /v3/fingerprint/list."""

    fingerprint_id: int
    lock_id: int
    number: str
    name: str
    start: datetime | None
    end: datetime | None
    cyclic: tuple[CyclicPeriod, ...] = field(default=())

    @classmethod
    def from_api(cls, data: JSON, *, lock_id: int | None = None) -> Fingerprint:
        """Build from a fingerprint list item."""
        return cls(
            fingerprint_id=int(data["fingerprintId"]),
            lock_id=_opt_int(data.get("lockId")) or int(lock_id or 0),
            number=str(data.get("fingerprintNumber") or ""),
            name=str(data.get("fingerprintName") or ""),
            start=ms_to_datetime(data.get("startDate")),
            end=ms_to_datetime(data.get("endDate")),
            cyclic=_cyclic(data),
        )
