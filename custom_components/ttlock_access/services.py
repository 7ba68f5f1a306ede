"""The actions of TTLock Access: the passcode actions here, and their registration.

Registered in ``async_setup`` so they exist before (and whether or not) an entry loads.
They target locks (lock entities, battery sensors, devices, areas or labels; see
``action_inputs.py``); each lock's result is keyed by what was targeted, as entity
actions do. The guest stay actions are in ``guest_actions.py``, the card and
fingerprint actions in ``credential_actions.py``, the eKey actions in
``ekey_actions.py``, ``get_lock_users`` in ``access_actions.py``, the passage mode
schedule in ``lock_actions.py``.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    config_validation as cv,
)
from homeassistant.util import dt as dt_util
import probatio

from .access_actions import ACTIONS as ACCESS_ACTIONS
from .action_inputs import (
    ID_FIELD,
    NAME_FIELD,
    Target,
    action_error,
    read_moment,
    remaining,
    require_gateway,
    resolve_targets,
    single_target,
)
from .api import Passcode, PasscodeStatus
from .const import DOMAIN
from .credential_actions import ACTIONS as CREDENTIAL_ACTIONS
from .ekey_actions import ACTIONS as EKEY_ACTIONS
from .guest_actions import (
    CREATE_GUEST_PASSCODE_SCHEMA,
    GET_GUEST_CODE_SCHEMA,
    async_create_guest_passcode,
    async_get_guest_code,
)
from .lock_actions import ACTIONS as LOCK_ACTIONS
from .passcodes import (
    CUSTOM_CODE_MAX_LENGTH,
    Cycle,
    PasscodeKind,
    PasscodePlan,
    PasscodeRequest,
    PasscodeResult,
    ceil_hour,
    ceil_minute,
    floor_hour,
    floor_minute,
    iso_local,
    kind_of,
    mask_code,
    plan_passcode,
    validate_custom_code,
)

SERVICE_CREATE_PASSCODE: Final = "create_passcode"
SERVICE_CREATE_GUEST_PASSCODE: Final = "create_guest_passcode"
SERVICE_CHANGE_PASSCODE: Final = "change_passcode"
SERVICE_DELETE_PASSCODE: Final = "delete_passcode"
SERVICE_LIST_PASSCODES: Final = "list_passcodes"
SERVICE_GET_GUEST_CODE: Final = "get_guest_code"

ATTR_TYPE: Final = "type"
ATTR_NAME: Final = "name"
ATTR_CODE: Final = "code"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_CYCLE: Final = "cycle"
ATTR_START_HOUR: Final = "start_hour"
ATTR_END_HOUR: Final = "end_hour"
ATTR_CONFIRM: Final = "confirm"
ATTR_PASSCODE_ID: Final = "passcode_id"
ATTR_REVEAL: Final = "reveal"


_CODE = probatio.All(cv.string, probatio.Length(max=CUSTOM_CODE_MAX_LENGTH * 2))
_HOUR = probatio.All(probatio.Coerce(int), probatio.Range(min=0, max=23))

CREATE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_TYPE): probatio.Coerce(PasscodeKind),
        probatio.Required(ATTR_NAME): NAME_FIELD,
        probatio.Optional(ATTR_CODE): _CODE,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_CYCLE): probatio.Coerce(Cycle),
        probatio.Optional(ATTR_START_HOUR): _HOUR,
        probatio.Optional(ATTR_END_HOUR): _HOUR,
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)
CHANGE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_PASSCODE_ID): ID_FIELD,
        probatio.Optional(ATTR_CODE): _CODE,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_NAME): NAME_FIELD,
    }
)
DELETE_PASSCODE_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Required(ATTR_PASSCODE_ID): ID_FIELD}
)
LIST_PASSCODES_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Optional(ATTR_REVEAL, default=False): cv.boolean}
)


async def _create_all(
    items: list[tuple[Target, PasscodePlan, list[Passcode] | None]],
) -> list[tuple[Target, PasscodeResult]]:
    """Create one code per lock; if one fails, delete those already made."""
    done: list[tuple[Target, PasscodeResult]] = []
    for target, plan, existing in items:
        try:
            result = await target.manager.async_create(target.lock, plan, existing)
        except HomeAssistantError as err:
            await _roll_back(done, err)
            raise
        done.append((target, result))
    return done


async def _roll_back(done: list[tuple[Target, PasscodeResult]], err: HomeAssistantError) -> None:
    """Delete what a failing multi-lock call already created; report what stays."""
    left: list[str] = []
    for target, result in done:
        if not await target.manager.async_rollback(target.lock, result.passcode_id):
            left.append(f"{target.lock.name} #{result.passcode_id}")
    if left:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="passcodes_left_behind",
            translation_placeholders={"passcodes": ", ".join(left), "error": str(err)},
        ) from err


async def _async_create_passcode(call: ServiceCall) -> ServiceResponse:
    """Create a passcode on each targeted lock."""
    targets = resolve_targets(call.hass, call)
    data = call.data
    request = PasscodeRequest(
        kind=data[ATTR_TYPE],
        name=data[ATTR_NAME],
        code=data.get(ATTR_CODE),
        start=read_moment(data, ATTR_START),
        end=read_moment(data, ATTR_END),
        cycle=data.get(ATTR_CYCLE),
        start_hour=data.get(ATTR_START_HOUR),
        end_hour=data.get(ATTR_END_HOUR),
        confirm=data[ATTR_CONFIRM],
    )
    now = dt_util.now()
    plans = [(target, plan_passcode(request, target.lock, now)) for target in targets]
    # Every cloud-side check (quota, codes in use) passes before anything is created.
    prepared = [
        (target, plan, await target.manager.async_prepare(target.lock, plan))
        for target, plan in plans
    ]
    created = await _create_all(prepared)
    return {
        target.key: result.as_response() | {"quota_remaining": remaining(target)}
        for target, result in created
    }


async def _async_change_passcode(call: ServiceCall) -> ServiceResponse:
    """Change the value and/or period (and name) of a code on one lock."""
    target = single_target(call.hass, call)
    lock, manager = target.lock, target.manager
    data = call.data
    passcode_id: int = data[ATTR_PASSCODE_ID]
    new_code: str | None = data.get(ATTR_CODE)
    start, end = read_moment(data, ATTR_START), read_moment(data, ATTR_END)
    name: str | None = data.get(ATTR_NAME)
    if new_code is None and start is None and end is None and name is None:
        raise action_error("nothing_to_change")
    if new_code is not None:
        new_code = validate_custom_code(new_code)
    if new_code is not None or start is not None or end is not None:
        require_gateway(lock)  # a new name alone needs no lock operation
    existing = await manager.async_list(lock)
    passcode = next((p for p in existing if p.passcode_id == passcode_id), None)
    if passcode is None:
        raise action_error("unknown_passcode", passcode_id=str(passcode_id), lock_name=lock.name)
    if new_code is not None:
        if not passcode.is_custom:
            raise action_error("offline_code_value")
        if any(p.code == new_code and p.passcode_id != passcode_id for p in existing):
            raise action_error("code_in_use", lock_name=lock.name)
    new_start, new_end = passcode.start, passcode.end
    if start is not None or end is not None:
        new_end = end or passcode.end
        if new_end is None:
            raise action_error("missing_field", field=ATTR_END)
        new_start = start or passcode.start or dt_util.now()
        if passcode.is_custom:
            new_start, new_end = floor_minute(new_start), ceil_minute(new_end)
        else:
            new_start, new_end = floor_hour(new_start), ceil_hour(new_end)
        if new_end <= dt_util.now():
            raise action_error("window_in_past")
        if new_end <= new_start:
            raise action_error("end_before_start")
    period_changed = start is not None or end is not None
    await manager.async_change(
        lock,
        passcode_id,
        name=name,
        new_code=new_code,
        start=new_start if period_changed else None,
        end=new_end if period_changed else None,
    )
    result = PasscodeResult(
        lock_id=lock.lock_id,
        passcode_id=passcode_id,
        code=new_code or passcode.code,
        kind=kind_of(passcode),
        name=name or passcode.name,
        offline=not passcode.is_custom,
        valid_from=new_start,
        valid_to=new_end,
    )
    response = result.as_response()
    response.pop("warning", None)
    response.pop("must_be_used_by", None)
    return {target.key: response}


async def _async_delete_passcode(call: ServiceCall) -> ServiceResponse:
    """Delete a code from one lock through its gateway."""
    target = single_target(call.hass, call)
    lock, manager = target.lock, target.manager
    passcode_id: int = call.data[ATTR_PASSCODE_ID]
    require_gateway(lock)
    existing = await manager.async_list(lock)
    if not any(p.passcode_id == passcode_id for p in existing):
        raise action_error("unknown_passcode", passcode_id=str(passcode_id), lock_name=lock.name)
    await manager.async_delete(lock, passcode_id)
    await target.guests.async_forget_code(lock.lock_id, passcode_id)
    return {target.key: {"passcode_id": passcode_id, "deleted": True}}


def _listed(passcode: Passcode, *, reveal: bool) -> dict[str, Any]:
    kind = kind_of(passcode)
    status = passcode.status
    status_name: str | int | None = status
    if status is not None and status in PasscodeStatus:
        status_name = PasscodeStatus(status).name.lower()
    item: dict[str, Any] = {
        "passcode_id": passcode.passcode_id,
        "name": passcode.name,
        "code": passcode.code if reveal else mask_code(passcode.code),
        "type": kind.value,
        "valid_from": iso_local(passcode.start),
        "valid_to": iso_local(passcode.end),
        "created": iso_local(passcode.created),
        "status": status_name,
    }
    if kind is PasscodeKind.RECURRING:
        item["cycle"] = Cycle[passcode.type.name].value
    return item


async def _async_list_passcodes(call: ServiceCall) -> ServiceResponse:
    """List the codes of each targeted lock, masked unless asked to reveal them."""
    reveal: bool = call.data[ATTR_REVEAL]
    if reveal and call.context.user_id is not None:
        # Codes in clear are for administrators (automations run without a user).
        user = await call.hass.auth.async_get_user(call.context.user_id)
        if user is None or not user.is_admin:
            raise action_error("reveal_needs_admin")
    response: dict[str, Any] = {}
    for target in resolve_targets(call.hass, call):
        passcodes = await target.manager.async_list(target.lock)
        response[target.key] = {
            "passcodes": [_listed(passcode, reveal=reveal) for passcode in passcodes],
            "quota_remaining": remaining(target),
        }
    return response


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the passcode actions (from the integration's async_setup)."""
    for name, handler, schema, supports in (
        (
            SERVICE_CREATE_PASSCODE,
            _async_create_passcode,
            CREATE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_CREATE_GUEST_PASSCODE,
            async_create_guest_passcode,
            CREATE_GUEST_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_CHANGE_PASSCODE,
            _async_change_passcode,
            CHANGE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_DELETE_PASSCODE,
            _async_delete_passcode,
            DELETE_PASSCODE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_LIST_PASSCODES,
            _async_list_passcodes,
            LIST_PASSCODES_SCHEMA,
            SupportsResponse.ONLY,
        ),
        (
            SERVICE_GET_GUEST_CODE,
            async_get_guest_code,
            GET_GUEST_CODE_SCHEMA,
            SupportsResponse.ONLY,
        ),
        *CREDENTIAL_ACTIONS,
        *EKEY_ACTIONS,
        *ACCESS_ACTIONS,
        *LOCK_ACTIONS,
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports
        )
