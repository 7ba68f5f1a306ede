"""Listeners kept per lock: who hears of a lock's records, or of its failed attempts."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE, callback


class LockListeners[L: Callable[..., None]]:
    """Listeners by lock id, each added with a callback that removes it."""

    def __init__(self) -> None:
        """Start with none."""
        self._by_lock: dict[int, list[L]] = {}

    @callback
    def add(self, lock_id: int, listener: L) -> CALLBACK_TYPE:
        """Add a lock's listener; return what removes it."""
        listeners = self._by_lock.setdefault(lock_id, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)

        return remove

    def of(self, lock_id: int) -> list[L]:
        """Return a lock's listeners (a copy: one may remove itself while called)."""
        return list(self._by_lock.get(lock_id, ()))
