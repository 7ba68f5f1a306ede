"""Guest access: the one owner of every guest stay and its codes (design.md section 2).

A *binding* (a config subentry of type ``guest_binding``) ties calendars to locks, with
how many days before arrival a code is made, the access margin and where the digits come
from. One :class:`GuestScheduler` per config entry keeps **one book** of stays: a plan per
stay and lock (:class:`~.stays.GuestPlan`, keyed by :class:`~.stays.GuestKey`), whether
the stay comes from a bound calendar or from the ``create_guest_passcode`` action.

The rooms around it: ``stays.py`` (what a stay is and its pure rules),
``guest_timing.py`` (retries, looks, wake-ups), ``stay_calendars.py`` (reading a bound
calendar), ``stay_codes.py`` (a stay's code in the cloud: recognised or made),
``left_codes.py`` (offline codes left on locks), ``guest_notices.py`` (events and repair
issues), ``guest_store.py`` (the book on disk), ``guest_views.py`` (what the sensor and
``get_guest_code`` show), ``turnovers.py`` (the cleaner's code between stays),
``arrivals.py`` (arrivals, no-shows, uses after check-out, from the locks' records) and
``host_overview.py`` (the Month plan sensor). The cloud writes go through the
:class:`~.passcode_manager.PasscodeManager`.

Why this module is long (~1,200 lines): it is the one place that changes the book, so the
exactly-once rules (one lock per stay, the intent saved before a write, events only after
the save) hold by construction, for guests' codes, turnovers and fallback codes alike;
every rule it follows lives in the rooms above. Its sections: lifecycle, the pass, one
plan, fallback offline codes, a stay's code in the cloud, the create_guest_passcode
action, moves and revocation, codes deleted elsewhere, timers, arrivals, and the views.

- Every pass reads each binding's calendars over ``[now, now + days_before + 1 day]``;
  ``LOOK_AHEAD`` (60 days) is read at setup, every 15 min and when a calendar changes,
  only so the "Next stay" sensor (and ``get_guest_code``) can show a booking early.
- A stay's code is made ``days_before`` days before arrival (HA's time zone; at once if
  closer). Work on one stay (pass, action, retry, move) runs under its own lock.
- **Exactly once.** Before a create is sent, its intent (digits, period) is saved. Codes
  carry the stay's tag in their name. The lock's list is read before each create, so a
  code the book does not know (a lost answer, a crash before the save, a lost store) is
  adopted instead of made again; a create in doubt at a restart is settled first.
- **Retries.** A failure worth retrying (lock or cloud out of reach, API allowance) is
  retried every hour while the stay lasts; a passcode quota refusal at once when the
  lock's allowance frees up (a code deleted, the month over, the option changed). At
  local midnight starting the check-in day a stay still without a code gets a repair
  issue and a ``ttlock_access_guest_code_failed`` event (a quota refusal: at once); both
  are resolved when a later retry succeeds.
- **Turnovers and fallbacks.** A binding may add a turnover code for the cleaner after
  each stay (a plan of its own, keyed ``<stay>|turnover``), and may let an offline code
  stand in when a custom one cannot be made by the deadline; the custom code then
  replaces it if it can before the offline one opens.
- **Honest revocation.** A moved stay moves its code (custom) or gets a new one
  (offline); a cancelled stay's code is deleted; after check-out plus margin the code is
  deleted (custom) or expires. An offline code that still opens the door but cannot be
  removed (no gateway) is never reported revoked (see ``left_codes.py``).
- **Vanished codes.** Once a week per lock with live codes, and three hours before each
  arrival, the lock's list is read: a code deleted elsewhere is made again (custom codes
  with the same digits; a code deleted with the delete_passcode action stays deleted).
- Everything lives in a private :class:`~homeassistant.helpers.storage.Store`; events
  are fired only after the book that explains them is saved. Events carry the stay and
  the times, never the code (the recorder keeps events): ``get_guest_code`` returns it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntryChange
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from . import guest_views
from .api import Lock, LockRecord, TTLockError
from .arrivals import UseKind, no_shows, note_use, stay_use
from .const import (
    DOMAIN,
    EVENT_GUEST_ARRIVED,
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_LEFT_ON_LOCK,
    EVENT_GUEST_CODE_REVOKED,
    EVENT_GUEST_CODE_USED_AFTER_CHECKOUT,
    EVENT_GUEST_NO_SHOW,
    SUBENTRY_GUEST_BINDING,
)
from .guest_notices import GuestNotices, changes
from .guest_store import GuestStore, plans_from_legacy
from .guest_timing import (
    FALLBACK_REASONS,
    RETRY_INTERVAL,
    REVOKE_GIVE_UP,
    after_create_failure,
    after_move_failure,
    closed_long_ago,
    next_upgrade,
    next_wake,
    reset,
    verify_due,
    waits_for_quota,
)
from .host_overview import LockStatus, month_plan
from .left_codes import LeftCodes
from .passcodes import (
    PasscodeKind,
    PasscodeResult,
    ceil_hour,
    floor_hour,
    iso_local,
    mask_code,
)
from .stay_calendars import LOOK_AHEAD, async_read_calendar
from .stay_codes import FoundCodes, PreparedCode, StayCodes, in_doubt
from .stays import (
    ACTION_BINDING,
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_NAME_LENGTH,
    OPEN_STATUSES,
    Binding,
    GuestKey,
    GuestPlan,
    PlanStatus,
    Stay,
    bindings_of,
    creation_time,
    plan_for_event,
    stay_window,
)
from .turnovers import TurnoverMode, stay_of, turnover_key, turnover_window

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .passcode_manager import PasscodeManager

_LOGGER = logging.getLogger(__name__)

SCAN_INTERVAL: Final = timedelta(minutes=15)


class GuestScheduler:
    """Plans, creates, moves and removes the guest codes of one config entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        manager: PasscodeManager,
        locks: Callable[[], Mapping[int, Lock]],
    ) -> None:
        """Set up for one entry (``async_start`` after the coordinators' first refresh).

        ``locks`` returns the account's locks as last read.
        """
        self.hass = hass
        self.entry = entry
        self.manager = manager
        self._locks = locks
        self._store = GuestStore(hass, entry.entry_id)
        self.plans: dict[str, GuestPlan] = {}
        self.notices = GuestNotices(hass, entry.entry_id, self._lock_data)
        self.left = LeftCodes(
            hass, entry.entry_id, self.notices.lock_name, self.notices.lock_entity
        )
        self.codes = StayCodes(manager, self.left)
        self._lock = asyncio.Lock()
        self._stay_locks: dict[str, asyncio.Lock] = {}
        self._again = False
        self._stopped = False
        self._first_pass = True  # the first pass after a start settles creates in doubt
        self._timer: CALLBACK_TYPE | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._snapshot = self._bindings_snapshot()
        # Event text (for phone digits), kept in memory only: it is the guest's data.
        self._texts: dict[str, tuple[str, ...]] = {}
        # Bookings of the look-ahead by (binding id, calendar), in memory only.
        self._ahead: dict[tuple[str, str], tuple[Stay, ...]] = {}
        # Whether the next pass reads the look-ahead (setup, 15 min, calendar changes).
        self._look_ahead = True
        # Reads a lock's records now (the locks coordinator's; set by follow_records).
        self._read_records: Callable[[int], Awaitable[object]] | None = None

    # ---- lifecycle ------------------------------------------------------------------

    async def async_start(self) -> None:
        """Load the plans, follow the calendars and run a first pass."""
        self.plans = await self._store.async_load(self.left, self.codes)
        await self._async_take_legacy_records()
        entry = self.entry
        entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._async_tick, SCAN_INTERVAL, name="TTLock guest access"
            )
        )
        calendars = {
            calendar for binding in bindings_of(entry).values() for calendar in binding.calendars
        }
        if calendars:
            entry.async_on_unload(
                async_track_state_change_event(self.hass, sorted(calendars), self._async_changed)
            )
        entry.async_on_unload(
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_entry_changed
            )
        )
        entry.async_on_unload(self.manager.async_add_listener(self._async_quota_changed))
        entry.async_on_unload(self._stop)
        self._async_quota_changed()  # the quota option may have changed (a reload)
        self.async_request_refresh()

    async def _async_take_legacy_records(self) -> None:
        """Adopt the stays older versions recorded in the passcode manager (action-made)."""
        records = self.manager.take_legacy_guest_records()
        self.plans.update(plans_from_legacy(records, known=self.plans))
        if records:
            await self._async_save()
            await self.manager.async_drop_legacy_guest_records()

    def _bindings_snapshot(self) -> dict[str, tuple[str, dict[str, Any]]]:
        return {
            subentry_id: (subentry.title, dict(subentry.data))
            for subentry_id, subentry in self.entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_GUEST_BINDING
        }

    @callback
    def _async_entry_changed(self, change: ConfigEntryChange, entry: Any) -> None:
        """Reload when a binding is added, changed or removed (entities and listeners)."""
        if (
            change is ConfigEntryChange.UPDATED
            and entry.entry_id == self.entry.entry_id
            and self._bindings_snapshot() != self._snapshot
        ):
            self._snapshot = self._bindings_snapshot()
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    @callback
    def _stop(self) -> None:
        """On unload: no timer now, and none set by a pass still finishing."""
        self._stopped = True
        self._cancel_timer()

    @callback
    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _async_tick(self, _now: datetime) -> None:
        self._look_ahead = True
        self.async_request_refresh()

    @callback
    def _async_changed(self, _event: Event[EventStateChangedData]) -> None:
        self._look_ahead = True
        self.async_request_refresh()

    @callback
    def _async_quota_changed(self) -> None:
        """Retry at once the stays that waited for a lock's passcode allowance to free up."""
        now = dt_util.now()
        waiting = [
            plan
            for plan in self.plans.values()
            if waits_for_quota(plan, now) and self.manager.remaining(plan.lock_id) != 0
        ]
        for plan in waiting:
            plan.next_attempt = now
        if waiting:
            self.async_request_refresh()

    @callback
    def async_request_refresh(self) -> None:
        """Run a pass soon (tied to the entry: an unload waits for it to finish)."""
        self.entry.async_create_task(
            self.hass, self.async_refresh(), f"{DOMAIN} guest access {self.entry.entry_id}"
        )

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``update_callback`` after each pass."""
        self._listeners.append(update_callback)
        return lambda: self._listeners.remove(update_callback)

    async def _async_save(self) -> None:
        await self._store.async_save(self.plans, self.left, self.codes)
        self.notices.flush()

    def stay_lock(self, key: GuestKey) -> asyncio.Lock:
        """Return the lock that serialises all work on one stay and lock.

        The pass and the create_guest_passcode action (and two calls of it) take it
        around "is there a code already? else make one, then remember it", so one stay
        never gets two codes and every caller sees the same one.
        """
        return self._stay_locks.setdefault(str(key), asyncio.Lock())

    # ---- the pass -------------------------------------------------------------------

    async def async_refresh(self) -> None:
        """Read the calendars and bring every plan up to date (one pass at a time)."""
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                await self._async_pass()
        self._schedule_next()
        for update_callback in list(self._listeners):
            update_callback()

    async def _async_pass(self) -> None:
        now = dt_util.now()
        self.codes.begin_pass()
        bindings = bindings_of(self.entry)
        look_ahead, self._look_ahead = self._look_ahead, False
        for binding in bindings.values():
            for calendar in binding.calendars:
                await self._async_read_calendar(binding, calendar, now, look_ahead=look_ahead)
        # Plans of removed bindings or locks: their codes go.
        for plan in list(self.plans.values()):
            if plan.by_action:
                continue
            owner = bindings.get(plan.binding)
            if plan.status in OPEN_STATUSES and (
                owner is None
                or plan.lock_id not in owner.locks
                or plan.calendar not in owner.calendars
                or (plan.turnover and owner.turnover is TurnoverMode.OFF)
            ):
                async with self.stay_lock(plan.key):
                    await self._async_revoke(plan, "binding_removed", now)
        for plan in list(self.plans.values()):
            await self._async_process(plan, bindings.get(plan.binding), now)
        await self._async_verify(bindings, now)
        self._settle_left(now)
        self.codes.end_pass()
        self._purge(now)
        await self._async_judge_no_shows(bindings, now)
        self._first_pass = False
        await self._async_save()

    async def _async_read_calendar(
        self, binding: Binding, calendar: str, now: datetime, *, look_ahead: bool
    ) -> None:
        """Bring the plans of one calendar up to date (see ``stay_calendars.py``)."""
        mine = {
            plan.event: (plan.start, max(plan.window_to, plan.valid_to or plan.window_to))
            for plan in self.plans.values()
            if plan.binding == binding.binding_id
            and plan.calendar == calendar
            and plan.status in (*OPEN_STATUSES, PlanStatus.FAILED)
            and not plan.turnover  # derived from the stays, not read from the calendar
        }
        read = await async_read_calendar(
            self.hass,
            calendar,
            mine,
            now=now,
            margin=binding.margin,
            horizon=binding.horizon,
            look_ahead=look_ahead,
        )
        if read is None:
            return  # unavailable: nothing counts as cancelled (and what was seen stays)
        if read.ahead is not None:
            self._ahead[binding.binding_id, calendar] = read.ahead
        for plan in list(self.plans.values()):
            if (
                plan.binding == binding.binding_id
                and plan.calendar == calendar
                and stay_of(plan.event) in read.cancelled
                and plan.status in (*OPEN_STATUSES, PlanStatus.FAILED)
            ):
                async with self.stay_lock(plan.key):
                    await self._async_cancel(plan, now)
        for uid, event in read.found.items():
            start, end = event.start_datetime_local, event.end_datetime_local
            if end <= start or start < EARLIEST_MOMENT or end > LATEST_MOMENT:
                continue  # not a stay anyone could have
            ended = end + binding.margin <= now
            for lock_id in binding.locks:
                known = self.plans.get(str(GuestKey(calendar, uid, lock_id)))
                if ended and (known is None or known.status not in OPEN_STATUSES):
                    continue  # over: only a code still on the lock needs attention
                self._upsert(binding, GuestKey(calendar, uid, lock_id), event, now)
        if binding.turnover is not TurnoverMode.OFF:
            await self._async_upsert_turnovers(binding, calendar, read.found, now)

    async def _async_upsert_turnovers(
        self, binding: Binding, calendar: str, found: Mapping[str, CalendarEvent], now: datetime
    ) -> None:
        """Bring the turnovers after the calendar's stays in line with them (turnovers.py)."""
        arrivals = [event.start_datetime_local for event in found.values()]
        for other in binding.calendars:
            arrivals += [stay.start for stay in self._ahead.get((binding.binding_id, other), ())]
        # The window is the turnover's own: no margin on fixed hours.
        rules = (
            binding
            if binding.turnover is TurnoverMode.BETWEEN_STAYS
            else replace(binding, margin=timedelta())
        )
        for uid, event in found.items():
            window = turnover_window(
                binding.turnover,
                event.end_datetime_local,
                arrivals,
                day_from=binding.turnover_from,
                day_to=binding.turnover_to,
            )
            for lock_id in binding.locks:
                key = GuestKey(calendar, turnover_key(uid), lock_id)
                known = self.plans.get(str(key))
                is_open = known is not None and known.status in OPEN_STATUSES
                if window is None or window[1] + rules.margin <= now:
                    if window is None and is_open and known is not None:
                        async with self.stay_lock(key):
                            await self._async_cancel(known, now)  # back to back now
                    continue
                turnover = CalendarEvent(
                    start=window[0], end=window[1], summary=binding.cleaner, uid=key.event
                )
                self._upsert(rules, key, turnover, now)

    def _lock_data(self, lock_id: int) -> Lock | None:
        return self._locks().get(lock_id)

    def _upsert(self, binding: Binding, key: GuestKey, event: CalendarEvent, now: datetime) -> None:
        self._texts[str(key)] = tuple(
            text for text in (event.summary, event.description, event.location) if text
        )
        plan = self.plans.get(str(key))
        lock = self._lock_data(key.lock_id)
        if plan is not None and plan.by_action:
            # Made by the action before the calendar was bound: the binding owns it now,
            # its blueprints hear of it, and the lock's list shows it is still there.
            plan.binding = binding.binding_id
            if plan.status is PlanStatus.CREATED:
                self.codes.verified.pop(str(key.lock_id), None)
                self.notices.fire(EVENT_GUEST_CODE_CREATED, plan, lock)
        new, reopened = plan_for_event(
            plan, binding, event, key=key, remote=bool(lock and lock.is_remote), now=now
        )
        if new is not None:
            self.plans[str(key)] = new
        if reopened and plan is not None:
            self.notices.delete_issue(plan)

    # ---- one plan -------------------------------------------------------------------

    async def _async_process(self, plan: GuestPlan, binding: Binding | None, now: datetime) -> None:
        if plan.status not in (*OPEN_STATUSES, PlanStatus.FAILED):
            return
        if plan.by_action:
            async with self.stay_lock(plan.key):
                await self._async_process_action_stay(plan, now)
            return
        if binding is None:
            return
        if plan.intent is not None and self._first_pass and plan.window_to > now:
            # A create in doubt when Home Assistant stopped: did the cloud make it?
            await self._async_create(plan, binding, now)
            return
        lock = self._lock_data(plan.lock_id)
        over_offline = (
            plan.status is PlanStatus.CREATED
            and plan.window_to <= now
            and not (lock and lock.is_remote)
        )
        if plan.next_attempt is not None and now < plan.next_attempt and not over_offline:
            return  # (a stay over on a lock without a gateway needs no call: not held back)
        if plan.status is not PlanStatus.CREATED:
            if plan.window_to <= now:
                if plan.status is PlanStatus.PLANNED:
                    del self.plans[str(plan.key)]  # never made, and over
                return
            if plan.status is PlanStatus.FAILED and plan.next_attempt is None:
                return  # given up: the issue stays until the stay is over or moves
            if now >= creation_time(plan.start, binding.days_before):
                await self._async_create(plan, binding, now)
            return
        async with self.stay_lock(plan.key):
            if plan.window_to <= now:
                await self._async_revoke(plan, "checked_out", now)
            elif plan.fallback and plan.next_attempt is not None and lock is not None:
                await self._async_upgrade(plan, lock, binding, now)
            elif plan.served_window() != (plan.window_from, plan.window_to):
                await self._async_move(plan, binding, now)

    async def _async_process_action_stay(self, plan: GuestPlan, now: datetime) -> None:
        """Settle an action stay's create in doubt; remove its code after check-out."""
        if plan.status is PlanStatus.CREATED:
            if plan.window_to <= now:
                await self._async_revoke(plan, "checked_out", now)
            return
        lock = self._lock_data(plan.lock_id)
        if plan.intent is None or lock is None:
            if plan.intent is None or plan.window_to <= now:
                del self.plans[str(plan.key)]
            return
        try:
            found = await self.codes.find_own(plan, lock, now)
        except HomeAssistantError:
            return  # still in doubt: look again next pass
        if found is None:
            del self.plans[str(plan.key)]  # the create never happened: nothing to track
            return
        self._created(plan, await self._async_adopt(plan, lock, found, now))

    async def _async_create(self, plan: GuestPlan, binding: Binding, now: datetime) -> None:
        lock = self._lock_data(plan.lock_id)
        if lock is None:
            self._handle_error(plan, "lock_not_found", now)
            return
        async with self.stay_lock(plan.key):  # the action may be making it right now
            if plan.status is PlanStatus.CREATED:
                return
            reason = "vanished" if plan.error == "vanished" else None
            try:
                outcome = await self.async_prepare(plan, lock, binding, now)
                if isinstance(outcome, PreparedCode):
                    outcome = await self.async_write(plan, lock, outcome)
            except HomeAssistantError as err:
                failure = err.translation_key or "cloud_error"
                if after_create_failure(plan, failure, now) and not (
                    await self._async_fall_back(plan, lock, binding, failure, now)
                ):
                    self.notices.tell_failed(plan)
                await self._async_save()
                return
            self._created(plan, outcome)
        self.notices.fire(
            EVENT_GUEST_CODE_CREATED, plan, lock, **({"reason": reason} if reason else {})
        )
        await self._async_save()

    # ---- fallback offline codes -------------------------------------------------------

    async def _async_fall_back(
        self, plan: GuestPlan, lock: Lock, binding: Binding, reason: str, now: datetime
    ) -> bool:
        """Make an offline code for a stay whose custom code cannot be made in time.

        Only where the binding allows it, for a failure an offline code gets around (the
        gateway or the cloud out of reach, ``FALLBACK_REASONS``), on a lock with a keypad.
        The stay then tries its custom code hourly until the fallback's validity opens
        (``_async_upgrade``). False: no fallback (the host is told, as before).
        """
        if not (
            binding.fallback_offline
            and lock.is_remote
            and lock.supports_passcodes
            and reason in FALLBACK_REASONS
            and plan.window_to > now
        ):
            return False
        online = (plan.window_from, plan.window_to)
        try:
            outcome = await self.async_prepare(plan, lock, binding, now, offline=True)
            if isinstance(outcome, PreparedCode):
                outcome = await self.async_write(plan, lock, outcome)
        except HomeAssistantError as err:
            _LOGGER.info(
                "No offline code either for %s on lock %s: %s", plan.event, plan.lock_id, err
            )
            plan.window_from, plan.window_to = online
            return False
        self._created(plan, outcome)
        if not plan.fallback:
            # The list showed the custom code after all (a create in doubt the cloud
            # carried out): adopted, it is the stay's code.
            self.notices.fire(EVENT_GUEST_CODE_CREATED, plan, lock)
            return True
        plan.next_attempt = next_upgrade(plan, now)
        _LOGGER.warning(
            "The custom code for %s on lock %s could not be made in time (%s): an offline "
            "code stands in for it",
            plan.event,
            plan.lock_id,
            reason,
        )
        self.notices.fire(EVENT_GUEST_CODE_CREATED, plan, lock, fallback_reason=reason)
        return True

    async def _async_upgrade(
        self, plan: GuestPlan, lock: Lock, binding: Binding, now: datetime
    ) -> None:
        """Replace a fallback offline code by the stay's custom code, if it can be made now.

        The custom code is made first; then the offline one is deleted through the gateway
        (or, if that fails, reported as left on the lock): two valid codes are never left
        unannounced. The event says the code changed, and whether the old one is gone.
        """
        assert plan.passcode_id is not None
        old, old_valid_to = plan.passcode_id, plan.valid_to
        fallback_window = (plan.window_from, plan.window_to)
        plan.superseded.append(old)  # not the stay's code once a custom one exists
        plan.window_from, plan.window_to = stay_window(
            plan.start, plan.end, binding.margin, offline=False
        )
        try:
            outcome = await self.async_prepare(plan, lock, binding, now, offline=False)
            if isinstance(outcome, PreparedCode):
                outcome = await self.async_write(plan, lock, outcome)
        except HomeAssistantError as err:
            plan.superseded.remove(old)
            plan.window_from, plan.window_to = fallback_window
            plan.error = err.translation_key or "cloud_error"
            plan.next_attempt = next_upgrade(plan, now)
            await self._async_save()
            return
        self._created(plan, outcome)
        await self._async_retire(plan, old, old_valid_to, "replaced", now)
        self.notices.fire(
            EVENT_GUEST_CODE_CREATED,
            plan,
            lock,
            moved=True,
            reason="replaced_fallback",
            changed=["code"],
            previous_code_removed=old not in self.left.on_lock(plan.lock_id),
        )
        await self._async_save()

    # ---- a stay's code: adopted if the cloud has it, else made ------------------------

    async def async_prepare(
        self,
        plan: GuestPlan,
        lock: Lock,
        binding: Binding | None,
        now: datetime,
        *,
        offline: bool | None = None,
    ) -> PasscodeResult | PreparedCode:
        """Find the stay's code on the lock, else check a new one (see ``stay_codes.py``).

        ``offline``: an offline code even where the cloud reaches the lock (a fallback).
        The caller holds the stay's lock.
        """
        if offline or (offline is None and not lock.is_remote):
            # An offline code keeps whole hours: the plan's window becomes what the next
            # calendar read computes for it, or the code would be "moved" at once.
            plan.window_from = dt_util.as_utc(floor_hour(plan.window_from))
            plan.window_to = dt_util.as_utc(ceil_hour(plan.window_to))
        text = " ".join((plan.guest, *self._texts.get(str(plan.key), ())))
        outcome = await self.codes.prepare(plan, lock, binding, text, now, offline=offline)
        if isinstance(outcome, FoundCodes):
            return await self._async_adopt(plan, lock, outcome, now)
        return outcome

    async def _async_adopt(
        self, plan: GuestPlan, lock: Lock, found: FoundCodes, now: datetime
    ) -> PasscodeResult:
        """Keep the stay's best code on the lock; remove (or report) any duplicate."""
        for other in found.others:
            if other.passcode_id not in plan.superseded:
                plan.superseded.append(other.passcode_id)
            await self._async_retire(plan, other.passcode_id, other.end, "duplicate", now)
        return self.codes.adopted(plan, lock, found.best)

    async def _async_retire(
        self,
        plan: GuestPlan,
        passcode_id: int,
        valid_to: datetime | None,
        reason: str,
        now: datetime,
    ) -> None:
        """Remove a code the stay no longer wants.

        Deleted through the lock's gateway; without one, reported as left on the lock
        while it still opens the door.
        """
        lock = self._lock_data(plan.lock_id)
        if passcode_id in self.left.on_lock(plan.lock_id):
            return  # reported already
        if lock is not None and lock.is_remote:
            try:
                await self.manager.async_delete(lock, passcode_id)
            except HomeAssistantError as err:
                if err.translation_key == "cloud_not_found":
                    return
            else:
                self.codes.drop(lock.lock_id)
                return
        self._leave(plan, passcode_id, valid_to, reason, now)

    async def async_write(
        self, plan: GuestPlan, lock: Lock, prepared: PreparedCode
    ) -> PasscodeResult:
        """Send a prepared create, its intent saved first (the caller holds the stay's lock).

        The plan joins the book before the write. A refusal clears the intent; a failure
        that leaves the outcome in doubt keeps it, so the next attempt looks first.
        """
        plan.intent = prepared.intent()
        self.plans[str(plan.key)] = plan
        await self._async_save()
        try:
            result = await self.codes.send(lock, prepared)
        except HomeAssistantError as err:
            if not in_doubt(err):
                plan.intent = None
                if plan.by_action and plan.status is PlanStatus.PLANNED:
                    self.plans.pop(str(plan.key), None)  # refused: nothing to track
            raise
        plan.intent = None
        return result

    def _created(self, plan: GuestPlan, result: PasscodeResult) -> None:
        plan.status = PlanStatus.CREATED
        plan.passcode_id = result.passcode_id
        plan.code = result.code
        plan.offline = result.offline
        # An offline code on a lock the cloud reaches stands in for a custom one.
        lock = self._lock_data(plan.lock_id)
        plan.fallback = result.offline and bool(lock and lock.is_remote)
        plan.valid_from = dt_util.as_utc(result.valid_from) if result.valid_from else None
        plan.valid_to = dt_util.as_utc(result.valid_to) if result.valid_to else None
        plan.made_for = (plan.window_from, plan.window_to)
        if result.extra.get("adopted") and (
            plan.valid_to != plan.window_to
            or (not result.offline and plan.valid_from != plan.window_from)
        ):
            # Made for another window (the stay moved meanwhile): the next pass moves it.
            assert plan.valid_from is not None
            assert plan.valid_to is not None
            plan.made_for = (plan.valid_from, plan.valid_to)
        plan.intent = None
        plan.next_attempt = None
        plan.error = None
        self.notices.delete_issue(plan)
        _LOGGER.debug(
            "Guest code %s (%s) for %s on lock %s",
            result.passcode_id,
            mask_code(result.code),
            plan.event,
            plan.lock_id,
        )

    # ---- the create_guest_passcode action -----------------------------------------

    def action_plan(
        self,
        key: GuestKey,
        *,
        guest: str,
        start: datetime,
        end: datetime,
        margin: timedelta,
        lock: Lock,
    ) -> GuestPlan:
        """Return the plan of a stay the action names: the book's, else a new one.

        A stay the book knows from a bound calendar keeps its binding's window; one
        the action made follows the window asked for now (its code moves if needed).
        """
        plan = self.plans.get(str(key))
        offline = not lock.is_remote
        if plan is not None and plan.passcode_id is not None:
            offline = plan.offline
        window = stay_window(start, end, margin, offline=offline)
        start, end = dt_util.as_utc(start), dt_util.as_utc(end)
        if plan is None or plan.status not in (*OPEN_STATUSES, PlanStatus.FAILED):
            return GuestPlan(
                binding=ACTION_BINDING,
                calendar=key.calendar,
                event=key.event,
                lock_id=key.lock_id,
                guest=guest[:MAX_NAME_LENGTH],
                start=start,
                end=end,
                window_from=window[0],
                window_to=window[1],
                offline=offline,
            )
        if plan.by_action:
            plan.start, plan.end = start, end
            plan.window_from, plan.window_to = window
        return plan

    async def async_serve_existing(
        self, plan: GuestPlan, lock: Lock, now: datetime
    ) -> PasscodeResult | None:
        """Return a created plan's code if it is still on the lock, moved to its window.

        None when the stay has no code yet, or its code is gone (then it is made again).
        The caller holds the stay's lock.
        """
        if plan.status is not PlanStatus.CREATED or plan.passcode_id is None:
            return None
        existing = await self.codes.codes(lock)
        passcode = next((p for p in existing if p.passcode_id == plan.passcode_id), None)
        if passcode is None:
            reset(plan, "vanished")
            return None
        plan.code = passcode.code
        if plan.served_window() != (plan.window_from, plan.window_to):
            await self._async_move_code(plan, lock, now)
            await self._async_save()
        return self._result(plan) if plan.status is PlanStatus.CREATED else None

    async def async_remember(self, plan: GuestPlan, result: PasscodeResult) -> None:
        """Book the code an action made (or adopted) for a stay."""
        self._created(plan, result)
        self.plans[str(plan.key)] = plan
        if not plan.by_action:
            # A bound stay the action served first: its blueprints hear of it as usual.
            self.notices.fire(EVENT_GUEST_CODE_CREATED, plan, self._lock_data(plan.lock_id))
        await self._async_save()
        self.async_request_refresh()  # the sensor and the timers follow

    async def async_roll_back(self, plan: GuestPlan, lock: Lock) -> bool:
        """Delete the code a failing multi-lock action made; False if it stays on the lock.

        A code that stays is kept in the book, so it is removed after check-out (or
        returned by the next call) rather than left behind unknown.
        """
        if plan.passcode_id is None or not await self.manager.async_rollback(
            lock, plan.passcode_id
        ):
            return False
        self.codes.drop(lock.lock_id)
        if plan.by_action:
            self.plans.pop(str(plan.key), None)
        else:
            reset(plan, None)
        await self._async_save()
        return True

    async def async_forget_code(self, lock_id: int, passcode_id: int) -> None:
        """Forget a code deleted on purpose (delete_passcode action): its stay has none now."""
        now = dt_util.now()
        changed = False
        for plan in self.plans.values():
            if (plan.lock_id, plan.passcode_id) == (lock_id, passcode_id) and (
                plan.status is PlanStatus.CREATED
            ):
                plan.status, plan.closed_at, plan.next_attempt = PlanStatus.REVOKED, now, None
                changed = True
        if self.left.forget(lock_id, passcode_id):
            changed = True
        if changed:
            await self._async_save()
            self.async_request_refresh()

    def _handle_error(self, plan: GuestPlan, reason: str, now: datetime) -> None:
        """Note a failed create (see ``guest_timing.py``); tell the host when it is late."""
        if after_create_failure(plan, reason, now):
            self.notices.tell_failed(plan)

    # ---- moves and revocation -------------------------------------------------------

    async def _async_move(self, plan: GuestPlan, binding: Binding, now: datetime) -> None:
        lock = self._lock_data(plan.lock_id)
        if lock is None or plan.passcode_id is None:
            return
        await self._async_move_code(plan, lock, now)
        await self._async_save()

    async def _async_move_code(self, plan: GuestPlan, lock: Lock, now: datetime) -> None:
        """Give a created code the stay's window: changed (custom) or made anew (offline).

        A new code replaces an offline one, and only once it exists is the old one removed
        (or, without a gateway, reported): until then the old one stays the stay's code.
        """
        assert plan.passcode_id is not None
        old, old_valid_to = plan.passcode_id, plan.valid_to
        before = (plan.valid_from, plan.valid_to, plan.code)
        replacement: PasscodeResult | None = None
        try:
            if plan.offline:
                if old not in plan.superseded:
                    plan.superseded.append(old)
                if not lock.is_remote:
                    # It opens the door in its old window whatever comes next: say so now.
                    self._leave(plan, old, old_valid_to, "moved", now)
                outcome = await self.async_prepare(plan, lock, None, now)
                replacement = (
                    await self.async_write(plan, lock, outcome)
                    if isinstance(outcome, PreparedCode)
                    else outcome
                )
            else:
                await self.manager.async_change(
                    lock, old, start=plan.window_from, end=plan.window_to
                )
                plan.valid_from, plan.valid_to = plan.window_from, plan.window_to
                plan.made_for = (plan.window_from, plan.window_to)
                plan.next_attempt, plan.error = None, None
        except HomeAssistantError as err:
            if plan.offline and old in plan.superseded:
                plan.superseded.remove(old)  # still the stay's code until replaced
            if after_move_failure(plan, err.translation_key or "cloud_error", now):
                self.notices.tell_failed(plan, keep_status=True)
            return
        if replacement is not None and replacement.passcode_id == old:
            # The cloud handed back the same code (same name and period): nothing moved.
            plan.superseded.remove(old)
            self.left.forget(plan.lock_id, old)
            self._created(plan, replacement)
            return
        if replacement is not None:
            self._created(plan, replacement)
            await self._async_retire(plan, old, old_valid_to, "moved", now)
        self.notices.delete_issue(plan)
        self.notices.fire(
            EVENT_GUEST_CODE_CREATED,
            plan,
            lock,
            moved=True,
            reason="moved",
            **changes(plan, before),
        )

    @staticmethod
    def _result(plan: GuestPlan) -> PasscodeResult:
        assert plan.passcode_id is not None
        return PasscodeResult(
            lock_id=plan.lock_id,
            passcode_id=plan.passcode_id,
            code=plan.code or "",
            kind=PasscodeKind.TIMED if plan.offline else PasscodeKind.CUSTOM,
            name=plan.name,
            offline=plan.offline,
            valid_from=plan.valid_from,
            valid_to=plan.valid_to,
        )

    async def _async_cancel(self, plan: GuestPlan, now: datetime) -> None:
        if plan.status is PlanStatus.PLANNED and plan.intent is None:
            del self.plans[str(plan.key)]
        elif plan.status is PlanStatus.FAILED and plan.intent is None:
            self.notices.delete_issue(plan)
            del self.plans[str(plan.key)]
        else:
            await self._async_revoke(plan, "cancelled", now)

    async def _async_revoke(self, plan: GuestPlan, reason: str, now: datetime) -> None:
        """Remove a stay's code: deleted (gateway), expired, or honestly left on the lock."""
        lock = self._lock_data(plan.lock_id)
        if plan.status is not PlanStatus.CREATED and plan.intent is not None and lock:
            # A create in doubt: if the cloud made it, it is revoked like any other.
            try:
                found = await self.codes.find_own(plan, lock, now)
            except HomeAssistantError:
                plan.next_attempt = now + RETRY_INTERVAL
                return
            if found is not None:
                self._created(plan, await self._async_adopt(plan, lock, found, now))
        if plan.status is not PlanStatus.CREATED or plan.passcode_id is None:
            self.notices.delete_issue(plan)
            self.plans.pop(str(plan.key), None)
            return
        valid_to = plan.valid_to or plan.window_to
        deleted = False
        if lock is not None and lock.is_remote and valid_to > now - REVOKE_GIVE_UP:
            try:
                await self.manager.async_delete(lock, plan.passcode_id)
            except HomeAssistantError as err:
                if err.translation_key != "cloud_not_found":
                    # Retried hourly; a day after its end an expired code is let be.
                    plan.error = err.translation_key or "cloud_error"
                    plan.next_attempt = now + RETRY_INTERVAL
                    return
                deleted = True  # gone already
            else:
                deleted = True
            self.codes.drop(lock.lock_id)
        plan.closed_at = now
        plan.next_attempt = None
        if deleted:
            plan.status, plan.error = PlanStatus.REVOKED, None
        elif valid_to > now:
            plan.status = PlanStatus.LEFT_ON_LOCK
            self._leave(plan, plan.passcode_id, valid_to, reason, now)
        else:
            plan.status = PlanStatus.EXPIRED
        if plan.status is not PlanStatus.LEFT_ON_LOCK:
            self.notices.fire(EVENT_GUEST_CODE_REVOKED, plan, lock, reason=reason, deleted=deleted)
        await self._async_save()

    def _leave(
        self,
        plan: GuestPlan,
        passcode_id: int,
        valid_to: datetime | None,
        reason: str,
        now: datetime,
    ) -> None:
        """Report an offline code that still opens the door and cannot be removed."""
        if (data := self.left.leave(plan, passcode_id, valid_to, reason, now)) is not None:
            self.notices.queue(EVENT_GUEST_CODE_LEFT_ON_LOCK, data)

    def _settle_left(self, now: datetime) -> None:
        """Resolve the codes left on locks that expired or are gone from the lock's list."""
        for left, gone in self.left.settle(now, self.codes.lists):
            for plan in self.plans.values():
                if (plan.lock_id, plan.passcode_id, plan.status) == (
                    left.lock_id,
                    left.passcode_id,
                    PlanStatus.LEFT_ON_LOCK,
                ):
                    plan.status = PlanStatus.REVOKED if gone else PlanStatus.EXPIRED

    # ---- codes deleted elsewhere ----------------------------------------------------

    async def _async_verify(self, bindings: Mapping[str, Binding], now: datetime) -> None:
        """Read the code lists that are due; make again a stay's code deleted elsewhere."""
        live: dict[int, list[GuestPlan]] = {}
        for plan in self.plans.values():
            if plan.status is PlanStatus.CREATED and plan.window_to > now:
                live.setdefault(plan.lock_id, []).append(plan)
        for lock_id in self.left.locks():
            live.setdefault(lock_id, [])
        for lock_id, plans in live.items():
            lock = self._lock_data(lock_id)
            if lock is None or (
                lock_id not in self.codes.lists
                and not verify_due(self.codes.verified.get(str(lock_id)), plans, now)
            ):
                continue
            try:
                codes = await self.codes.codes(lock)
            except HomeAssistantError:
                continue
            ids = {passcode.passcode_id for passcode in codes}
            for plan in plans:
                if plan.status is PlanStatus.CREATED and plan.passcode_id not in ids:
                    await self._async_vanished(plan, bindings.get(plan.binding), now)

    async def _async_vanished(
        self, plan: GuestPlan, binding: Binding | None, now: datetime
    ) -> None:
        _LOGGER.warning(
            "Guest code %s on lock %s was deleted outside Home Assistant: %s",
            plan.passcode_id,
            plan.lock_id,
            "making it again" if binding else "forgotten",
        )
        if binding is None:
            self.plans.pop(str(plan.key), None)  # the action makes it again when asked
            return
        reset(plan, "vanished")
        if plan.offline:
            plan.code = None
        await self._async_create(plan, binding, now)

    def _purge(self, now: datetime) -> None:
        for key, plan in list(self.plans.items()):
            if closed_long_ago(plan, now):
                self.notices.delete_issue(plan)
                del self.plans[key]

    # ---- timers, events, issues -----------------------------------------------------

    def _next_due(self) -> datetime | None:
        return next_wake(
            self.plans.values(), bindings_of(self.entry), self.left.ends(), dt_util.now()
        )

    @callback
    def _schedule_next(self) -> None:
        self._cancel_timer()
        due = self._next_due()
        if due is None or self._stopped:
            return
        due = max(due, dt_util.utcnow() + timedelta(seconds=1))

        @callback
        def _fire(_now: datetime) -> None:
            self._timer = None
            self.async_request_refresh()

        self._timer = async_track_point_in_utc_time(self.hass, _fire, dt_util.as_utc(due))

    # ---- arrivals, no-shows, uses after check-out (rules: arrivals.py) ----------------

    @callback
    def follow_records(
        self,
        add_listener: Callable[[Callable[[int, LockRecord], None]], CALLBACK_TYPE],
        read_records: Callable[[int], Awaitable[object]],
    ) -> None:
        """Hear of each new record of every lock (the locks coordinator's, all locks).

        The locks coordinator reads records at the allowance planner's pace or when the
        cloud pushes: arrivals cost no call of their own. ``read_records`` reads one lock's
        records now: before a no-show verdict (see ``_async_judge_no_shows``).
        """
        self._read_records = read_records
        self.entry.async_on_unload(add_listener(self._async_record))

    @callback
    def _async_record(self, lock_id: int, record: LockRecord) -> None:
        """Note a stay's use of a lock; the record's digits go no further than here."""
        if (use := stay_use(lock_id, record)) is None:
            return
        # No await between reading the plan and changing it: no cloud work can interleave,
        # so the stay's lock is not needed.
        if (noted := note_use(self.plans.values(), use)) is None:
            return
        plan, kind, first = noted
        if first:
            lock = self._lock_data(plan.lock_id)
            if kind is UseKind.ARRIVAL:
                self.notices.fire(
                    EVENT_GUEST_ARRIVED,
                    plan,
                    lock,
                    arrived_at=iso_local(use.at),
                    method=use.method,
                )
            else:
                self.notices.fire(
                    EVENT_GUEST_CODE_USED_AFTER_CHECKOUT,
                    plan,
                    lock,
                    used_at=iso_local(use.at),
                    method=use.method,
                )
        self.entry.async_create_task(
            self.hass, self._async_save_use(), f"{DOMAIN} guest arrival {self.entry.entry_id}"
        )

    async def _async_save_use(self) -> None:
        """Save the book (then its events go out) and show the use on the sensor."""
        await self._async_save()
        for update_callback in list(self._listeners):
            update_callback()

    async def _async_judge_no_shows(self, bindings: Mapping[str, Binding], now: datetime) -> None:
        """Tell the stays nobody used by check-in plus the binding's hours.

        Before the verdict, each of the stay's locks has its records read once (a use not
        read yet is an arrival, not a no-show). That read is the lock's planned read
        brought forward (it resets the lock's polling timer; for a pushed lock it is its
        safety read): at most one per lock of a stay nobody was seen using.
        """
        due = no_shows(self.plans.values(), bindings, now)
        if due and self._read_records is not None:
            for lock_id in sorted({plan.lock_id for _, stay in due for plan in stay}):
                try:
                    await self._read_records(lock_id)
                except TTLockError as err:
                    _LOGGER.debug("Lock %s: records not read before a no-show: %s", lock_id, err)
            due = no_shows(self.plans.values(), bindings, now)  # uses just read count
        for first, stay in due:
            for plan in stay:
                plan.no_show_at = now
            self.notices.fire(
                EVENT_GUEST_NO_SHOW,
                first,
                self._lock_data(first.lock_id),
                hours=bindings[first.binding].no_show_hours,
                locks=[self.notices.lock_name(plan.lock_id) for plan in stay],
            )

    def current_stay(self, binding_id: str, now: datetime) -> list[GuestPlan]:
        """Return the plans (one per lock) of the binding's stay under way, if any."""
        return guest_views.current_stay(self.plans.values(), binding_id, now)

    # ---- for the allowance planner ----------------------------------------------------

    def open_stays(self) -> tuple[int, int]:
        """(locks bound to calendars, stays whose code is still to make or to revoke)."""
        bound = {
            lock_id for binding in bindings_of(self.entry).values() for lock_id in binding.locks
        }
        return len(bound), sum(1 for plan in self.plans.values() if plan.status in OPEN_STATUSES)

    # ---- for the sensor -------------------------------------------------------------

    def next_stay(self, binding_id: str, now: datetime) -> list[GuestPlan]:
        """Return the plans (one per lock) of the binding's next or current stay.

        A booking of the look-ahead (up to ``LOOK_AHEAD``) whose plan does not exist yet
        counts too, by its previews (planned, no code).
        """
        return guest_views.next_stay(
            self.plans.values(),
            self._ahead,
            bindings_of(self.entry).get(binding_id),
            binding_id,
            self._lock_data,
            now=now,
            look_ahead=LOOK_AHEAD,
        )

    def month_plan(
        self, binding_id: str, locks: Mapping[int, LockStatus], now: datetime
    ) -> dict[str, Any] | None:
        """Return a binding's month for the host (see ``host_overview.py``)."""
        binding = bindings_of(self.entry).get(binding_id)
        if binding is None:
            return None
        ahead = [
            stay
            for calendar in binding.calendars
            for stay in self._ahead.get((binding_id, calendar), ())
        ]
        return month_plan(binding, self.plans.values(), ahead, locks, now=now)

    def stay_plans(self, calendar: str, event: str) -> list[GuestPlan]:
        """Return a stay's plans (one per lock, any status), else its look-ahead previews."""
        return guest_views.stay_plans(
            self.plans.values(),
            self._ahead,
            bindings_of(self.entry),
            self._lock_data,
            calendar=calendar,
            event=event,
        )

    def code_data(self, plan: GuestPlan) -> dict[str, Any]:
        """Return one lock's part of the get_guest_code response (the code included)."""
        return {
            **plan.public(self.notices.lock_name(plan.lock_id), with_code=True),
            "lock_entity_id": self.notices.lock_entity(plan.lock_id),
            "passcode_id": plan.passcode_id if plan.status is PlanStatus.CREATED else None,
        }
