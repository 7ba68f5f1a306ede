"""A lock's own clock: how far it is off, and a repair issue when that matters.

Offline codes (timed, one-time, recurring) are checked by the lock against its own clock,
so a lock whose clock is minutes off opens for a guest too early or too late. The drift
is read through the gateway (``lock/queryDate``) with the lock's settings (at setup and
weekly); the lock's "Sync clock" button sets it (``lock/updateDate``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

# Past this the issue is raised: a code's window is then visibly off at the door.
DRIFT_LIMIT: Final = timedelta(minutes=2)
ISSUE_CLOCK_DRIFT: Final = "lock_clock_drift"


def drift_of(lock_time: datetime, asked_at: datetime, answered_at: datetime) -> timedelta:
    """Return how far the lock's clock is ahead (negative: behind), to the second.

    The lock's time is compared with the middle of the request (the gateway's round trip
    takes a second or two).
    """
    middle = asked_at + (answered_at - asked_at) / 2
    return timedelta(seconds=round((lock_time - middle).total_seconds()))


def issue_id(entry_id: str, lock_id: int) -> str:
    """Return the id of a lock's clock issue."""
    return f"{ISSUE_CLOCK_DRIFT}_{entry_id}_{lock_id}"


def update_clock_issue(
    hass: HomeAssistant, entry_id: str, lock_id: int, name: str, drift: timedelta | None
) -> None:
    """Raise the lock's clock issue past ``DRIFT_LIMIT``; resolve it otherwise."""
    if drift is None or abs(drift) <= DRIFT_LIMIT:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id, lock_id))
        return
    minutes = max(round(abs(drift).total_seconds() / 60), 1)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry_id, lock_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="lock_clock_drift" if drift > timedelta() else "lock_clock_behind",
        translation_placeholders={"lock_name": name, "minutes": str(minutes)},
    )
