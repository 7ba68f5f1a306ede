"""The IC cards and fingerprints of the account's locks.

Cards and fingerprints are cloud records of each lock (``identityCard/list``,
``fingerprint/list``): read for each lock that reads them at setup, at the plan's
settings pace (weekly, stretched when the month runs hot), and for one lock after a
change from Home Assistant or when the ``list_credentials`` action asks. Cost: two calls
per lock and read. Card and fingerprint numbers are credentials: kept here for matching
only, never logged, shown or returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .api import (
    Fingerprint,
    IdentityCard,
    Lock,
    TTLockClient,
    TTLockNotFoundError,
    TTLockNotSupportedError,
)
from .coordinator import TTLockCoordinator
from .planner import SETTINGS_INTERVAL

if TYPE_CHECKING:
    from .allowance import AllowanceManager


@dataclass(frozen=True, slots=True)
class LockCredentials:
    """What a lock's cards and fingerprints are, as last read."""

    cards: tuple[IdentityCard, ...] = ()
    fingerprints: tuple[Fingerprint, ...] = ()


def reads_credentials(lock: Lock) -> bool:
    """Whether a lock reads cards or fingerprints (featureValue bits 1 and 2)."""
    return lock.supports_cards or lock.supports_fingerprints


class TTLockCredentialsCoordinator(TTLockCoordinator[dict[int, LockCredentials]]):
    """Cards and fingerprints per lock."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        allowance: AllowanceManager,
        locks: Callable[[], Mapping[int, Lock]],
    ) -> None:
        """Follow the locks ``locks`` returns (the locks coordinator's live view)."""
        super().__init__(
            hass,
            entry,
            client,
            allowance,
            name="TTLock credentials",
            update_interval=SETTINGS_INTERVAL,
        )
        self._locks = locks

    @override
    async def _async_update_data(self) -> dict[int, LockCredentials]:
        data = await self._async_guarded(self._async_fetch)
        self.update_interval = self._plan().settings
        return data

    async def _async_fetch(self) -> dict[int, LockCredentials]:
        return {
            lock_id: await self._async_read(lock)
            for lock_id, lock in self._locks().items()
            if reads_credentials(lock)
        }

    async def _async_read(self, lock: Lock) -> LockCredentials:
        try:
            cards = tuple(await self.client.list_cards(lock.lock_id)) if lock.supports_cards else ()
            fingerprints = (
                tuple(await self.client.list_fingerprints(lock.lock_id))
                if lock.supports_fingerprints
                else ()
            )
        except TTLockNotFoundError, TTLockNotSupportedError:
            return LockCredentials()
        return LockCredentials(cards=cards, fingerprints=fingerprints)

    async def async_read_lock(self, lock: Lock) -> LockCredentials:
        """Read one lock's cards and fingerprints now (raises TTLockError) and show them."""
        credentials = await self._async_read(lock)
        self.async_publish({**(self.data or {}), lock.lock_id: credentials})
        return credentials
