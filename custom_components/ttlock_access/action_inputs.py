"""What an action receives: the locks it targets and the fields it is given, checked.

Shared by the passcode actions (``services.py``) and the guest stay actions
(``guest_actions.py``). Every field is checked before any cloud call; a bad one gets a
translated ServiceValidationError naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
import unicodedata

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    target as target_helpers,
)
from homeassistant.util import dt as dt_util
import probatio

from .api import Lock
from .const import DOMAIN
from .guest_scheduler import GuestScheduler
from .passcode_manager import PasscodeManager
from .stays import EARLIEST_MOMENT, LATEST_MOMENT

if TYPE_CHECKING:
    from .data import TTLockConfigEntry


def _printable(value: str) -> str:
    """Return a name as the cloud and the TTLock app show it: trimmed, no control codes."""
    value = value.strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in value):
        raise probatio.Invalid("control characters are not allowed")
    return value


NAME_FIELD = probatio.All(cv.string, _printable, probatio.Length(min=1, max=100))
TEXT_FIELD = probatio.All(cv.string, probatio.Length(max=1000))
ID_FIELD = probatio.All(cv.positive_int, probatio.Range(max=2**53))
# A string first: Home Assistant's entity id check fails with a TypeError on a number.
CALENDAR_FIELD = probatio.All(cv.string, cv.entity_domain("calendar"))
LOCK_ENTITY_FIELD = probatio.All(cv.string, cv.entity_domain("lock"))


def action_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated refusal of an action."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Read action datetimes without a zone in Home Assistant's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def read_moment(data: dict[str, Any] | Any, field: str) -> datetime | None:
    """Read one datetime field of an action: aware, and within years the cloud takes."""
    value = _aware(data.get(field))
    if value is not None and not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        raise action_error(
            "date_out_of_range",
            field=field,
            earliest=EARLIEST_MOMENT.date().isoformat(),
            latest=LATEST_MOMENT.date().isoformat(),
        )
    return value


def read_window(
    data: dict[str, Any] | Any, *, required: bool, incomplete: str
) -> tuple[datetime | None, datetime | None]:
    """Read ``start`` and ``end``: both or neither (both if ``required``), start first.

    ``incomplete``: the translation key that says what a lone start or end lacks.
    """
    start, end = read_moment(data, "start"), read_moment(data, "end")
    if (start is None) != (end is None) or (required and start is None):
        raise action_error(incomplete)
    if start is not None and end is not None and end <= start:
        raise action_error("end_before_start")
    return start, end


@dataclass(frozen=True, slots=True)
class Target:
    """One targeted lock of a loaded entry."""

    key: str  # the lock entity id, else the device id: keys the response
    entry: TTLockConfigEntry
    lock: Lock

    @property
    def manager(self) -> PasscodeManager:
        """The passcode manager of the lock's entry."""
        return self.entry.runtime_data.passcodes

    @property
    def guests(self) -> GuestScheduler:
        """The guest scheduler of the lock's entry."""
        return self.entry.runtime_data.guests


def lock_id_of_device(device: dr.DeviceEntry) -> int | None:
    """Return the lock id of one of this integration's lock devices (else None)."""
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier.startswith("lock_"):
            return int(identifier.removeprefix("lock_"))
    return None


@callback
def resolve_targets(hass: HomeAssistant, call: ServiceCall) -> list[Target]:
    """Find the locks a call targets; unknown or foreign explicit targets are errors.

    A lock is its device: target the device, or any entity of it (a lock without a
    gateway has no lock entity, only sensors). Each lock's result is keyed by what was
    targeted: the entity id or device id given, else (areas, labels) the lock entity id
    or, without one, the device id.
    """
    selection = target_helpers.TargetSelection(call.data)
    selected = target_helpers.async_extract_referenced_entity_ids(hass, selection)
    ent_reg = er.async_get(hass)
    dev_reg = dr.async_get(hass)
    found: dict[tuple[str, int], str] = {}  # (entry_id, lock_id) -> response key

    def lock_of_device(device_id: str | None) -> tuple[str, int] | None:
        device = dev_reg.async_get(device_id) if device_id else None
        if not isinstance(device, dr.DeviceEntry):
            return None
        lock_id = lock_id_of_device(device)
        return None if lock_id is None else (device.config_entry_id, lock_id)

    def lock_of_entity(entity_id: str) -> tuple[tuple[str, int], er.RegistryEntry] | None:
        entity = ent_reg.async_get(entity_id)
        if entity is None or entity.platform != DOMAIN:
            return None
        lock = lock_of_device(entity.device_id)
        return None if lock is None else (lock, entity)

    for entity_id in sorted(selected.referenced):
        if (resolved := lock_of_entity(entity_id)) is None:
            raise action_error("unknown_lock", target=entity_id)
        found.setdefault(resolved[0], entity_id)
    for device_id in sorted(selection.device_ids):
        if (lock := lock_of_device(device_id)) is None:
            raise action_error("unknown_lock", target=device_id)
        found.setdefault(lock, device_id)
    for entity_id in sorted(selected.indirectly_referenced):
        if (resolved := lock_of_entity(entity_id)) is not None:
            lock, entity = resolved
            if entity.domain == Platform.LOCK:
                found[lock] = found.get(lock) or entity_id
            else:
                found.setdefault(lock, cast("str", entity.device_id))
        # Other entities in a targeted area or label are simply not locks.

    if not found:
        raise action_error("no_lock_targeted")
    targets: list[Target] = []
    for (entry_id, lock_id), key in found.items():
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:  # pragma: no cover - registry says ours
            raise action_error("unknown_lock", target=key)
        if entry.state is not ConfigEntryState.LOADED:
            raise action_error("entry_not_loaded", entry=entry.title)
        entry = cast("TTLockConfigEntry", entry)
        lock_data = entry.runtime_data.locks.data.get(lock_id)
        if lock_data is None:
            raise action_error("unknown_lock", target=key)
        targets.append(Target(key, entry, lock_data.lock))
    return targets


def single_target(hass: HomeAssistant, call: ServiceCall) -> Target:
    """Return the one lock a call targets (more than one is refused)."""
    targets = resolve_targets(hass, call)
    if len(targets) != 1:
        raise action_error("single_lock_required")
    return targets[0]


def require_gateway(lock: Lock) -> None:
    """Refuse an action that needs the lock's gateway (or Wi-Fi) when it has none."""
    if not lock.is_remote:
        raise action_error("gateway_required", lock_name=lock.name)


def lock_id_of_entity(hass: HomeAssistant, entity_id: str) -> int:
    """Return the TTLock lock id behind an entity of this integration."""
    entity = er.async_get(hass).async_get(entity_id)
    device = (
        dr.async_get(hass).async_get(entity.device_id)
        if entity is not None and entity.platform == DOMAIN and entity.device_id
        else None
    )
    lock_id = lock_id_of_device(device) if isinstance(device, dr.DeviceEntry) else None
    if lock_id is None:
        raise action_error("unknown_lock", target=entity_id)
    return lock_id


def remaining(target: Target) -> int | None:
    """Codes the target lock may still get this month (None: unlimited)."""
    return target.manager.remaining(target.lock.lock_id)
