"""/v3/keyboardPwd/* and /v3/lock/listKeyboardPwd."""

from __future__ import annotations

from ..errors import SUCCESS, CloudError
from ..passcodes import (
    MAX_CUSTOM_PER_LOCK,
    ONE_TIME_WINDOW_MS,
    check_custom_code,
    check_quota,
    floor_hour,
    floor_minute,
    generate_code,
    note_issued,
    offline_code_length,
)
from ..protocol import MAX_PAGE, PasscodeStatus, PasscodeType
from ..state import FakeLock, FakePasscode
from .params import JSON, Call, Handler, paged

# One code per validity: asking again returns it, and once deleted the validity is burnt.
_ONE_PER_VALIDITY = {PasscodeType.PERIOD, *range(PasscodeType.WEEKEND, PasscodeType.SUNDAY + 1)}


def _passcode_item(lock: FakeLock, passcode: FakePasscode, now: int) -> JSON:
    expired = passcode.end_ms != 0 and passcode.end_ms < now
    return {
        "keyboardPwdId": passcode.passcode_id,
        "lockId": lock.lock_id,
        "keyboardPwd": passcode.code,
        "keyboardPwdName": passcode.name,
        "keyboardPwdType": passcode.type,
        "keyboardPwdVersion": 4,
        "startDate": passcode.start_ms,
        "endDate": passcode.end_ms,
        "sendDate": passcode.send_ms,
        "isCustom": 1 if passcode.is_custom else 0,
        "senderUsername": passcode.sender,
        "status": PasscodeStatus.INVALID if expired else PasscodeStatus.NORMAL,
    }


def _new(call: Call, lock: FakeLock, code: str, *, kind: int, start: int, end: int) -> FakePasscode:
    passcode = FakePasscode(
        passcode_id=call.cloud.new_id("passcode"),
        code=code,
        name=call.params.get("keyboardPwdName") or "",
        type=kind,
        is_custom=False,
        start_ms=start,
        end_ms=end,
        send_ms=call.now,
        sender=call.account.username,
    )
    lock.passcodes[passcode.passcode_id] = passcode
    note_issued(lock, kind, call.now)
    return passcode


def _offline_validity(call: Call, kind: int) -> tuple[int, int]:
    start = floor_hour(call.params.require_int("startDate"))
    if kind == PasscodeType.ONE_TIME:
        return start, start + ONE_TIME_WINDOW_MS
    if kind in (PasscodeType.PERMANENT, PasscodeType.ERASE):
        return start, 0
    end = floor_hour(call.params.require_int("endDate"))
    if end <= start:
        raise CloudError(-3)
    return start, end


async def _get_offline(call: Call) -> JSON:
    """Issue a random code the lock checks offline (no gateway needed)."""
    lock = call.lock()
    kind = call.params.require_int("keyboardPwdType")
    if not PasscodeType.ONE_TIME <= kind <= PasscodeType.SUNDAY:
        raise CloudError(-3)
    start, end = _offline_validity(call, kind)
    if kind in _ONE_PER_VALIDITY:
        if (kind, start, end) in lock.deleted_periods:
            raise CloudError(-1026)
        for same in lock.passcodes.values():
            if (same.type, same.start_ms, same.end_ms, same.is_custom) == (kind, start, end, False):
                return {"keyboardPwd": same.code, "keyboardPwdId": same.passcode_id}
    check_quota(lock, kind, call.now)
    taken = {passcode.code for passcode in lock.passcodes.values()}
    code = generate_code(call.cloud.rng, offline_code_length(kind, start, end), taken)
    passcode = _new(call, lock, code, kind=kind, start=start, end=end)
    return {"keyboardPwd": passcode.code, "keyboardPwdId": passcode.passcode_id}


def _custom_validity(kind: int, start: int, end: int) -> tuple[int, int, int]:
    """(type, start, end): permanent when both dates are 0, else a minute-precise period."""
    if kind == PasscodeType.PERMANENT or (start == 0 and end == 0):
        return PasscodeType.PERMANENT, 0, 0
    start, end = floor_minute(start), floor_minute(end)
    if start == 0 or end <= start:
        raise CloudError(-3)
    return PasscodeType.PERIOD, start, end


def _check_unique(lock: FakeLock, code: str, skip: int | None = None) -> None:
    if any(p.code == code and p.passcode_id != skip for p in lock.passcodes.values()):
        raise CloudError(-3007)


async def _add_custom(call: Call) -> JSON:
    """Add a custom code: addType 1 records a Bluetooth one, 2 sends it via the gateway."""
    lock = call.lock()
    code = call.params.require("keyboardPwd")
    check_custom_code(code)
    kind = call.params.int_or("keyboardPwdType", PasscodeType.PERIOD)
    if kind not in (PasscodeType.PERMANENT, PasscodeType.PERIOD):
        raise CloudError(-3)
    kind, start, end = _custom_validity(
        kind, call.params.int_or("startDate", 0), call.params.int_or("endDate", 0)
    )
    _check_unique(lock, code)
    if sum(p.is_custom for p in lock.passcodes.values()) >= MAX_CUSTOM_PER_LOCK:
        raise CloudError(-3009)
    check_quota(lock, kind, call.now)
    if call.params.int_or("addType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    passcode = _new(call, lock, code, kind=kind, start=start, end=end)
    passcode.is_custom = True
    return {"keyboardPwdId": passcode.passcode_id}


def _passcode(call: Call, lock: FakeLock) -> FakePasscode:
    passcode = lock.passcodes.get(call.params.require_int("keyboardPwdId"))
    if passcode is None:
        raise CloudError(-2009)
    return passcode


async def _change(call: Call) -> JSON:
    """Name, value and/or period; a period needs both dates (one alone changes nothing)."""
    lock = call.lock()
    passcode = _passcode(call, lock)
    new_code = call.params.get("newKeyboardPwd")
    start, end = call.params.integer("startDate"), call.params.integer("endDate")
    period = (
        None if start is None or end is None else _custom_validity(PasscodeType.PERIOD, start, end)
    )
    if new_code is not None or period is not None:
        if call.params.get("changeType") is None:
            raise CloudError(-3)  # a change on the lock says how it reaches it
        if not passcode.is_custom:
            raise CloudError(-3008)  # the lock never saw this random code used
        if new_code is not None:
            check_custom_code(new_code)
            _check_unique(lock, new_code, skip=passcode.passcode_id)
        if call.params.int_or("changeType", 1) == 2:
            async with call.cloud.relay(lock):
                pass
    if (name := call.params.get("keyboardPwdName")) is not None:
        passcode.name = name
    if new_code is not None:
        passcode.code = new_code
    if period is not None:
        passcode.type, passcode.start_ms, passcode.end_ms = period
    return SUCCESS


async def _delete(call: Call) -> JSON:
    """Delete: deleteType 1 records a Bluetooth deletion; 2 goes through the gateway/Wi-Fi."""
    lock = call.lock()
    passcode = _passcode(call, lock)
    if call.params.int_or("deleteType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    del lock.passcodes[passcode.passcode_id]
    if not passcode.is_custom and passcode.type in _ONE_PER_VALIDITY:
        lock.deleted_periods.add((passcode.type, passcode.start_ms, passcode.end_ms))
    return SUCCESS


async def _list_passcodes(call: Call) -> JSON:
    lock = call.lock()
    search = call.params.get("searchStr")
    codes = [
        p
        for p in lock.passcodes.values()
        if search is None or search.lower() in p.name.lower() or search == p.code
    ]
    order = call.params.int_or("orderBy", 1)
    if order == 1:
        codes.sort(key=lambda p: (p.send_ms, p.passcode_id), reverse=True)
    else:
        codes.sort(key=lambda p: p.name.lower(), reverse=order == 2)
    return paged(call.params, codes, MAX_PAGE, lambda p: _passcode_item(lock, p, call.now))


ROUTES: dict[str, Handler] = {
    "/v3/keyboardPwd/get": _get_offline,
    "/v3/keyboardPwd/add": _add_custom,
    "/v3/keyboardPwd/change": _change,
    "/v3/keyboardPwd/delete": _delete,
    "/v3/lock/listKeyboardPwd": _list_passcodes,
}
