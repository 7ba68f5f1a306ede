"""The card and fingerprint actions of TTLock Access.

``list_credentials`` (each targeted lock's cards and fingerprints: ids, names, windows,
never their numbers), ``add_card`` (by the number a card reader shows, permanent or for
a window, through the gateway), ``rename_credential`` (a cloud record: no gateway
needed), ``change_credential_period`` (through the gateway; a card or fingerprint cannot
become permanent again) and ``delete_credential`` (through the gateway). Fingerprints
cannot be enrolled through the cloud: they are added at the lock with the TTLock app.

Cost: a list is two calls per lock; a change one call plus the lock's two list calls that
show the result; an added card whose answer was lost is looked up, never added twice.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
import probatio

from .access import LockCredentials
from .action_inputs import (
    ID_FIELD,
    NAME_FIELD,
    Target,
    action_error,
    read_window,
    resolve_targets,
    single_target,
)
from .api import CredentialKind, Fingerprint, IdentityCard, TTLockError
from .const import DOMAIN
from .errors import IN_DOUBT, cloud_error
from .passcodes import iso_local

SERVICE_LIST_CREDENTIALS: Final = "list_credentials"
SERVICE_ADD_CARD: Final = "add_card"
SERVICE_RENAME_CREDENTIAL: Final = "rename_credential"
SERVICE_CHANGE_CREDENTIAL_PERIOD: Final = "change_credential_period"
SERVICE_DELETE_CREDENTIAL: Final = "delete_credential"

ATTR_KIND: Final = "kind"
ATTR_CREDENTIAL_ID: Final = "credential_id"
ATTR_CARD_NUMBER: Final = "card_number"
ATTR_NAME: Final = "name"
ATTR_START: Final = "start"
ATTR_END: Final = "end"

# A card number as a reader shows it: decimal digits.
CARD_NUMBER_FIELD = probatio.All(
    cv.string, probatio.Match(r"^[0-9]{1,20}$", msg="digits only, at most 20")
)
KIND_FIELD = probatio.In([kind.value for kind in CredentialKind])

LIST_CREDENTIALS_SCHEMA: Final = cv.make_entity_service_schema({})
ADD_CARD_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_CARD_NUMBER): CARD_NUMBER_FIELD,
        probatio.Required(ATTR_NAME): NAME_FIELD,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
    }
)
RENAME_CREDENTIAL_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_KIND): KIND_FIELD,
        probatio.Required(ATTR_CREDENTIAL_ID): ID_FIELD,
        probatio.Required(ATTR_NAME): NAME_FIELD,
    }
)
CHANGE_CREDENTIAL_PERIOD_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_KIND): KIND_FIELD,
        probatio.Required(ATTR_CREDENTIAL_ID): ID_FIELD,
        probatio.Required(ATTR_START): cv.datetime,
        probatio.Required(ATTR_END): cv.datetime,
    }
)
DELETE_CREDENTIAL_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_KIND): KIND_FIELD,
        probatio.Required(ATTR_CREDENTIAL_ID): ID_FIELD,
    }
)


def _card(card: IdentityCard) -> dict[str, Any]:
    return {
        "card_id": card.card_id,
        "name": card.name,
        "valid_from": iso_local(card.start),
        "valid_to": iso_local(card.end),
        "permanent": card.start is None and card.end is None,
    }


def _fingerprint(fingerprint: Fingerprint) -> dict[str, Any]:
    return {
        "fingerprint_id": fingerprint.fingerprint_id,
        "name": fingerprint.name,
        "valid_from": iso_local(fingerprint.start),
        "valid_to": iso_local(fingerprint.end),
        "permanent": fingerprint.start is None and fingerprint.end is None,
    }


def _require_gateway(target: Target) -> None:
    """Refuse a change that needs the lock's gateway (or Wi-Fi) when it has none."""
    if not target.lock.is_remote:
        raise action_error("credential_gateway_required", lock_name=target.lock.name)


async def _read(target: Target) -> LockCredentials:
    """Read the lock's cards and fingerprints now; failures as translated errors."""
    try:
        return await target.entry.runtime_data.credentials.async_read_lock(target.lock)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err


def _require(target: Target, kind: CredentialKind) -> None:
    lock = target.lock
    supported = lock.supports_cards if kind is CredentialKind.CARD else lock.supports_fingerprints
    if not supported:
        raise action_error(f"{kind.value}s_not_supported", lock_name=lock.name)


async def _known(target: Target, kind: CredentialKind, credential_id: int) -> None:
    """Refuse an id the lock does not have (read fresh: it may have changed in the app)."""
    _require(target, kind)
    credentials = await _read(target)
    ids = (
        {card.card_id for card in credentials.cards}
        if kind is CredentialKind.CARD
        else {fingerprint.fingerprint_id for fingerprint in credentials.fingerprints}
    )
    if credential_id not in ids:
        raise action_error(
            "unknown_credential",
            kind=kind.value,
            credential_id=str(credential_id),
            lock_name=target.lock.name,
        )


async def async_list_credentials(call: ServiceCall) -> ServiceResponse:
    """Return the cards and fingerprints of each targeted lock (never their numbers)."""
    response: dict[str, Any] = {}
    for target in resolve_targets(call.hass, call):
        credentials = await _read(target)
        response[target.key] = {
            "cards": [_card(card) for card in credentials.cards],
            "fingerprints": [_fingerprint(item) for item in credentials.fingerprints],
        }
    return response


def _reversed(number: str) -> str:
    """Return the number as the cloud lists a card added by its reader number."""
    value = int(number)
    if value >= 1 << 32:
        return number
    return str(int.from_bytes(value.to_bytes(4, "little"), "big"))


def _added(credentials: LockCredentials, number: str, name: str) -> IdentityCard | None:
    """Return the card an add with this number and name made, if the lock has it."""
    numbers = {number, _reversed(number)}
    return next(
        (card for card in credentials.cards if card.number in numbers and card.name == name),
        None,
    )


async def async_add_card(call: ServiceCall) -> ServiceResponse:
    """Add an IC card to one lock by its number, through the gateway."""
    target = single_target(call.hass, call)
    lock = target.lock
    _require(target, CredentialKind.CARD)
    _require_gateway(target)
    number: str = call.data[ATTR_CARD_NUMBER]
    name: str = call.data[ATTR_NAME].strip()
    start, end = read_window(call.data, required=False, incomplete="credential_window_incomplete")
    before = await _read(target)
    if (existing := _added(before, number, name)) is not None:
        return {target.key: _card(existing) | {"added": False}}  # asked twice: one card
    client = target.entry.runtime_data.client
    try:
        await client.add_card(lock.lock_id, number, name, start=start, end=end)
    except IN_DOUBT as err:
        # The answer was lost: the card may be on the lock all the same. Look, never re-add.
        if (card := _added(await _read(target), number, name)) is not None:
            return {target.key: _card(card) | {"added": True}}
        raise cloud_error(err, lock.name) from err
    except TTLockError as err:
        raise cloud_error(err, lock.name) from err
    card = _added(await _read(target), number, name)
    if card is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="card_not_listed",
            translation_placeholders={"lock_name": lock.name},
        )
    return {target.key: _card(card) | {"added": True}}


async def async_rename_credential(call: ServiceCall) -> ServiceResponse:
    """Rename a card or fingerprint of one lock (no gateway needed)."""
    target = single_target(call.hass, call)
    kind = CredentialKind(call.data[ATTR_KIND])
    credential_id: int = call.data[ATTR_CREDENTIAL_ID]
    name: str = call.data[ATTR_NAME].strip()
    await _known(target, kind, credential_id)
    client = target.entry.runtime_data.client
    try:
        await client.rename_credential(kind, target.lock.lock_id, credential_id, name)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    await _read(target)
    return {target.key: {"kind": kind.value, "credential_id": credential_id, "name": name}}


async def async_change_credential_period(call: ServiceCall) -> ServiceResponse:
    """Give a card or fingerprint of one lock a new window, through the gateway."""
    target = single_target(call.hass, call)
    kind = CredentialKind(call.data[ATTR_KIND])
    credential_id: int = call.data[ATTR_CREDENTIAL_ID]
    start, end = read_window(call.data, required=True, incomplete="credential_window_incomplete")
    assert start is not None
    assert end is not None
    _require_gateway(target)
    await _known(target, kind, credential_id)
    client = target.entry.runtime_data.client
    try:
        await client.change_credential_period(kind, target.lock.lock_id, credential_id, start, end)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    await _read(target)
    return {
        target.key: {
            "kind": kind.value,
            "credential_id": credential_id,
            "valid_from": iso_local(start),
            "valid_to": iso_local(end),
        }
    }


async def async_delete_credential(call: ServiceCall) -> ServiceResponse:
    """Delete a card or fingerprint from one lock, through the gateway."""
    target = single_target(call.hass, call)
    kind = CredentialKind(call.data[ATTR_KIND])
    credential_id: int = call.data[ATTR_CREDENTIAL_ID]
    _require_gateway(target)
    await _known(target, kind, credential_id)
    client = target.entry.runtime_data.client
    try:
        await client.delete_credential(kind, target.lock.lock_id, credential_id)
    except TTLockError as err:
        raise cloud_error(err, target.lock.name) from err
    await _read(target)
    return {target.key: {"kind": kind.value, "credential_id": credential_id, "deleted": True}}


# (name, handler, schema, response) of each action here, for services.py to register.
ACTIONS: Final = (
    (
        SERVICE_LIST_CREDENTIALS,
        async_list_credentials,
        LIST_CREDENTIALS_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (SERVICE_ADD_CARD, async_add_card, ADD_CARD_SCHEMA, SupportsResponse.OPTIONAL),
    (
        SERVICE_RENAME_CREDENTIAL,
        async_rename_credential,
        RENAME_CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_CHANGE_CREDENTIAL_PERIOD,
        async_change_credential_period,
        CHANGE_CREDENTIAL_PERIOD_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_DELETE_CREDENTIAL,
        async_delete_credential,
        DELETE_CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
)
