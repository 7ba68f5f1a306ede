"""Turnover (cleaning) codes: the time between two stays, for the cleaner or the staff.

Pure rules, no I/O. A binding may give each stay a *turnover*: a code for a named cleaner
from check-out to the next check-in (widened by the binding's margin), or for a fixed
window on the check-out day. The scheduler keeps a turnover as a stay of its own, keyed
``<stay's key>|turnover`` on the stay's calendar, so it is created, moved, adopted after a
lost answer and revoked exactly as a guest's code is, and counts in the passcode quota
like any code. It is derived from the stays around it, never read from the calendar: it
moves with them and goes when its stay is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Final

from homeassistant.util import dt as dt_util

TURNOVER_SUFFIX: Final = "|turnover"


class TurnoverMode(StrEnum):
    """Whether a binding makes turnover codes, and for which window."""

    OFF = "off"
    BETWEEN_STAYS = "between_stays"  # check-out to the next check-in (plus the margin)
    CHECKOUT_DAY = "checkout_day"  # fixed hours on the check-out day


def turnover_key(stay_key: str) -> str:
    """Return the key of a stay's turnover on the stay's calendar."""
    return f"{stay_key}{TURNOVER_SUFFIX}"


def is_turnover(event_key: str) -> bool:
    """Whether a plan's event key names a turnover (not a guest's stay)."""
    return event_key.endswith(TURNOVER_SUFFIX)


def stay_of(event_key: str) -> str:
    """Return the key of the stay a turnover follows."""
    return event_key.removesuffix(TURNOVER_SUFFIX)


def turnover_window(
    mode: TurnoverMode,
    checkout: datetime,
    arrivals: Iterable[datetime],
    *,
    day_from: time,
    day_to: time,
) -> tuple[datetime, datetime] | None:
    """Return the turnover after a check-out, in UTC; None when there is none.

    Between stays it lasts until the next arrival on the binding's calendars, or, while
    none is booked, to the end of the check-out day (it grows when one is booked). Back
    to back stays leave no turnover. Fixed hours never start before the check-out: the
    cleaner does not get in while the guest may still be there.
    """
    checkout = dt_util.as_utc(checkout)
    if mode is TurnoverMode.BETWEEN_STAYS:
        day_end = dt_util.start_of_local_day(dt_util.as_local(checkout)) + timedelta(days=1)
        later = [dt_util.as_utc(arrival) for arrival in arrivals if arrival >= checkout]
        end = min(later, default=dt_util.as_utc(day_end))
        return (checkout, end) if end > checkout else None
    if mode is TurnoverMode.CHECKOUT_DAY:
        day = dt_util.as_local(checkout).date()
        zone = dt_util.get_default_time_zone()
        start = max(dt_util.as_utc(datetime.combine(day, day_from, zone)), checkout)
        end = dt_util.as_utc(datetime.combine(day, day_to, zone))
        return (start, end) if end > start else None
    return None
