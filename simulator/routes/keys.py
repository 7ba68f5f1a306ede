"""/v3/lock/listKey and /v3/key/*: the eKeys of a lock (cloud records, no lock operation).

One key per receiver and lock (sending again replaces it); a key cannot go to the lock's
own admin (-2020) or to the sender (-2019); the receiver must be a TTLock account
(-4064). Periods are epoch ms, 0/0 permanent. A recurring key (keyType 4) opens on its
weekdays (1 = Sunday: "注意1表示星期天") between startDay and endDay, at the daily times
that startDate and endDate carry; it needs all of them (-3 otherwise).
"""

from __future__ import annotations

import json

from ..errors import SUCCESS, CloudError
from ..protocol import KEY_FROZEN, KEY_NORMAL, MAX_PAGE
from ..state import FakeKey, FakeLock
from .params import JSON, Call, Handler, paged


def _period(call: Call) -> tuple[int, int]:
    start = call.params.int_or("startDate", 0)
    end = call.params.int_or("endDate", 0)
    if (start, end) != (0, 0) and (start <= 0 or end <= start):
        raise CloudError(-3)
    return start, end


def _item(lock: FakeLock, key: FakeKey) -> JSON:
    return {
        "keyId": key.key_id,
        "lockId": lock.lock_id,
        "username": key.username,
        "keyName": key.name,
        "keyStatus": key.status,
        "startDate": key.start_ms,
        "endDate": key.end_ms,
        "keyRight": 0,
        "remoteEnable": 1 if key.remote_enable else 2,
        "senderUsername": key.sender,
        "date": key.create_ms,
    } | (
        {
            "keyType": 4,
            "weekDays": json.dumps(key.weekdays),
            "startDay": key.start_day_ms,
            "endDay": key.end_day_ms,
        }
        if key.key_type == 4
        else {}
    )


async def _list_keys(call: Call) -> JSON:
    """List a lock's keys (not the admin's own); the current page requires orderBy."""
    lock = call.lock()
    call.params.require_int("orderBy")
    keys = sorted(lock.keys.values(), key=lambda key: (key.create_ms, key.key_id), reverse=True)
    return paged(call.params, keys, MAX_PAGE, lambda key: _item(lock, key))


async def _send(call: Call) -> JSON:
    lock = call.lock()
    receiver = call.params.require("receiverUsername")
    name = call.params.require("keyName")
    if receiver == call.account.username:
        raise CloudError(-2019)
    if receiver == lock.owner.username:
        raise CloudError(-2020)
    if receiver not in call.cloud.accounts:
        raise CloudError(-4064)
    start, end = _period(call)
    for key_id, key in list(lock.keys.items()):
        if key.username == receiver:
            del lock.keys[key_id]  # one key per user and lock: sending again replaces it
    key_type = call.params.int_or("keyType", 1)
    weekdays: list[int] = []
    start_day = end_day = 0
    if key_type == 4:
        try:
            weekdays = json.loads(call.params.require("weekDays"))
        except ValueError:
            raise CloudError(-3) from None
        start_day = call.params.require_int("startDay")
        end_day = call.params.require_int("endDay")
        if (
            not isinstance(weekdays, list)
            or not weekdays
            or not all(isinstance(day, int) and 1 <= day <= 7 for day in weekdays)
            or end_day <= start_day
            or (start, end) == (0, 0)
        ):
            raise CloudError(-3)
    elif key_type != 1:
        raise CloudError(-3)
    key = FakeKey(
        key_id=call.cloud.new_id("key"),
        username=receiver,
        name=name,
        start_ms=start,
        end_ms=end,
        status=KEY_NORMAL,
        remote_enable=call.params.int_or("remoteEnable", 2) == 1,
        sender=call.account.username,
        create_ms=call.now,
        key_type=key_type,
        weekdays=weekdays,
        start_day_ms=start_day,
        end_day_ms=end_day,
    )
    lock.keys[key.key_id] = key
    return {"keyId": key.key_id}


def _key(call: Call) -> tuple[FakeLock, FakeKey]:
    key_id = call.params.require_int("keyId")
    for lock in call.cloud.locks.values():
        if lock.owner is call.account and key_id in lock.keys:
            return lock, lock.keys[key_id]
    raise CloudError(-1003)


async def _delete(call: Call) -> JSON:
    lock, key = _key(call)
    del lock.keys[key.key_id]
    return SUCCESS


async def _freeze(call: Call) -> JSON:
    _lock, key = _key(call)
    key.status = KEY_FROZEN
    return SUCCESS


async def _unfreeze(call: Call) -> JSON:
    _lock, key = _key(call)
    key.status = KEY_NORMAL
    return SUCCESS


async def _change_period(call: Call) -> JSON:
    _lock, key = _key(call)
    key.start_ms, key.end_ms = _period(call)
    return SUCCESS


ROUTES: dict[str, Handler] = {
    "/v3/lock/listKey": _list_keys,
    "/v3/key/send": _send,
    "/v3/key/delete": _delete,
    "/v3/key/freeze": _freeze,
    "/v3/key/unfreeze": _unfreeze,
    "/v3/key/changePeriod": _change_period,
}
