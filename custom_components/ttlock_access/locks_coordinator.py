"""The account's locks: the list, each lock's records and state, details once per lock.

``/v3/lock/list`` (names, battery, gateway presence, features of every lock in one call)
at the plan's pace (hourly at most), and per lock one call when that lock is due: its
records newer than the last ``serverDate`` seen, which tell lock/unlock (auto lock
included) and battery. A lock whose records the cloud pushes is only read as a safety net
(and when pushes.py confirms a push); a Bluetooth-only lock slowly (a phone uploads its
records), faster after activity. The open state is queried once, when a remote lock first
appears (and to retry one that was unreachable); the passage mode once; the lock detail
(with its settings) once, after each settings write, and weekly for a remote lock.

Why this module is over 400 lines: records are the locks' state, and the rules that keep
reads, pushes and commands in order (cursor, turn counters, newer-wins) must sit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import (
    Lock,
    LockDetail,
    LockRecord,
    LockState,
    TTLockClient,
    TTLockError,
    TTLockNotFoundError,
    TTLockNotSupportedError,
    TTLockPermissionError,
    TTLockUnreachableError,
)
from .const import (
    JAMMED_RECORD_TYPES,
    LOGGER,
)
from .coordinator import FIRST_CYCLE, TTLockCoordinator, due_at
from .gateways_coordinator import TTLockGatewaysCoordinator
from .lock_clock import drift_of, update_clock_issue
from .lock_listeners import LockListeners
from .meters_coordinator import TTLockMetersCoordinator
from .planner import Plan

if TYPE_CHECKING:
    from .allowance import AllowanceManager

# A record dated further ahead than this is not believed (and moves no cursor).
FUTURE_RECORD = timedelta(minutes=5)
# A record older than this when a safety read finds it was missed by push.
PUSH_GRACE = timedelta(minutes=5)
# Records are asked for from this long before the newest one seen: a Bluetooth lock's
# records reach the cloud when a phone syncs them, later than they happened, and the
# cloud filters on the lock's time. What was seen already is skipped by upload time.
RECORD_LOOKBACK = timedelta(hours=24)

type RecordListener = Callable[[LockRecord], None]
type AccountRecordListener = Callable[[int, LockRecord], None]


@dataclass
class LockData:
    """What the integration knows about one lock."""

    lock: Lock  # from the lock list
    state: LockState
    passage_mode: bool | None
    detail: LockDetail | None  # at setup, after a settings write, weekly (remote locks)
    gateway_ids: tuple[int, ...]  # gateways that reach it, strongest signal first
    reachable: bool = True  # False while the cloud cannot reach it (gateway/Wi-Fi offline)
    jammed: bool = False  # the last operation timed out before the bolt got there
    rssi: int | None = None  # signal to its best gateway (dBm)
    clock_drift: timedelta | None = None  # how far the lock's clock is ahead (remote locks)


class _LockView(Mapping[int, Lock]):
    """The locks coordinator's locks by id, read from its data as it is at each look-up."""

    def __init__(self, coordinator: TTLockLocksCoordinator) -> None:
        self._coordinator = coordinator

    def __getitem__(self, lock_id: int) -> Lock:
        return (self._coordinator.data or {})[lock_id].lock

    def __iter__(self) -> Iterator[int]:
        return iter(self._coordinator.data or {})

    def __len__(self) -> int:
        return len(self._coordinator.data or {})


class TTLockLocksCoordinator(TTLockCoordinator[dict[int, LockData]]):
    """The account's locks: list, records and state; details once per lock."""

    def __init__(  # noqa: PLR0917
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        allowance: AllowanceManager,
        gateways: TTLockGatewaysCoordinator,
        meters: TTLockMetersCoordinator,
    ) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass, entry, client, allowance, name="TTLock locks", update_interval=FIRST_CYCLE
        )
        self.gateways = gateways
        self.meters = meters
        self._locks: list[Lock] = []  # the last lock list
        self._list_read: datetime | None = None
        self._details: dict[int, LockDetail | None] = {}
        self._details_read: dict[int, datetime] = {}
        self._clock_drift: dict[int, timedelta] = {}
        self._passage: dict[int, bool | None] = {}
        self._read: dict[int, datetime] = {}  # when each lock was last read
        self._cursor: dict[int, datetime] = {}  # serverDate of the newest record seen
        # Pushes and commands applied per lock: a cycle keeps what came after a lock's turn.
        self._changes: dict[int, int] = {}
        self._turn: dict[int, int] = {}
        self._seen: dict[int, set[tuple[object, ...]]] = {}  # records at the cursor
        self._record_listeners: LockListeners[RecordListener] = LockListeners()
        self._account_record_listeners: list[AccountRecordListener] = []
        # Told of every records read of a lock (pushes.py settles pushed records with it).
        self.on_records_read: Callable[[int, list[LockRecord], datetime], None] | None = None

    @override
    async def _async_setup(self) -> None:
        """Read each lock's detail and passage mode once."""
        await self._async_guarded(self._async_load_initial)

    async def _async_load_initial(self) -> None:
        await self._async_read_list()
        for lock in self._locks:
            await self._async_load_static(lock)

    async def _async_read_list(self) -> None:
        self._locks = await self.client.list_locks()
        self._list_read = dt_util.utcnow()

    async def _async_load_static(self, lock: Lock) -> None:
        """Fetch what rarely changes: once per lock, a remote lock's settings at their pace."""
        lock_id = lock.lock_id
        due = due_at(self._details_read.get(lock_id), self._plan().settings)
        if lock_id not in self._details or (
            lock.is_remote and due is not None and dt_util.utcnow() >= due
        ):
            await self._async_read_detail(lock_id)
            if lock.is_remote:
                await self._async_read_clock(lock)
        if lock_id not in self._passage and lock.passage_mode is None:
            enabled: bool | None = None
            if lock.supports_passage_mode:
                try:
                    enabled = (await self.client.get_passage_mode(lock_id)).enabled
                except TTLockNotSupportedError, TTLockNotFoundError:
                    enabled = None
            self._passage[lock_id] = enabled
        if lock_id not in self._cursor:
            # Only what happens from now on becomes an event.
            self._cursor[lock_id] = dt_util.utcnow()
            self._seen[lock_id] = set()

    @override
    async def _async_update_data(self) -> dict[int, LockData]:
        data = await self._async_guarded(self._async_fetch)
        plan = self._replan(data)
        self._wake_at(self._nextdue_at(plan, data))
        return data

    async def _async_fetch(self) -> dict[int, LockData]:
        # Pushes may have come or stopped since the last plan: reads follow the current one.
        plan = self._replan(self.data) if self.data else self._plan()
        list_due = due_at(self._list_read, plan.lock_list)
        listed = list_due is None or dt_util.utcnow() >= list_due
        if listed:
            await self._async_read_list()
        links = self.gateways.lock_links()
        result: dict[int, LockData] = {}
        self._turn = {}  # each lock's change count as far as this cycle has taken it in
        for lock in self._locks:
            lock_id = lock.lock_id
            await self._async_load_static(lock)
            # As it is now: a push may have changed it while earlier locks were read.
            old = (self.data or {}).get(lock_id)
            self._turn[lock_id] = self._changes.get(lock_id, 0)
            if old is not None and not listed:
                lock = old.lock  # noqa: PLW2901  # as records updated it since the list
            lock_links = links.get(lock_id, [])
            # The cloud stops counting an offline gateway's links after about 30 min; the
            # lock still has its gateway (and must not be taken for Bluetooth-only).
            had_gateway = bool(lock_links) or (old is not None and old.lock.has_gateway)
            if not lock.has_gateway and had_gateway and self.gateways.any_offline():
                lock = replace(lock, has_gateway=True)  # noqa: PLW2901
            data = LockData(
                lock=lock,
                state=old.state if old else LockState.UNKNOWN,
                passage_mode=(
                    lock.passage_mode if lock.passage_mode is not None else self._passage[lock_id]
                ),
                detail=self._details[lock_id],
                clock_drift=self._clock_drift.get(lock_id),
                gateway_ids=tuple(
                    link.gateway_id for link in lock_links if link.gateway_id is not None
                ),
                reachable=old.reachable if old else True,
                jammed=old.jammed if old else False,
                rssi=lock_links[0].rssi if lock_links else None,
            )
            try:
                result[lock_id] = await self._async_follow(lock, old, data, plan)
            except TTLockError:
                # The records read before the failure were taken (their events fired):
                # keep what they said, or the state would stay stale until the next one.
                if self.data is not None and result:
                    self.data = {**self.data, **result}
                raise
        for lock_id in set(self._cursor) - set(result):
            self._forget(lock_id)
        return self._keep_newer(result)

    def _keep_newer(self, result: dict[int, LockData]) -> dict[int, LockData]:
        """Keep what a push or a command said about a lock while later locks were read.

        A lock changed after its turn in this cycle (its own read had merged what came
        before) must not go back to this cycle's older view of it.
        """
        for lock_id, mine in result.items():
            current = (self.data or {}).get(lock_id)
            if current is None or self._changes.get(lock_id, 0) == self._turn.get(lock_id, 0):
                continue
            result[lock_id] = replace(
                mine,
                state=current.state,
                jammed=current.jammed,
                reachable=current.reachable,
                passage_mode=current.passage_mode,
                detail=current.detail,
                clock_drift=current.clock_drift,
                lock=replace(mine.lock, battery=current.lock.battery),
            )
        return result

    async def _async_follow(
        self, lock: Lock, old: LockData | None, data: LockData, plan: Plan
    ) -> LockData:
        """Read a due lock once: its state (first time) or its new records."""
        lock_id = lock.lock_id
        now = dt_util.utcnow()
        if old is not None:
            due = due_at(self._read.get(lock_id), plan.per_lock.get(lock_id, FIRST_CYCLE))
            if due is not None and now < due:
                return data
        self._read[lock_id] = now
        if old is None or (lock.is_remote and not old.reachable):
            # A new lock, or one the cloud could not reach: ask where its bolt is.
            return await self._async_query_state(lock_id, data) if lock.is_remote else data
        try:
            records = await self.client.list_lock_records(
                lock_id, start=self._cursor[lock_id] - RECORD_LOOKBACK
            )
        except TTLockNotFoundError:
            records = []
        if self.on_records_read is not None:
            self.on_records_read(lock_id, records, now)
        if (current := (self.data or {}).get(lock_id)) is not None and current is not old:
            # A push arrived while the records were read: it is newer than what this read
            # started from, and only records past it (the cursor) apply on top of it.
            data = replace(
                data,
                state=current.state,
                jammed=current.jammed,
                reachable=current.reachable,
                lock=replace(data.lock, battery=current.lock.battery),
            )
        self._turn[lock_id] = self._changes.get(lock_id, 0)  # taken in (no wait from here)
        if not (new := self._take_new(lock_id, records)):
            return data
        self.allowance.note_activity(lock_id)
        if lock.is_remote and self.allowance.pushed(lock_id):
            late = [r for r in new if (r.server_date or now) < now - PUSH_GRACE]
            if late:
                self.allowance.note_missed(lock_id)
        self._fire(lock_id, new)
        return self._apply_records(data, new)

    async def _async_query_state(self, lock_id: int, data: LockData) -> LockData:
        try:
            return replace(data, state=await self.client.get_lock_state(lock_id), reachable=True)
        except TTLockUnreachableError as err:
            LOGGER.debug("Lock %s unreachable: %s", lock_id, err)
            return replace(data, state=LockState.UNKNOWN, reachable=False)
        except TTLockNotSupportedError, TTLockPermissionError, TTLockNotFoundError:
            return replace(data, state=LockState.UNKNOWN, reachable=True)

    def _replan(self, data: dict[int, LockData]) -> Plan:
        """Make the plan again from what the coordinators know now."""
        meters = self.meters.data
        return self.allowance.replan(
            (
                self.allowance.need(lock_id, remote=lock_data.lock.is_remote)
                for lock_id, lock_data in data.items()
            ),
            gateways=len(self.gateways.data or {}),
            meter_kinds=0 if meters is None else bool(meters.electric) + bool(meters.water),
        )

    def _nextdue_at(self, plan: Plan, data: dict[int, LockData]) -> datetime | None:
        """When the next read of this coordinator is due."""
        moments = [self._list_read + plan.lock_list] if self._list_read else []
        for lock_id in data:
            read = self._read.get(lock_id)
            if read is None:
                return dt_util.utcnow()
            moments.append(read + plan.per_lock.get(lock_id, FIRST_CYCLE))
        return min(moments, default=None)

    def locks(self) -> Mapping[int, Lock]:
        """Return the account's locks as last read (a live view: no copy per look-up)."""
        return _LockView(self)

    def read_at(self, lock_id: int) -> datetime | None:
        """When the lock was last read (its state or its records)."""
        return self._read.get(lock_id)

    @callback
    def async_read_soon(self, lock_ids: Iterable[int]) -> None:
        """Read these locks at the next refresh (e.g. their gateway is back)."""
        for lock_id in lock_ids:
            self._read.pop(lock_id, None)
        self.config_entry.async_create_task(
            self.hass, self.async_request_refresh(), "ttlock_access read locks"
        )

    def _forget(self, lock_id: int) -> None:
        """Drop what is kept about a lock that left the account."""
        self._read.pop(lock_id, None)
        self._cursor.pop(lock_id, None)
        self._seen.pop(lock_id, None)
        self._details.pop(lock_id, None)
        self._details_read.pop(lock_id, None)
        self._clock_drift.pop(lock_id, None)
        update_clock_issue(self.hass, self.config_entry.entry_id, lock_id, "", None)
        self._passage.pop(lock_id, None)
        self.allowance.forget_lock(lock_id)

    def _take_new(self, lock_id: int, records: Iterable[LockRecord]) -> list[LockRecord]:
        """Return records newer than those seen, oldest first; advance the cursor."""
        cursor = self._cursor.get(lock_id)
        seen = self._seen.setdefault(lock_id, set())
        new: list[LockRecord] = []
        now = dt_util.utcnow()
        # Records uploaded together share a serverDate: the lock's own time orders them.
        for record in sorted(
            records,
            key=lambda record: (
                record.server_date or record.lock_date or now,
                record.lock_date or now,
            ),
        ):
            when = record.server_date or record.lock_date or now
            if when > now + FUTURE_RECORD:
                # A date no record can have yet (a forged push, a lock's clock far off):
                # it would hold every real record back behind the cursor.
                LOGGER.debug("Ignored a record of lock %s dated in the future", lock_id)
                continue
            key = (record.record_id, record.record_type, record.username, record.lock_date)
            if cursor is not None and (when < cursor or (when == cursor and key in seen)):
                continue
            if cursor is None or when > cursor:
                cursor = when
                seen = {key}
            else:
                seen.add(key)
            new.append(record)
        if cursor is not None:
            self._cursor[lock_id] = cursor
        self._seen[lock_id] = seen
        return new

    @staticmethod
    def _apply_records(data: LockData, records: list[LockRecord]) -> LockData:
        """Return what a sequence of records says about the lock."""
        state, jammed, lock = data.state, data.jammed, data.lock
        for record in records:
            if record.record_type in JAMMED_RECORD_TYPES:
                jammed = True
            elif record.success and record.unlocked is not None:
                jammed = False
                state = LockState.UNLOCKED if record.unlocked else LockState.LOCKED
            if record.battery is not None:
                lock = replace(lock, battery=record.battery)
        return replace(data, state=state, jammed=jammed, lock=lock)

    def _fire(self, lock_id: int, records: list[LockRecord]) -> None:
        for record in records:
            for account_listener in list(self._account_record_listeners):
                account_listener(lock_id, record)
            for listener in self._record_listeners.of(lock_id):
                listener(record)

    @callback
    def async_add_record_listener(self, lock_id: int, listener: RecordListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each new record of a lock (polled or pushed)."""
        return self._record_listeners.add(lock_id, listener)

    @callback
    def async_add_account_record_listener(self, listener: AccountRecordListener) -> CALLBACK_TYPE:
        """Call ``listener(lock_id, record)`` with each new record of every lock."""
        self._account_record_listeners.append(listener)

        @callback
        def remove() -> None:
            self._account_record_listeners.remove(listener)

        return remove

    async def _async_read_detail(self, lock_id: int) -> None:
        self._details_read[lock_id] = dt_util.utcnow()
        try:
            self._details[lock_id] = await self.client.get_lock_detail(lock_id)
        except TTLockNotFoundError:
            self._details.setdefault(lock_id, None)

    async def _async_read_clock(self, lock: Lock) -> None:
        """Read how far the lock's clock is off (through the gateway); None if unreachable."""
        asked_at = dt_util.utcnow()
        try:
            lock_time = await self.client.get_lock_time(lock.lock_id)
        except (TTLockUnreachableError, TTLockNotSupportedError, TTLockNotFoundError) as err:
            LOGGER.debug("Clock of lock %s not read: %s", lock.lock_id, err)
            return
        self._set_drift(lock, drift_of(lock_time, asked_at, dt_util.utcnow()))

    def _set_drift(self, lock: Lock, drift: timedelta) -> None:
        self._clock_drift[lock.lock_id] = drift
        update_clock_issue(self.hass, self.config_entry.entry_id, lock.lock_id, lock.name, drift)

    async def async_sync_clock(self, lock_id: int) -> None:
        """Set the lock's clock to the cloud's time (raises TTLockError) and show it."""
        asked_at = dt_util.utcnow()
        lock_time = await self.client.sync_lock_time(lock_id)
        lock = self.data[lock_id].lock
        self._set_drift(lock, drift_of(lock_time, asked_at, dt_util.utcnow()))
        self._changes[lock_id] = self._changes.get(lock_id, 0) + 1
        drift = self._clock_drift[lock_id]
        self.async_publish({**self.data, lock_id: replace(self.data[lock_id], clock_drift=drift)})

    async def async_settings_written(self, lock_id: int, **written: Any) -> None:
        """Show settings the cloud took at once, then read them back to confirm.

        ``written``: LockDetail fields and their new values. A failed read-back keeps
        what was written (the write itself succeeded) until the next read.
        """
        current = self.data[lock_id]
        if current.detail is not None:
            detail = replace(current.detail, **written)
            self._details[lock_id] = detail
            self._changes[lock_id] = self._changes.get(lock_id, 0) + 1
            self.async_publish({**self.data, lock_id: replace(current, detail=detail)})
        try:
            await self.async_read_settings(lock_id)
        except TTLockError as err:
            LOGGER.debug("Settings of lock %s not read back: %s", lock_id, err)

    async def async_read_settings(self, lock_id: int) -> None:
        """Read a lock's settings again (after a write: what the lock took) and show them."""
        await self._async_read_detail(lock_id)
        if self.data is not None and lock_id in self.data:
            self._changes[lock_id] = self._changes.get(lock_id, 0) + 1
            detail = self._details.get(lock_id)
            self.async_publish({**self.data, lock_id: replace(self.data[lock_id], detail=detail)})

    async def async_read_records(self, lock_id: int) -> list[LockRecord] | None:
        """Read a lock's records now (a push said it has new ones) and apply the new ones.

        Returns the records read (None: not a lock of the account).
        """
        if self.data is None or lock_id not in self.data or lock_id not in self._cursor:
            return None
        try:
            records = await self.client.list_lock_records(
                lock_id, start=self._cursor[lock_id] - RECORD_LOOKBACK
            )
        except TTLockNotFoundError:
            return None
        self._read[lock_id] = dt_util.utcnow()  # it also serves as the lock's safety read
        if lock_id in self.data and (new := self._take_new(lock_id, records)):
            self._changes[lock_id] = self._changes.get(lock_id, 0) + 1
            self.allowance.note_activity(lock_id)
            updated = self._apply_records(self.data[lock_id], new)
            self._fire(lock_id, new)
            self.async_publish({**self.data, lock_id: updated})
        return records

    async def async_read_state(self, lock_id: int) -> bool | None:
        """Ask a lock where its bolt is (a push said it came or went) and apply it.

        Returns whether the cloud reached the lock (None: not a lock of the account).
        """
        if self.data is None or lock_id not in self.data:
            return None
        data = await self._async_query_state(lock_id, self.data[lock_id])
        if lock_id not in self.data:
            return None
        known = data.reachable and data.state is not LockState.UNKNOWN
        changed = known and data.state is not self.data[lock_id].state
        self.async_update_lock(
            lock_id, state=data.state if changed else None, reachable=data.reachable
        )
        return data.reachable

    @callback
    def async_update_lock(
        self,
        lock_id: int,
        *,
        state: LockState | None = None,
        passage_mode: bool | None = None,
        reachable: bool | None = None,
    ) -> None:
        """Record the outcome of a command (or a push) and tell the entities."""
        self._changes[lock_id] = self._changes.get(lock_id, 0) + 1
        current = self.data[lock_id]
        updated = replace(
            current,
            state=current.state if state is None else state,
            jammed=current.jammed if state is None else False,
            passage_mode=current.passage_mode if passage_mode is None else passage_mode,
            reachable=current.reachable if reachable is None else reachable,
        )
        if passage_mode is not None:
            self._passage[lock_id] = passage_mode
        if state is not None:
            self.allowance.note_activity(lock_id)
        if updated != current:
            self.async_publish({**self.data, lock_id: updated})
