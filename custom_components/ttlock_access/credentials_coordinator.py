"""Everything that opens the account's locks: passcodes, IC cards, fingerprints, eKeys.

All four are cloud records of each lock (``lock/listKeyboardPwd``, ``identityCard/list``,
``fingerprint/list``, ``lock/listKey``): read at setup, at the plan's settings pace
(weekly, stretched when the month runs hot), and for one lock after a change from Home
Assistant or when an action asks. Cost: up to four calls per lock and read. They feed
the card and fingerprint counts, the lock's access calendar and ``get_lock_users``.
Codes and card and fingerprint numbers are secrets: kept here for matching only, never
logged, shown or returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .api import (
    EKey,
    Fingerprint,
    IdentityCard,
    Lock,
    Passcode,
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
    """What opens a lock, as last read."""

    passcodes: tuple[Passcode, ...] = ()
    cards: tuple[IdentityCard, ...] = ()
    fingerprints: tuple[Fingerprint, ...] = ()
    keys: tuple[EKey, ...] = ()


class TTLockCredentialsCoordinator(TTLockCoordinator[dict[int, LockCredentials]]):
    """What opens each lock."""

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
        return {lock_id: await self._async_read(lock) for lock_id, lock in self._locks().items()}

    async def _async_read(self, lock: Lock) -> LockCredentials:
        lock_id = lock.lock_id
        try:
            passcodes = tuple(await self.client.list_passcodes(lock_id))
            cards = tuple(await self.client.list_cards(lock_id)) if lock.supports_cards else ()
            fingerprints = (
                tuple(await self.client.list_fingerprints(lock_id))
                if lock.supports_fingerprints
                else ()
            )
            keys = tuple(await self.client.list_keys(lock_id))
        except TTLockNotFoundError, TTLockNotSupportedError:
            return LockCredentials()
        return LockCredentials(
            passcodes=passcodes, cards=cards, fingerprints=fingerprints, keys=keys
        )

    async def async_read_lock(self, lock: Lock) -> LockCredentials:
        """Read what opens one lock now (raises TTLockError) and show it."""
        credentials = await self._async_read(lock)
        self.async_publish({**(self.data or {}), lock.lock_id: credentials})
        return credentials
