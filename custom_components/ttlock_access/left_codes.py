"""Guest codes left on a lock: still opening the door, no longer wanted, not removable.

A lock without a gateway takes codes only at its keypad: the cloud cannot remove an offline
code from it. When a stay that had one is cancelled, moved or unbound before the code's
end, the integration never reports it revoked: it books it here, raises a repair issue
naming the lock, the guest and until when the code opens the door (and how to remove it
with the TTLock app at the lock), has ``ttlock_access_guest_code_left_on_lock`` fired, and
resolves the issue when the code's validity ends or the lock's list no longer has it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import Passcode
from .const import DOMAIN
from .passcodes import iso_local
from .stays import GuestPlan, LeftCode
from .store import parse_items

_LOGGER = logging.getLogger(__name__)

ISSUE_GUEST_CODE_LEFT: Final = "guest_code_left_on_lock"


class LeftCodes:
    """The codes of one entry's stays left on locks, each with its repair issue."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        lock_name: Callable[[int], str],
        lock_entity: Callable[[int], str | None],
    ) -> None:
        """Set up empty (``load`` reads the stored ones)."""
        self.hass = hass
        self.entry_id = entry_id
        self._lock_name = lock_name
        self._lock_entity = lock_entity
        self.items: dict[str, LeftCode] = {}

    def load(self, stored: Any) -> int:
        """Read the stored codes and raise their issues again; return how many were lost."""
        self.items, lost = parse_items(
            stored, lambda _key, item: LeftCode.from_dict(item), "code left on a lock"
        )
        for left in self.items.values():
            self._raise_issue(left)
        return lost

    def as_stored(self) -> dict[str, Any]:
        """Return the stored form."""
        return {key: left.as_dict() for key, left in self.items.items()}

    def on_lock(self, lock_id: int) -> set[int]:
        """Return the ids of the codes left on a lock."""
        return {left.passcode_id for left in self.items.values() if left.lock_id == lock_id}

    def locks(self) -> set[int]:
        """Return the locks with codes left on them (their lists are read weekly)."""
        return {left.lock_id for left in self.items.values()}

    def ends(self) -> list[datetime]:
        """Return when the codes stop opening the door (the scheduler wakes then)."""
        return [left.valid_to for left in self.items.values()]

    def leave(
        self,
        plan: GuestPlan,
        passcode_id: int,
        valid_to: datetime | None,
        reason: str,
        now: datetime,
    ) -> dict[str, Any] | None:
        """Book a code that opens the door and cannot be removed; return its event's data.

        The caller fires ``EVENT_GUEST_CODE_LEFT_ON_LOCK`` with it once its book is saved;
        None when the code no longer opens the door anyway, or is booked already.
        """
        if valid_to is None or valid_to <= now or f"{plan.lock_id}:{passcode_id}" in self.items:
            return None
        left = LeftCode(
            lock_id=plan.lock_id,
            passcode_id=passcode_id,
            guest=plan.guest,
            calendar=plan.calendar,
            event=plan.event,
            valid_to=valid_to,
            reason=reason,
        )
        self.items[left.key] = left
        self._raise_issue(left)
        _LOGGER.warning(
            "Guest code %s on %s cannot be removed without a gateway and opens the door "
            "until %s (see Repairs)",
            passcode_id,
            self._lock_name(plan.lock_id),
            valid_to,
        )
        return {
            "guest": plan.guest,
            "calendar": plan.calendar,
            "event_uid": plan.event,
            "lock": self._lock_name(plan.lock_id),
            "lock_id": plan.lock_id,
            "lock_entity_id": self._lock_entity(plan.lock_id),
            "passcode_id": passcode_id,
            "valid_to": iso_local(valid_to),
            "reason": reason,
        }

    def forget(self, lock_id: int, passcode_id: int) -> bool:
        """Drop a code removed on purpose; True if it was booked."""
        if self.items.pop(f"{lock_id}:{passcode_id}", None) is None:
            return False
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id(lock_id, passcode_id))
        return True

    def settle(
        self, now: datetime, lists: Mapping[int, Iterable[Passcode]]
    ) -> list[tuple[LeftCode, bool]]:
        """Resolve the codes whose validity ended or that a list just read no longer has.

        Returns each resolved code and whether it is gone from the lock.
        """
        resolved: list[tuple[LeftCode, bool]] = []
        for key, left in list(self.items.items()):
            codes = lists.get(left.lock_id)
            gone = codes is not None and all(p.passcode_id != left.passcode_id for p in codes)
            if left.valid_to > now and not gone:
                continue
            del self.items[key]
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id(left.lock_id, left.passcode_id))
            resolved.append((left, gone))
        return resolved

    def issue_id(self, lock_id: int, passcode_id: int) -> str:
        """Return the repair issue id of one code left on one lock."""
        return f"{ISSUE_GUEST_CODE_LEFT}_{self.entry_id}_{lock_id}_{passcode_id}"

    def _raise_issue(self, left: LeftCode) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id(left.lock_id, left.passcode_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_GUEST_CODE_LEFT,
            translation_placeholders={
                "guest": left.guest,
                "lock_name": self._lock_name(left.lock_id),
                "until": dt_util.as_local(left.valid_to).strftime("%Y-%m-%d %H:%M"),
                "reason": left.reason,
            },
        )
