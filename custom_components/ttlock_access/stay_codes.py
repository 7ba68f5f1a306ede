"""A stay's code in the cloud: recognised on the lock's list, or made (the scheduler's hands).

Before a stay's code is made the lock's code list is read (one call; a custom code's
digits must differ from the lock's others anyway): a code for the stay may be there that
the book does not know (a create whose answer was lost, a crash before the save, a store
lost or restored from a backup). A code carrying the stay's tag (or, while a create is in
doubt, its digits) is adopted instead of made again. The lists read during a scheduler
pass are kept for that pass, and each read is noted: it is the weekly look at the lock too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import Lock, Passcode, PasscodeType
from .errors import IN_DOUBT_CLOUD_KEYS
from .left_codes import LeftCodes
from .passcode_manager import PasscodeManager
from .passcodes import (
    PasscodeKind,
    PasscodePlan,
    PasscodeResult,
    ceil_hour,
    floor_hour,
    generate_code,
    usable_offline_start,
)
from .stays import Binding, GuestPlan, Intent, choose_code, is_stay_code

_LOGGER = logging.getLogger(__name__)


def in_doubt(err: HomeAssistantError) -> bool:
    """Whether a failed write may have been carried out (its answer lost)."""
    return err.translation_key in IN_DOUBT_CLOUD_KEYS


@dataclass(frozen=True, slots=True)
class FoundCodes:
    """The stay's codes already on the lock: the one to keep, and any others."""

    best: Passcode
    others: list[Passcode]


@dataclass(frozen=True, slots=True)
class PreparedCode:
    """A stay's code checked and ready to be sent."""

    plan: PasscodePlan
    existing: list[Passcode] | None

    def intent(self) -> Intent:
        """Return what to save before sending it: enough to recognise it on the list."""
        assert self.plan.start is not None
        assert self.plan.end is not None
        return Intent(code=self.plan.code, start=self.plan.start, end=self.plan.end)


class StayCodes:
    """Reads, recognises and makes the stays' codes of one entry."""

    def __init__(self, manager: PasscodeManager, left: LeftCodes) -> None:
        """Set up with the entry's passcode manager and its codes left on locks."""
        self.manager = manager
        self.left = left
        # Lists read during the current pass, by lock id (dropped after a write).
        self.lists: dict[int, list[Passcode]] = {}
        # Last read of each lock's list (lock id -> when): the weekly look at the lock.
        self.verified: dict[str, datetime] = {}
        self._pass = False

    def load_verified(self, stored: Any) -> None:
        """Read when each lock's list was last read."""
        raw = stored if isinstance(stored, dict) else {}
        self.verified = {
            str(key): when
            for key, value in raw.items()
            if isinstance(value, str) and (when := dt_util.parse_datetime(value))
        }

    def verified_stored(self) -> dict[str, str]:
        """Return the stored form of the last reads."""
        return {key: when.isoformat() for key, when in self.verified.items()}

    def begin_pass(self) -> None:
        """Keep the lists read until ``end_pass`` (one read per lock per pass)."""
        self.lists = {}
        self._pass = True

    def end_pass(self) -> None:
        """Stop keeping lists: outside a pass every caller reads afresh."""
        self._pass = False

    async def codes(self, lock: Lock) -> list[Passcode]:
        """Return the lock's code list (kept during a pass while nothing is written)."""
        if not self._pass or (codes := self.lists.get(lock.lock_id)) is None:
            codes = await self.manager.async_list(lock)
            if self._pass:
                self.lists[lock.lock_id] = codes
            self.verified[str(lock.lock_id)] = dt_util.utcnow()
        return codes

    def drop(self, lock_id: int) -> None:
        """Forget a kept list after a write to the lock."""
        self.lists.pop(lock_id, None)

    async def find_own(self, plan: GuestPlan, lock: Lock, now: datetime) -> FoundCodes | None:
        """Return the stay's codes if the lock's list has any."""
        return self.own_codes(plan, await self.codes(lock), now)

    def own_codes(
        self, plan: GuestPlan, existing: list[Passcode], now: datetime
    ) -> FoundCodes | None:
        """Return the stay's codes in the lock's list (its tag, or the digits in doubt).

        The one valid longest is kept; any other is a duplicate (made before a lost
        answer or a crash) for the caller to remove.
        """
        left = self.left.on_lock(plan.lock_id)
        intent_code = plan.intent.code if plan.intent else None
        candidates = [
            passcode
            for passcode in existing
            if (
                is_stay_code(passcode.name, plan.calendar, plan.event)
                or (intent_code is not None and passcode.code == intent_code)
            )
            and passcode.passcode_id not in plan.superseded
            and passcode.passcode_id not in left
            and (passcode.end is None or passcode.end > now)
        ]
        if not candidates:
            return None
        candidates.sort(key=lambda p: (p.end or now, p.passcode_id), reverse=True)
        _LOGGER.info(
            "Passcode %s on lock %s is the stay's own (made before a lost answer, a restart "
            "or a lost store): adopted",
            candidates[0].passcode_id,
            plan.lock_id,
        )
        return FoundCodes(candidates[0], candidates[1:])

    @staticmethod
    def adopted(plan: GuestPlan, lock: Lock, passcode: Passcode) -> PasscodeResult:
        """Return a code found on the lock as the stay's result (marked adopted)."""
        return PasscodeResult(
            lock_id=lock.lock_id,
            passcode_id=passcode.passcode_id,
            code=passcode.code,
            kind=PasscodeKind.CUSTOM if passcode.is_custom else PasscodeKind.TIMED,
            name=passcode.name or plan.name,
            offline=not passcode.is_custom,
            valid_from=passcode.start,
            valid_to=passcode.end,
            extra={"adopted": True},
        )

    async def prepare(
        self,
        plan: GuestPlan,
        lock: Lock,
        binding: Binding | None,
        event_text: str,
        now: datetime,
        *,
        offline: bool | None = None,
    ) -> FoundCodes | PreparedCode:
        """Find the stay's codes on the lock, or check a new one (quota, digits).

        ``offline``: an offline code even on a lock the cloud reaches (a fallback).
        """
        if offline is None:
            offline = not lock.is_remote
        existing = await self.codes(lock)
        if (found := self.own_codes(plan, existing, now)) is not None:
            return found
        if offline:
            # Whole hours (the plan's window is to the minute if it was made for a
            # gateway the lock has lost since).
            start, requested_start = usable_offline_start(floor_hour(plan.window_from), now)
            passcode_plan = PasscodePlan(
                kind=PasscodeKind.TIMED,
                name=plan.name,
                offline=True,
                passcode_type=PasscodeType.PERIOD,
                start=start,
                end=ceil_hour(plan.window_to),
                requested_start=requested_start,
            )
            if self.manager.quota_needs_check(lock, passcode_plan):
                await self.manager.async_prepare(lock, passcode_plan, existing)
            return PreparedCode(passcode_plan, existing)
        taken = {passcode.code for passcode in existing}
        if plan.code and plan.code not in taken:
            code = plan.code  # made again after it vanished: the guest keeps the digits
        elif binding is not None:
            code = choose_code(binding, event_text, taken, self.manager.rng)
        else:
            code = generate_code(taken, rng=self.manager.rng)
        passcode_plan = PasscodePlan(
            kind=PasscodeKind.CUSTOM,
            name=plan.name,
            offline=False,
            passcode_type=PasscodeType.PERIOD,
            code=code,
            start=plan.window_from,
            end=plan.window_to,
        )
        await self.manager.async_prepare(lock, passcode_plan, existing)
        return PreparedCode(passcode_plan, existing)

    async def send(self, lock: Lock, prepared: PreparedCode) -> PasscodeResult:
        """Send a prepared create (its intent saved by the caller)."""
        try:
            return await self.manager.async_create(lock, prepared.plan, prepared.existing)
        finally:
            self.drop(lock.lock_id)
