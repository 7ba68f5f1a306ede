"""``get_lock_users``: who can enter each targeted lock, in core's lock-users shape.

Like Matter's ``get_lock_users`` and Z-Wave JS's ``get_users``: every credential of the
lock (passcodes, IC cards, fingerprints, eKeys) with its type, id, name, window, status
and source (a guest stay, or who sent it), never a code or a card number. Reads the
lock's lists fresh (up to four calls per lock); the same lists feed the access calendar.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .access import Access, accesses
from .action_inputs import Target, resolve_targets
from .api import TTLockError
from .errors import cloud_error
from .lock_actions import WEEKDAYS
from .passcodes import iso_local
from .stays import PlanStatus

SERVICE_GET_LOCK_USERS: Final = "get_lock_users"
GET_LOCK_USERS_SCHEMA: Final = cv.make_entity_service_schema({})


def _guests(target: Target) -> dict[int, str]:
    """Passcode id -> guest, for the lock's codes that guest access made."""
    return {
        plan.passcode_id: plan.guest
        for plan in target.guests.plans.values()
        if plan.lock_id == target.lock.lock_id
        and plan.passcode_id is not None
        and plan.status in (PlanStatus.CREATED, PlanStatus.LEFT_ON_LOCK)
    }


def _user(access: Access, guests: dict[int, str]) -> dict[str, Any]:
    guest = guests.get(access.credential_id) if access.kind == "passcode" else None
    user: dict[str, Any] = {
        "type": access.kind,
        "credential_id": access.credential_id,
        "name": access.name,
        "valid_from": iso_local(access.start),
        "valid_to": iso_local(access.end),
        "permanent": access.start is None and access.end is None,
        "status": access.status.value,
        "source": "guest_stay" if guest is not None else "account",
        "sent_by": access.sender,
    }
    if guest is not None:
        user["guest"] = guest
    if access.kind == "passcode":
        user["passcode_type"] = access.detail
    if access.kind == "ekey":
        user["account"] = access.detail
    if access.weekdays and access.daily is not None:
        user["weekdays"] = [WEEKDAYS[day - 1] for day in access.weekdays]
        user["daily_from"] = access.daily[0].strftime("%H:%M")
        user["daily_to"] = access.daily[1].strftime("%H:%M")
    return user


async def async_get_lock_users(call: ServiceCall) -> ServiceResponse:
    """Return who can enter each targeted lock (never a code or a card number)."""
    response: dict[str, Any] = {}
    now = dt_util.utcnow()
    for target in resolve_targets(call.hass, call):
        try:
            credentials = await target.entry.runtime_data.credentials.async_read_lock(target.lock)
        except TTLockError as err:
            raise cloud_error(err, target.lock.name) from err
        guests = _guests(target)
        users = [_user(access, guests) for access in accesses(credentials, now)]
        response[target.key] = {"users": users}
    return response


# (name, handler, schema, response) of each action here, for services.py to register.
ACTIONS: Final = (
    (SERVICE_GET_LOCK_USERS, async_get_lock_users, GET_LOCK_USERS_SCHEMA, SupportsResponse.ONLY),
)
