"""The eKey actions: send, change the window of, freeze and delete TTLock app keys.

An eKey is a TTLock app account's key to a lock (family, staff): a cloud record, no lock
operation, so no gateway is needed. ``send_ekey`` sends one (permanent or for a window,
with or without remote unlock from the app, or recurring: on some weekdays between two
times, from the start's day to the end's day); sending again to the same account
replaces its key to the lock. A recurring key is the cloud's keyType 4, whose weekdays
count from Sunday (converted here: the action's weekdays are named); TTLock says the app,
not the lock, enforces it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from .action_inputs import (
    ID_FIELD,
    NAME_FIELD,
    Target,
    action_error,
    read_window,
    single_target,
)
from .api import EKey, TTLockError, TTLockInvalidParameterError, TTLockNotFoundError
from .const import CONF_USERNAME
from .errors import cloud_error
from .lock_actions import WEEKDAYS
from .passcodes import iso_local

SERVICE_SEND_EKEY: Final = "send_ekey"
SERVICE_CHANGE_EKEY_PERIOD: Final = "change_ekey_period"
SERVICE_FREEZE_EKEY: Final = "freeze_ekey"
SERVICE_DELETE_EKEY: Final = "delete_ekey"

ATTR_ACCOUNT: Final = "account"
ATTR_NAME: Final = "name"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_REMOTE_UNLOCK: Final = "remote_unlock"
ATTR_EKEY_ID: Final = "ekey_id"
ATTR_FROZEN: Final = "frozen"
ATTR_WEEKDAYS: Final = "weekdays"

# A TTLock account: an email address or a phone number (digits, an optional +).
ACCOUNT_FIELD = probatio.All(
    cv.string,
    probatio.Length(min=3, max=100),
    probatio.Match(r"^(\+?[0-9]{5,20}|[^@\s]+@[^@\s]+\.[^@\s]+)$", msg="an email or a phone"),
)

SEND_EKEY_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_ACCOUNT): ACCOUNT_FIELD,
        probatio.Required(ATTR_NAME): NAME_FIELD,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_REMOTE_UNLOCK, default=False): cv.boolean,
        probatio.Optional(ATTR_WEEKDAYS): probatio.All(
            cv.ensure_list, [probatio.In(WEEKDAYS)], probatio.Length(min=1, max=7)
        ),
    }
)
CHANGE_EKEY_PERIOD_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_EKEY_ID): ID_FIELD,
        probatio.Required(ATTR_START): cv.datetime,
        probatio.Required(ATTR_END): cv.datetime,
    }
)
FREEZE_EKEY_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Required(ATTR_EKEY_ID): ID_FIELD, probatio.Required(ATTR_FROZEN): cv.boolean}
)
DELETE_EKEY_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Required(ATTR_EKEY_ID): ID_FIELD}
)


def _local_time(moment: datetime | None) -> str | None:
    return None if moment is None else dt_util.as_local(moment).strftime("%H:%M")


def _key(key: EKey) -> dict[str, Any]:
    return {
        "ekey_id": key.key_id,
        "account": key.username,
        "name": key.name,
        "valid_from": iso_local(key.start),
        "valid_to": iso_local(key.end),
        "permanent": key.start is None and key.end is None,
        "frozen": key.frozen,
        "remote_unlock": key.remote_unlock,
    } | (
        {
            "weekdays": [WEEKDAYS[day - 1] for day in key.weekdays],
            "daily_from": _local_time(key.daily_start),
            "daily_to": _local_time(key.daily_end),
        }
        if key.weekdays
        else {}
    )


async def _keys(target: Target) -> tuple[EKey, ...]:
    try:
        credentials = await target.entry.runtime_data.credentials.async_read_lock(target.lock)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    return credentials.keys


async def _known(target: Target, key_id: int) -> EKey:
    """Return the lock's key with this id (read fresh), else refuse."""
    key = next((key for key in await _keys(target) if key.key_id == key_id), None)
    if key is None:
        raise action_error("unknown_ekey", ekey_id=str(key_id), lock_name=target.lock.name)
    return key


async def async_send_ekey(call: ServiceCall) -> ServiceResponse:
    """Send an eKey of one lock to a TTLock account."""
    target = single_target(call.hass, call)
    lock = target.lock
    weekdays = tuple(sorted({WEEKDAYS.index(day) + 1 for day in call.data.get(ATTR_WEEKDAYS, [])}))
    start, end = read_window(
        call.data, required=bool(weekdays), incomplete="ekey_window_incomplete"
    )
    if weekdays and start is not None and end is not None and end.time() <= start.time():
        raise action_error("ekey_daily_times")
    account: str = call.data[ATTR_ACCOUNT].strip()
    if account.casefold() == str(target.entry.data[CONF_USERNAME]).casefold():
        # The account the integration logs in with administers the lock: no call needed.
        raise action_error("ekey_to_admin", lock_name=lock.name)
    client = target.entry.runtime_data.client
    try:
        key_id = await client.send_key(
            lock.lock_id,
            account,
            call.data[ATTR_NAME].strip(),
            start=start,
            end=end,
            remote_unlock=call.data[ATTR_REMOTE_UNLOCK],
            weekdays=weekdays,
        )
    except TTLockNotFoundError as err:
        raise action_error("ekey_account_unknown", account=account) from err
    except TTLockInvalidParameterError as err:
        if err.errcode in (-2019, -2020):
            raise action_error("ekey_to_admin", lock_name=lock.name) from err
        raise cloud_error(err, lock.name) from err
    except TTLockError as err:
        raise cloud_error(err, lock.name) from err
    key = next((key for key in await _keys(target) if key.key_id == key_id), None)
    return {target.key: _key(key) if key else {"ekey_id": key_id, "account": account}}


async def async_change_ekey_period(call: ServiceCall) -> ServiceResponse:
    """Give an eKey of one lock a new window."""
    target = single_target(call.hass, call)
    start, end = read_window(call.data, required=True, incomplete="ekey_window_incomplete")
    assert start is not None
    assert end is not None
    key = await _known(target, call.data[ATTR_EKEY_ID])
    try:
        await target.entry.runtime_data.client.change_key_period(key.key_id, start, end)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    changed = await _known(target, key.key_id)
    return {target.key: _key(changed)}


async def async_freeze_ekey(call: ServiceCall) -> ServiceResponse:
    """Freeze an eKey of one lock (it stops opening the lock) or unfreeze it."""
    target = single_target(call.hass, call)
    key = await _known(target, call.data[ATTR_EKEY_ID])
    frozen: bool = call.data[ATTR_FROZEN]
    try:
        await target.entry.runtime_data.client.set_key_frozen(key.key_id, frozen)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    changed = await _known(target, key.key_id)
    return {target.key: _key(changed)}


async def async_delete_ekey(call: ServiceCall) -> ServiceResponse:
    """Delete an eKey of one lock."""
    target = single_target(call.hass, call)
    key = await _known(target, call.data[ATTR_EKEY_ID])
    try:
        await target.entry.runtime_data.client.delete_key(key.key_id)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    await _keys(target)
    return {target.key: {"ekey_id": key.key_id, "deleted": True}}


# (name, handler, schema, response) of each action here, for services.py to register.
ACTIONS: Final = (
    (SERVICE_SEND_EKEY, async_send_ekey, SEND_EKEY_SCHEMA, SupportsResponse.OPTIONAL),
    (
        SERVICE_CHANGE_EKEY_PERIOD,
        async_change_ekey_period,
        CHANGE_EKEY_PERIOD_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (SERVICE_FREEZE_EKEY, async_freeze_ekey, FREEZE_EKEY_SCHEMA, SupportsResponse.OPTIONAL),
    (SERVICE_DELETE_EKEY, async_delete_ekey, DELETE_EKEY_SCHEMA, SupportsResponse.OPTIONAL),
)
