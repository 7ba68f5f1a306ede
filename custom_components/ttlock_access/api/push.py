"""Parsing of the callbacks the TTLock cloud POSTs to the application's callback URL.

Form fields per the official pages (euopen.ttlock.com document-pages/en/cloud/...):
- lockRecord/notify: notifyType 1, lockId, lockMac, records = a JSON array *as a string*
  of {recordType, success, username, keyboardPwd, lockDate, electricQuantity,
  serverDate, subRecordType}.
- gateway/gatewayNotify: notifyType 2, gatewayId, gatewayName, gatewayMac,
  gatewayVersion, networkName, isOnline 0/1.
- wifiLock/WiFiLockNotify: notifyType 3, lockId, lockAlias, lockMac, networkName, admin,
  isOnline 0/1.
- wifiLock/WiFiLockAsynchronousRequestFailNotify: notifyType 4, lockId, lockMac, uid,
  objectType (2 passcode, 3 card, 4 fingerprint, 5 palm vein, 6 face, 7 remote),
  objectId, errcode.
- doorSensor/standaloneDoorSensor/notify: notifyType 7, doorSensorId, mac, name,
  recordType (0 closed, 1 open, 2 door-not-closed alarm, 3 long not-closed alarm).
Every handler answers the raw string "success". Nothing is signed: callers must check
the ids against the account before trusting an event. Every field is checked here (types
and ranges): an impossible value makes the whole callback malformed (ValueError), it is
never clamped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import json
from typing import Final

from .models import LockRecord

CALLBACK_RESPONSE: Final = "success"
# Epoch milliseconds a record's dates may take (2000-01-01 to 2100-01-01).
_EARLIEST_MS: Final = 946_684_800_000
_LATEST_MS: Final = 4_102_444_800_000
_MAX_ID: Final = 2**53
_MAX_RECORDS: Final = 100


@dataclass(frozen=True, slots=True)
class LockRecordsEvent:
    """New records of a lock (notifyType 1)."""

    lock_id: int
    records: tuple[LockRecord, ...]


@dataclass(frozen=True, slots=True)
class GatewayStatusEvent:
    """A gateway went online or offline (notifyType 2)."""

    gateway_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class LockStatusEvent:
    """A Wi-Fi lock went online or offline (notifyType 3)."""

    lock_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class AsyncFailureEvent:
    """A request the cloud accepted failed later at the lock (notifyType 4)."""

    lock_id: int
    object_type: int
    object_id: int
    errcode: int


@dataclass(frozen=True, slots=True)
class DoorSensorEvent:
    """A standalone door sensor reported (notifyType 7)."""

    sensor_id: int
    record_type: int


type CallbackEvent = (
    LockRecordsEvent | GatewayStatusEvent | LockStatusEvent | AsyncFailureEvent | DoorSensorEvent
)


def _int(form: Mapping[str, str], key: str, low: int = 0, high: int = _MAX_ID) -> int:
    try:
        value = int(form[key])
    except KeyError:
        raise ValueError(f"callback without {key}") from None
    if not low <= value <= high:
        raise ValueError(f"{key} out of range")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a record may hold")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def _field(item: Mapping[str, object], key: str, low: int, high: int) -> None:
    """Check an optional whole-number field of a record (a JSON number or digits)."""
    value = item.get(key)
    if value is None or value == "":
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"record {key} is not a number")
    number = float(value)  # ValueError for other text
    if number != int(number) or not low <= number <= high:
        raise ValueError(f"record {key} out of range")


def _check_record(item: object) -> Mapping[str, object]:
    """Return a record's fields if every one is possible; ValueError otherwise."""
    if not isinstance(item, dict):
        raise ValueError("a record is not a JSON object")
    _field(item, "recordType", 1, 1000)
    if item.get("recordType") in (None, ""):
        raise ValueError("record without recordType")
    _field(item, "recordId", 0, _MAX_ID)
    _field(item, "lockId", 0, _MAX_ID)
    _field(item, "success", 0, 1)
    _field(item, "electricQuantity", 0, 100)
    _field(item, "lockDate", _EARLIEST_MS, _LATEST_MS)
    _field(item, "serverDate", _EARLIEST_MS, _LATEST_MS)
    for key in ("username", "keyboardPwd"):
        value = item.get(key)
        if value is not None and not isinstance(value, (str, int)):
            raise ValueError(f"record {key} is not text")
        if isinstance(value, str) and len(value) > 200:
            raise ValueError(f"record {key} too long")
    return item


def _records(lock_id: int, raw: str) -> tuple[LockRecord, ...]:
    # JSONDecodeError is a ValueError; NaN, Infinity and 1e400 are refused, not believed.
    items = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    if not isinstance(items, list) or len(items) > _MAX_RECORDS:
        raise ValueError("records is not a JSON array of at most 100 objects")
    checked = [_check_record(item) for item in items]
    try:
        return tuple(LockRecord.from_api(dict(item), lock_id=lock_id) for item in checked)
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"malformed record: {type(err).__name__}") from None


def parse_callback(form: Mapping[str, str]) -> CallbackEvent:
    """Turn a callback's form fields into an event; ValueError if malformed or unknown."""
    match _int(form, "notifyType", 1, 100):
        case 1:
            lock_id = _int(form, "lockId", 1)
            return LockRecordsEvent(lock_id, _records(lock_id, form.get("records") or "[]"))
        case 2:
            return GatewayStatusEvent(_int(form, "gatewayId", 1), _int(form, "isOnline", 0, 1) == 1)
        case 3:
            return LockStatusEvent(_int(form, "lockId", 1), _int(form, "isOnline", 0, 1) == 1)
        case 4:
            return AsyncFailureEvent(
                lock_id=_int(form, "lockId", 1),
                object_type=_int(form, "objectType", 1, 100),
                object_id=_int(form, "objectId"),
                errcode=_int(form, "errcode", -100_000, 100_000),
            )
        case 7:
            return DoorSensorEvent(_int(form, "doorSensorId", 1), _int(form, "recordType", 0, 3))
        case other:
            raise ValueError(f"unknown notifyType {other}")
