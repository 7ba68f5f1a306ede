"""Callback parsing (form fields as the official notify pages document them)."""

from __future__ import annotations

import json

import pytest

from custom_components.ttlock_access.api import (
    CALLBACK_RESPONSE,
    AsyncFailureEvent,
    DoorSensorEvent,
    GatewayStatusEvent,
    LockRecordsEvent,
    LockStatusEvent,
    OperationMethod,
    parse_callback,
)

RECORD = {
    "lockId": 7252408,
    "lockMac": "16:72:4C:CC:01:C4",
    "electricQuantity": 40,
    "serverDate": 1682244497000,
    "lockDate": 1682244497000,
    "recordType": 7,
    "username": "test",
    "keyboardPwd": "1723612378",
    "success": 1,
}


def test_answer() -> None:
    assert CALLBACK_RESPONSE == "success"


def test_lock_records() -> None:
    form = {
        "notifyType": "1",
        "lockId": "7252408",
        "lockMac": "16:72:4C:CC:01:C4",
        "admin": "someone",
        "records": json.dumps([RECORD, {**RECORD, "recordType": 47, "keyboardPwd": ""}]),
    }
    event = parse_callback(form)
    assert isinstance(event, LockRecordsEvent)
    assert event.lock_id == 7252408
    assert [r.method for r in event.records] == [OperationMethod.CARD, OperationMethod.BUTTON]
    assert event.records[0].battery == 40
    assert event.records[0].code == "1723612378"


def test_lock_records_without_records() -> None:
    event = parse_callback({"notifyType": "1", "lockId": "5"})
    assert event == LockRecordsEvent(5, ())


@pytest.mark.parametrize(
    ("form", "event"),
    [
        (
            {"notifyType": "2", "gatewayId": "34144", "gatewayName": "G2", "isOnline": "0"},
            GatewayStatusEvent(34144, online=False),
        ),
        (
            {"notifyType": "3", "lockId": "9", "lockAlias": "Front", "isOnline": "1"},
            LockStatusEvent(9, online=True),
        ),
        (
            {
                "notifyType": "4",
                "lockId": "9",
                "lockMac": "AA",
                "uid": "1",
                "objectType": "2",
                "objectId": "24242",
                "errcode": "-3009",
            },
            AsyncFailureEvent(lock_id=9, object_type=2, object_id=24242, errcode=-3009),
        ),
        (
            {"notifyType": "7", "doorSensorId": "100123", "mac": "AA", "recordType": "1"},
            DoorSensorEvent(100123, 1),
        ),
    ],
)
def test_other_notifications(form: dict[str, str], event: object) -> None:
    assert parse_callback(form) == event


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"notifyType": "x"},
        {"notifyType": "99", "lockId": "1"},
        {"notifyType": "2", "isOnline": "1"},
        {"notifyType": "1", "lockId": "1", "records": "[{"},
        {"notifyType": "1", "lockId": "1", "records": '{"recordType": 1}'},
        {"notifyType": "1", "lockId": "1", "records": "[1, 2]"},
        {"notifyType": "1", "lockId": "1", "records": '[{"recordType": [1]}]'},
        {"notifyType": "1", "lockId": "1", "records": '[{"lockDate": "soon"}]'},
    ],
)
def test_malformed(form: dict[str, str]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # any malformed callback
        parse_callback(form)
