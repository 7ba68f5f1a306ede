"""Where guest access keeps its book: one private Store per config entry.

The file holds the stays' plans (with the codes: the store is private), the codes left
on locks and when each lock's list was last read. Whatever cannot be read is dropped item
by item and reported (a repair issue); the book is then rebuilt from the locks' lists by
each code's stay tag (stay_codes.py), so a lost file never makes a code twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .stays import ACTION_BINDING, DEFAULT_GUEST_NAME, GuestPlan, PlanStatus
from .store import TolerantStore, parse_items, report_lost

if TYPE_CHECKING:
    from .left_codes import LeftCodes
    from .stay_codes import StayCodes

STORAGE_VERSION: Final = 1


def _store(hass: HomeAssistant, entry_id: str) -> TolerantStore:
    return TolerantStore(hass, STORAGE_VERSION, f"{DOMAIN}.guest_access.{entry_id}")


async def async_remove_guest_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's guest plans (from async_remove_entry)."""
    await _store(hass, entry_id).async_remove()


class GuestStore:
    """Loads and saves one entry's book of stays."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the entry's private store."""
        self._hass = hass
        self._entry_id = entry_id
        self._store = _store(hass, entry_id)

    async def async_load(self, left: LeftCodes, codes: StayCodes) -> dict[str, GuestPlan]:
        """Return the stored plans; fill ``left`` and ``codes`` with what they keep."""
        data = await self._store.async_load()
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        plans, lost = parse_items(
            raw.get("plans"), lambda _key, item: GuestPlan.from_dict(item), "guest plan"
        )
        lost += left.load(raw.get("left"))
        codes.load_verified(raw.get("verified"))
        lost += data is not None and not isinstance(data, Mapping)
        report_lost(self._hass, self._entry_id, "guest_plans", lost, self._store.foreign)
        return plans

    async def async_save(
        self, plans: Mapping[str, GuestPlan], left: LeftCodes, codes: StayCodes
    ) -> None:
        """Write the book."""
        await self._store.async_save(
            {
                "plans": {key: plan.as_dict() for key, plan in plans.items()},
                "left": left.as_stored(),
                "verified": codes.verified_stored(),
            }
        )


def _legacy_key(key: str) -> tuple[str, str, int] | None:
    """Split a guest record key of the passcode manager: calendar|event|lock id."""
    calendar, _, rest = key.partition("|")
    event, _, lock_id = rest.rpartition("|")
    return (calendar, event, int(lock_id)) if calendar and event and lock_id.isdigit() else None


def plans_from_legacy(
    records: Mapping[str, Mapping[str, Any]], *, known: Mapping[str, GuestPlan]
) -> dict[str, GuestPlan]:
    """Return plans for the stays older versions recorded in the passcode manager.

    Those were made by the action; a stay the book knows already keeps its plan.
    """
    plans: dict[str, GuestPlan] = {}
    for key, record in records.items():
        parts = _legacy_key(key)
        valid_from = dt_util.parse_datetime(str(record.get("valid_from")))
        valid_to = dt_util.parse_datetime(str(record.get("valid_to")))
        if key in known or parts is None or valid_from is None or valid_to is None:
            continue
        calendar, event, lock_id = parts
        plans[key] = GuestPlan(
            binding=ACTION_BINDING,
            calendar=calendar,
            event=event,
            lock_id=lock_id,
            guest=DEFAULT_GUEST_NAME,
            start=valid_from,
            end=valid_to,
            window_from=valid_from,
            window_to=valid_to,
            status=PlanStatus.CREATED,
            passcode_id=int(record["passcode_id"]),
            offline=bool(record.get("offline")),
            valid_from=valid_from,
            valid_to=valid_to,
            made_for=(valid_from, valid_to),
        )
    return plans
