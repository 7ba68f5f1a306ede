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
the ids against the account before trusting an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import json
from typing import Final

from .models import LockRecord

CALLBACK_RESPONSE: Final = "success"


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


def _int(form: Mapping[str, str], key: str) -> int:
    try:
        return int(form[key])
    except KeyError:
        raise ValueError(f"callback without {key}") from None


def _records(lock_id: int, raw: str) -> tuple[LockRecord, ...]:
    items = json.loads(raw)  # JSONDecodeError is a ValueError
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("records is not a JSON array of objects")
    try:
        return tuple(LockRecord.from_api(item, lock_id=lock_id) for item in items)
    except (KeyError, TypeError) as err:
        raise ValueError(f"malformed record: {type(err).__name__}") from None


def parse_callback(form: Mapping[str, str]) -> CallbackEvent:
    """Turn a callback's form fields into an event; ValueError if malformed or unknown."""
    match _int(form, "notifyType"):
        case 1:
            lock_id = _int(form, "lockId")
            return LockRecordsEvent(lock_id, _records(lock_id, form.get("records") or "[]"))
        case 2:
            return GatewayStatusEvent(_int(form, "gatewayId"), _int(form, "isOnline") == 1)
        case 3:
            return LockStatusEvent(_int(form, "lockId"), _int(form, "isOnline") == 1)
        case 4:
            return AsyncFailureEvent(
                lock_id=_int(form, "lockId"),
                object_type=_int(form, "objectType"),
                object_id=_int(form, "objectId"),
                errcode=_int(form, "errcode"),
            )
        case 7:
            return DoorSensorEvent(_int(form, "doorSensorId"), _int(form, "recordType"))
        case other:
            raise ValueError(f"unknown notifyType {other}")
