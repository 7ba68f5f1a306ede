"""Everything that opens the account's locks: passcodes, IC cards, fingerprints, eKeys.

All four are cloud records of each lock (``lock/listKeyboardPwd``, ``identityCard/list``,
``fingerprint/list``, ``lock/listKey``). Each lock's are read when first seen, then at the
plan's settings pace (weekly, stretched when the month runs hot), and after a change
from Home Assistant or when an action asks. What they show (windows, names, counts;
never a code or a number) is kept in a private store, so a restart reads nothing that is
not due. Cost: up to four calls per lock and read. They feed the card and fingerprint
counts, the lock's access calendar and ``get_lock_users``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .access import Access, LockAccess, LockCredentials, passcode_access
from .api import Lock, TTLockClient, TTLockNotFoundError, TTLockNotSupportedError
from .const import DOMAIN
from .coordinator import TTLockCoordinator
from .store import TolerantStore, parse_items, report_lost

if TYPE_CHECKING:
    from .allowance import AllowanceManager
    from .passcodes import PasscodeResult

STORAGE_VERSION: Final = 1
# How often the coordinator looks for locks whose lists are due (reading only those).
LOOK_EVERY: Final = timedelta(hours=1)
# Saved this long after a change (many locks read in one look save once).
SAVE_DELAY: Final = 10


def _store(hass: HomeAssistant, entry_id: str) -> TolerantStore:
    return TolerantStore(hass, STORAGE_VERSION, f"{DOMAIN}.credentials.{entry_id}")


async def async_remove_credentials_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's credential views (from async_remove_entry)."""
    await _store(hass, entry_id).async_remove()


class TTLockCredentialsCoordinator(TTLockCoordinator[dict[int, LockAccess]]):
    """What opens each lock, read when due."""

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
            hass, entry, client, allowance, name="TTLock credentials", update_interval=LOOK_EVERY
        )
        self._locks = locks
        self._store = _store(hass, entry.entry_id)
        self._unsaved: dict[int, LockAccess] | None = None
        entry.async_on_unload(self._async_flush)

    async def async_load(self) -> None:
        """Take what the last run kept (damaged items are dropped and reported)."""
        stored, lost = parse_items(
            await self._store.async_load(),
            lambda _key, item: LockAccess.from_dict(item),
            "credential view",
        )
        report_lost(self.hass, self.config_entry.entry_id, "credentials", lost, self._store.foreign)
        self.data = {int(lock_id): view for lock_id, view in stored.items() if lock_id.isdigit()}

    @override
    async def _async_update_data(self) -> dict[int, LockAccess]:
        return await self._async_guarded(self._async_fetch)

    async def _async_fetch(self) -> dict[int, LockAccess]:
        every = self._plan().settings
        now = dt_util.utcnow()
        current = dict(self.data or {})
        locks = self._locks()
        result = {lock_id: view for lock_id, view in current.items() if lock_id in locks}
        changed = len(result) != len(current)
        for lock_id, lock in locks.items():
            view = result.get(lock_id)
            if view is None or now - view.read_at >= every:
                result[lock_id] = LockAccess.of(await self._async_read(lock), now)
                changed = True
        if changed:
            self._save(result)
        return result

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
        """Read what opens one lock now (raises TTLockError), show it, return it whole."""
        credentials = await self._async_read(lock)
        data = {**(self.data or {}), lock.lock_id: LockAccess.of(credentials, dt_util.utcnow())}
        self._save(data)
        self.async_publish(data)
        return credentials

    def _save(self, data: dict[int, LockAccess]) -> None:
        self._unsaved = data
        self._store.async_delay_save(lambda: self._stored(data), SAVE_DELAY)

    @staticmethod
    def _stored(data: dict[int, LockAccess]) -> dict[str, Any]:
        return {str(lock_id): view.as_dict() for lock_id, view in data.items()}

    async def _async_flush(self) -> None:
        """Write what waits to be saved (on unload: a reload must not read it all again)."""
        if self._unsaved is not None:
            await self._store.async_save(self._stored(self._unsaved))
            self._unsaved = None

    # ---- codes written from Home Assistant: the view follows without a read ----------

    def _edit(self, lock_id: int, change: Callable[[list[Access]], list[Access]]) -> None:
        view = (self.data or {}).get(lock_id)
        if view is None:
            return
        edited = replace(view, accesses=tuple(change(list(view.accesses))))
        data = {**(self.data or {}), lock_id: edited}
        self._save(data)
        self.async_publish(data)

    def note_passcode(self, lock_id: int, result: PasscodeResult) -> None:
        """Show a code this integration made (or adopted) at once."""
        now = dt_util.utcnow()
        access = passcode_access(result, now)
        self._edit(
            lock_id,
            lambda found: (
                [a for a in found if (a.kind, a.credential_id) != ("passcode", result.passcode_id)]
                + [access]
            ),
        )

    def note_passcode_gone(self, lock_id: int, passcode_id: int) -> None:
        """Drop a code this integration deleted."""
        self._edit(
            lock_id,
            lambda found: [
                a for a in found if (a.kind, a.credential_id) != ("passcode", passcode_id)
            ],
        )

    def note_passcode_changed(
        self,
        lock_id: int,
        passcode_id: int,
        *,
        name: str | None,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """Show a code's new name or period."""

        def change(found: list[Access]) -> list[Access]:
            return [
                replace(
                    a,
                    name=a.name if name is None else name,
                    start=a.start if start is None else start,
                    end=a.end if end is None else end,
                )
                if (a.kind, a.credential_id) == ("passcode", passcode_id)
                else a
                for a in found
            ]

        self._edit(lock_id, change)

    def read_at(self, lock_id: int) -> datetime | None:
        """When a lock's lists were last read."""
        view = (self.data or {}).get(lock_id)
        return None if view is None else view.read_at
