"""Sensors of a lock's IC cards and fingerprints: how many it has (never their numbers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import override

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .access import LockAccess
from .api import Lock
from .const import DEVICE_LOCK
from .credentials_coordinator import TTLockCredentialsCoordinator
from .data import TTLockConfigEntry
from .devices import device_identifier
from .entity import async_add_entities_dynamically


@dataclass(frozen=True, kw_only=True)
class CredentialCountDescription(SensorEntityDescription):
    """How many of one kind of credential a lock has."""

    exists_fn: Callable[[Lock], bool]
    count_fn: Callable[[LockAccess], int]


CREDENTIAL_COUNTS: tuple[CredentialCountDescription, ...] = (
    CredentialCountDescription(
        key="cards",
        translation_key="cards",
        state_class=SensorStateClass.MEASUREMENT,
        exists_fn=lambda lock: lock.supports_cards,
        count_fn=lambda view: view.cards,
    ),
    CredentialCountDescription(
        key="fingerprints",
        translation_key="fingerprints",
        state_class=SensorStateClass.MEASUREMENT,
        exists_fn=lambda lock: lock.supports_fingerprints,
        count_fn=lambda view: view.fingerprints,
    ),
)


def async_setup_credential_sensors(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a card and a fingerprint count per lock that reads them."""
    locks, credentials = entry.runtime_data.locks, entry.runtime_data.credentials

    def candidates() -> dict[str, Callable[[], Entity]]:
        return {
            f"{lock_id}_{description.key}": partial(
                TTLockCredentialCount, credentials, lock_id, description
            )
            for lock_id, data in locks.data.items()
            for description in CREDENTIAL_COUNTS
            if description.exists_fn(data.lock)
        }

    async_add_entities_dynamically(entry, async_add_entities, candidates, locks)


class TTLockCredentialCount(CoordinatorEntity[TTLockCredentialsCoordinator], SensorEntity):
    """How many cards (or fingerprints) a lock has, as last read."""

    _attr_has_entity_name = True
    entity_description: CredentialCountDescription

    def __init__(
        self,
        coordinator: TTLockCredentialsCoordinator,
        lock_id: int,
        description: CredentialCountDescription,
    ) -> None:
        """Initialise the sensor on the lock's device."""
        super().__init__(coordinator)
        self.lock_id = lock_id
        self.entity_description = description
        self._attr_unique_id = f"{lock_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(DEVICE_LOCK, lock_id)})

    @property
    @override
    def available(self) -> bool:
        return super().available and self.lock_id in (self.coordinator.data or {})

    @property
    @override
    def native_value(self) -> int | None:
        credentials = (self.coordinator.data or {}).get(self.lock_id)
        return None if credentials is None else self.entity_description.count_fn(credentials)
