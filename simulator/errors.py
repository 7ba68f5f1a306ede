"""Errcodes the fake cloud answers, with the messages of the official error-code page."""

from __future__ import annotations

from typing import Any, Final

from .protocol import ERR_PASSCODE_QUOTA

SUCCESS: Final[dict[str, Any]] = {
    "errcode": 0,
    "errmsg": "none error message or means yes",
    "description": "表示成功或是",
}

MESSAGES: Final[dict[int, str]] = {
    1: "failed or means no",
    10000: "client_id does not exist",
    10001: "invalid client,wrong client_id or client_secret",
    10003: "invalid token",
    10004: "invalid grant",
    10007: "invalid account or invalid password",
    10010: "unsupported grant_type",
    10011: "invalid refresh_token",
    20002: "not lock admin",
    30005: "password must be md5 encrypted",
    30006: "exceeds the restrictions of API call number",
    30007: "exceeded the monthty limit for API calls",
    80000: "date must be current time, in 5 minutes",
    90000: "internal server error",
    -3: "Invalid Parameter",
    -1003: "Lock does not exist",
    -1007: "No passcode data of this lock",
    -1021: "This IC card does not exist",
    -1023: "This fingerprint does not exist",
    -1026: "The passcode of this validity period has been fetched and deleted before",
    -2009: "Passcode does not exist",
    -2012: "The lock is not connected to any gateway",
    -2018: "Permission Denied",
    -2025: "Frozen lock. Can not operate on it now",
    -2032: "The passcode is too simple, do not use consecutive or repeated digits",
    -3002: "The gateway is offline. Please check and try again",
    -3003: "The gateway is busy. Please try again later",
    -3006: "Invalid passcode length, it must be 4-9 digits",
    -3007: "The same passcode already exists. Please use another one",
    -3008: "Cannot change a passcode which has never been used on the lock",
    -3009: "The storage of custom passcodes is full, delete unused ones and retry",
    -3036: "The lock is offline. Please check and try again",
    -4037: "No such gateway",
    -4043: "The function is not supported for this lock",
    ERR_PASSCODE_QUOTA: "Monthly passcode limit of this lock reached",
}


def error_body(errcode: int) -> dict[str, Any]:
    """Build the envelope of a failure."""
    message = MESSAGES.get(errcode, "failed or means no")
    return {"errcode": errcode, "errmsg": message, "description": message}


class CloudError(Exception):
    """Raised by the rules; the app turns it into an errcode answer (HTTP 200)."""

    def __init__(self, errcode: int) -> None:
        super().__init__(errcode)
        self.errcode = errcode

    def body(self) -> dict[str, Any]:
        return error_body(self.errcode)
