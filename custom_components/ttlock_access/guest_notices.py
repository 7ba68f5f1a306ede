"""What guest access tells the host: events (after the book is saved) and repair issues.

Events carry the stay and its times, never the code (the recorder keeps events;
``get_guest_code`` returns it). They wait in an outbox until the scheduler has saved the
book that explains them, so an automation that reacts never reads an older book.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import hashlib
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import Lock
from .const import (
    DOMAIN,
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_FAILED,
    EVENT_TURNOVER_CODE_CREATED,
)
from .lock_entities import lock_entity_id
from .passcodes import iso_local
from .stays import GuestPlan, PlanStatus

ISSUE_GUEST_CODE_FAILED: Final = "guest_code_failed"


def changes(
    plan: GuestPlan, before: tuple[datetime | None, datetime | None, str | None]
) -> dict[str, Any]:
    """Say what a moved code changed, for the message that re-delivers it.

    ``before``: the code's validity and digits before the move. ``changed`` lists
    ``dates`` and/or ``code``; the digits themselves are never in an event.
    """
    valid_from, valid_to, code = before
    changed = [
        *(["dates"] if (valid_from, valid_to) != (plan.valid_from, plan.valid_to) else []),
        *(["code"] if code != plan.code else []),
    ]
    return {
        "changed": changed,
        "previous_valid_from": iso_local(valid_from),
        "previous_valid_to": iso_local(valid_to),
    }


class GuestNotices:
    """Events and repair issues of one entry's guest access."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, lock_of: Callable[[int], Lock | None]
    ) -> None:
        """Name locks with ``lock_of`` (the account's lock as last read, or None)."""
        self._hass = hass
        self._entry_id = entry_id
        self._lock_of = lock_of
        self._outbox: list[tuple[str, dict[str, Any]]] = []

    def lock_entity(self, lock_id: int) -> str | None:
        """Return a lock's lock entity id (none for a lock without a gateway)."""
        return lock_entity_id(self._hass, lock_id)

    def lock_name(self, lock_id: int) -> str:
        """Return a lock's name (its id when the account no longer has it)."""
        lock = self._lock_of(lock_id)
        return lock.name if lock else str(lock_id)

    def event_data(self, plan: GuestPlan, lock: Lock | None) -> dict[str, Any]:
        """Return what the events carry: everything but the code (events are recorded)."""
        return {
            "role": "turnover" if plan.turnover else "guest",
            "guest": plan.guest,
            "calendar": plan.calendar,
            "event_uid": plan.event,
            "checkin": iso_local(plan.start),
            "checkout": iso_local(plan.end),
            "lock_entity_id": self.lock_entity(plan.lock_id),
            "binding": plan.binding,
            **plan.public(lock.name if lock else str(plan.lock_id), with_code=False),
        }

    def fire(self, event_type: str, plan: GuestPlan, lock: Lock | None, **extra: Any) -> None:
        """Fire an event about a stay once the book is saved (``flush``).

        A turnover's new code has its own event: it goes to the cleaner, not the guest.
        """
        if plan.turnover and event_type == EVENT_GUEST_CODE_CREATED:
            event_type = EVENT_TURNOVER_CODE_CREATED
        self.queue(event_type, self.event_data(plan, lock) | extra)

    def queue(self, event_type: str, data: dict[str, Any]) -> None:
        """Fire an event once the book is saved (``flush``)."""
        self._outbox.append((event_type, data))

    def flush(self) -> None:
        """Fire the events waiting for the book that was just saved."""
        outbox, self._outbox = self._outbox, []
        for event_type, data in outbox:
            self._hass.bus.async_fire(event_type, data)

    def issue_id(self, plan: GuestPlan) -> str:
        """Return the id of the stay's "no code in time" repair issue."""
        digest = hashlib.sha256(str(plan.key).encode()).hexdigest()[:16]
        return f"{ISSUE_GUEST_CODE_FAILED}_{self._entry_id}_{digest}"

    def delete_issue(self, plan: GuestPlan) -> None:
        """Resolve the stay's repair issue (its code exists now, or the stay is gone)."""
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id(plan))

    def tell_failed(self, plan: GuestPlan, *, keep_status: bool = False) -> None:
        """Tell the host (once) that the stay has no code in time; retries go on.

        ``keep_status``: the stay has a code, but for its old dates (a move the quota
        refused): said the same way, and the code stays the stay's.
        """
        registry = ir.async_get(self._hass)
        if plan.status is PlanStatus.FAILED or (
            keep_status and registry.async_get_issue(DOMAIN, self.issue_id(plan)) is not None
        ):
            return
        if not keep_status:
            plan.status = PlanStatus.FAILED
        lock = self._lock_of(plan.lock_id)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id(plan),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_GUEST_CODE_FAILED,
            translation_placeholders={
                "guest": plan.guest,
                "lock_name": lock.name if lock else str(plan.lock_id),
                "checkin": dt_util.as_local(plan.start).strftime("%Y-%m-%d %H:%M"),
                "reason": plan.error or "cloud_error",
            },
        )
        self.fire(EVENT_GUEST_CODE_FAILED, plan, lock)
