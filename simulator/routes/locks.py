"""/v3/lock/*: list, detail, state, battery, remote lock/unlock, passage mode, settings."""

from __future__ import annotations

import json

from ..errors import SUCCESS, CloudError
from ..protocol import (
    FEATURE_AUTO_LOCK,
    FEATURE_GATEWAY_UNLOCK,
    FEATURE_LOCK_COMMAND,
    FEATURE_PASSAGE_MODE,
    MAX_AUTO_LOCK_SECONDS,
    MAX_PAGE_LOCKS,
    SETTING_FEATURES,
    LockSetting,
    LockState,
    RecordType,
)
from ..state import FakeLock
from .params import JSON, Call, Handler, paged


def _on_off(flag: bool) -> int:
    return 1 if flag else 2


def _lock_item(lock: FakeLock, now: int) -> JSON:
    """Render a /v3/lock/list item (documented fields plus those seen in real answers)."""
    item: JSON = {
        "lockId": lock.lock_id,
        "lockName": lock.bluetooth_name,
        "lockAlias": lock.alias,
        "lockMac": lock.mac,
        "electricQuantity": lock.battery,
        "electricQuantityUpdateDate": lock.battery_ms,
        "featureValue": f"{lock.features:X}",
        "hasGateway": 1 if lock.live_links(now) else 0,
        "lockData": lock.lock_data,
        "date": lock.init_ms,
        "keyboardPwdVersion": 4,
        "specialValue": lock.features & 0xFFFFFFFF,
        "passageMode": _on_off(lock.passage_mode),
        "timezoneRawOffset": lock.timezone_offset_ms,
    }
    if not lock.passage_in_list:
        del item["passageMode"]
    if lock.group_id:
        item |= {"groupId": lock.group_id, "groupName": lock.group_name}
    return item


async def _list_locks(call: Call) -> JSON:
    alias = call.params.get("lockAlias")
    group = call.params.integer("groupId")
    locks = [
        lock
        for lock in call.cloud.locks.values()
        if lock.owner is call.account
        and (alias is None or alias.lower() in lock.alias.lower())
        and (group is None or lock.group_id == group)
    ]
    return paged(call.params, locks, MAX_PAGE_LOCKS, lambda lock: _lock_item(lock, call.now))


async def _detail(call: Call) -> JSON:
    lock = call.lock()
    return _lock_item(lock, call.now) | {
        "noKeyPwd": lock.admin_code,
        "modelNum": lock.model,
        "hardwareRevision": lock.hardware,
        "firmwareRevision": lock.firmware,
        "autoLockTime": lock.auto_lock_seconds,
        "lockSound": lock.settings[LockSetting.LOCK_SOUND],
        "soundVolume": lock.settings[LockSetting.VOLUME],
        "privacyLock": lock.settings[LockSetting.PRIVACY_LOCK],
        "tamperAlert": lock.settings[LockSetting.TAMPER_ALERT],
        "resetButton": lock.settings[LockSetting.RESET_BUTTON],
        "openDirection": 0,
        "passageModeAutoUnlock": _on_off(lock.passage_auto_unlock),
        "isFrozen": _on_off(lock.frozen),
    }


async def _open_state(call: Call) -> JSON:
    lock = call.lock()
    async with call.cloud.relay(lock):
        return {"state": lock.state}


async def _battery(call: Call) -> JSON:
    lock = call.lock()
    async with call.cloud.relay(lock):
        lock.battery_ms = call.now
        return {"electricQuantity": lock.battery}


def _operable(lock: FakeLock, feature: int) -> None:
    if lock.frozen:
        raise CloudError(-2025)
    if not lock.features >> feature & 1:
        raise CloudError(-4043)


async def _unlock(call: Call) -> JSON:
    lock = call.lock()
    _operable(lock, FEATURE_GATEWAY_UNLOCK)
    async with call.cloud.relay(lock):
        lock.state = LockState.UNLOCKED
        call.cloud.add_record(lock, RecordType.GATEWAY_UNLOCK, username=call.account.username)
    return SUCCESS


async def _lock_(call: Call) -> JSON:
    lock = call.lock()
    _operable(lock, FEATURE_LOCK_COMMAND)
    async with call.cloud.relay(lock):
        lock.state = LockState.LOCKED
        call.cloud.add_record(lock, RecordType.APP_LOCK, username=call.account.username)
    return SUCCESS


async def _get_passage_mode(call: Call) -> JSON:
    lock = call.lock()
    return {
        "passageMode": _on_off(lock.passage_mode),
        "startDate": lock.passage_start_minute,
        "endDate": lock.passage_end_minute,
        "isAllDay": _on_off(lock.passage_all_day),
        "weekDays": lock.passage_weekdays,
        "autoUnlock": _on_off(lock.passage_auto_unlock),
    }


def _weekdays(raw: str | None, current: list[int]) -> list[int]:
    if raw is None:
        return current
    try:
        days = json.loads(raw)
    except ValueError:
        raise CloudError(-3) from None
    if not isinstance(days, list) or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        raise CloudError(-3)
    return days


def _flag(call: Call, name: str, current: bool) -> bool:
    value = call.params.integer(name)
    if value not in (None, 1, 2):
        raise CloudError(-3)
    return current if value is None else value == 1


async def _config_passage_mode(call: Call) -> JSON:
    """Set passage mode: type 1 records a Bluetooth change, 2 goes through the gateway."""
    lock = call.lock()
    mode = call.params.require_int("passageMode")
    if mode not in (1, 2):
        raise CloudError(-3)
    if not lock.features >> FEATURE_PASSAGE_MODE & 1:
        raise CloudError(-4043)
    weekdays = _weekdays(call.params.get("weekDays"), lock.passage_weekdays)
    all_day = _flag(call, "isAllDay", lock.passage_all_day)
    auto_unlock = _flag(call, "autoUnlock", lock.passage_auto_unlock)
    if call.params.int_or("type", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    lock.passage_mode = mode == 1
    lock.passage_weekdays = weekdays
    lock.passage_all_day = all_day
    lock.passage_auto_unlock = auto_unlock
    lock.passage_start_minute = call.params.int_or("startDate", lock.passage_start_minute)
    lock.passage_end_minute = call.params.int_or("endDate", lock.passage_end_minute)
    return SUCCESS


async def _set_auto_lock_time(call: Call) -> JSON:
    """Auto lock after ``seconds`` (0 or -1: off); type 2 goes through the gateway."""
    lock = call.lock()
    seconds = call.params.require_int("seconds")
    if not lock.features >> FEATURE_AUTO_LOCK & 1:
        raise CloudError(-4043)
    if not -1 <= seconds <= MAX_AUTO_LOCK_SECONDS:
        raise CloudError(-4082)
    if call.params.int_or("type", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    lock.auto_lock_seconds = -1 if seconds <= 0 else seconds
    return SUCCESS


async def _update_setting(call: Call) -> JSON:
    """Switch a lock setting; changeType 2 goes through the gateway (10 is Bluetooth only)."""
    lock = call.lock()
    kind = call.params.require_int("type")
    value = call.params.require_int("value")
    if kind not in LockSetting.__members__.values():
        raise CloudError(-3)
    setting = LockSetting(kind)
    feature = SETTING_FEATURES.get(setting)
    if feature is None or not lock.features >> feature & 1:
        raise CloudError(-4043)
    valid = range(1, 6) if setting is LockSetting.VOLUME else (1, 2)
    if value not in valid:
        raise CloudError(-3)
    if call.params.int_or("changeType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    lock.settings[setting] = value
    return SUCCESS


async def _query_date(call: Call) -> JSON:
    """Read the lock's clock through the gateway (or Wi-Fi)."""
    lock = call.lock()
    async with call.cloud.relay(lock):
        return {"date": call.now + lock.clock_offset_ms}


async def _update_date(call: Call) -> JSON:
    """Set the lock's clock to the cloud's time; answers the lock's time after."""
    lock = call.lock()
    async with call.cloud.relay(lock):
        lock.clock_offset_ms = 0
        return {"date": call.now}


ROUTES: dict[str, Handler] = {
    "/v3/lock/list": _list_locks,
    "/v3/lock/detail": _detail,
    "/v3/lock/queryOpenState": _open_state,
    "/v3/lock/queryElectricQuantity": _battery,
    "/v3/lock/unlock": _unlock,
    "/v3/lock/lock": _lock_,
    "/v3/lock/getPassageModeConfig": _get_passage_mode,
    "/v3/lock/configPassageMode": _config_passage_mode,
    "/v3/lock/setAutoLockTime": _set_auto_lock_time,
    "/v3/lock/updateSetting": _update_setting,
    "/v3/lock/queryDate": _query_date,
    "/v3/lock/updateDate": _update_date,
}
