"""Pushes are hints: the cloud's callbacks make the integration read, never believe.

TTLock signs nothing and the webhook URL is the only secret, so what a callback claims is
not applied. A pushed record makes the integration read that lock's records now; a pushed
online change, the lock's open state (a Wi-Fi lock) or the gateway list. What the read
returns is applied (events, state, battery), whatever the push said. A read *confirms* a
push when it holds what the push claimed; only confirmed pushes tell that the account's
records arrive by push and spare a lock its polling (allowance.py).

Each read is a counted call, paid from the pool the plan fills (confirmations.py): a
quiet account confirms each push within a second; a busy one confirms several pushes
with one read; a flood of forged pushes costs a handful of reads a day.

Cost: one ``lockRecord/list`` per push (or per group of pushes), never more than the
plan's ``confirms_per_day``; a confirmation also counts as the lock's safety read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .allowance import AllowanceManager
from .api import LockRecord, TTLockError
from .confirmations import Confirmations, Fact, Settled
from .const import LOGGER
from .gateways_coordinator import TTLockGatewaysCoordinator
from .locks_coordinator import TTLockLocksCoordinator

RECORDS: Final = "records"
ONLINE: Final = "online"
GATEWAYS: Final = "gateways"

type Subject = tuple[str, int]


def record_fact(record: LockRecord) -> Fact:
    """Return what identifies a record in a push and in the cloud's list alike."""
    return (record.record_type, record.lock_date)


class PushHints:
    """Turns an entry's callbacks into reads the plan pays for."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        allowance: AllowanceManager,
        locks: TTLockLocksCoordinator,
        gateways: TTLockGatewaysCoordinator,
    ) -> None:
        """Follow the locks' own reads: they confirm pushes too, at no extra cost."""
        self._hass = hass
        self._entry = entry
        self._allowance = allowance
        self._locks = locks
        self._gateways = gateways
        self._book = Confirmations(dt_util.utcnow())
        self._timers: dict[Subject, CALLBACK_TYPE] = {}
        self._reading: set[Subject] = set()
        self._refused = self._ignored = 0
        locks.on_records_read = self._records_read
        entry.async_on_unload(self._cancel_timers)
        entry.async_on_unload(allowance.async_add_listener(self._plan_changed))

    @callback
    def async_records(self, lock_id: int, records: Iterable[LockRecord]) -> bool:
        """Confirm pushed records of a lock; False if it cannot be one of ours."""
        if not self._remote(lock_id):
            return False
        self._hold((RECORDS, lock_id), [record_fact(record) for record in records])
        return True

    @callback
    def async_lock_online(self, lock_id: int, online: bool) -> bool:
        """Confirm a pushed online change of a lock; False if it cannot be ours."""
        if not self._remote(lock_id):
            return False
        self._hold((ONLINE, lock_id), [online])
        return True

    @callback
    def async_gateway_online(self, gateway_id: int, online: bool) -> bool:
        """Confirm a pushed gateway online change; False if it is not the account's."""
        if gateway_id not in (self._gateways.data or {}):
            return False
        self._hold((GATEWAYS, 0), [(gateway_id, online)])
        return True

    @callback
    def note_refused(self) -> None:
        """Count a callback the webhook refused (unreadable, impossible, too large)."""
        self._refused += 1

    @callback
    def note_ignored(self) -> None:
        """Count a callback about a device that is not the account's (or cannot push)."""
        self._ignored += 1

    def as_dict(self) -> dict[str, float | int]:
        """Callbacks refused, ignored, confirmed and not (diagnostics)."""
        return {"refused": self._refused, "ignored": self._ignored, **self._book.as_dict()}

    def _remote(self, lock_id: int) -> bool:
        """Only a lock of the account that the cloud reaches can push."""
        data = (self._locks.data or {}).get(lock_id)
        return data is not None and data.lock.is_remote

    def _hold(self, subject: Subject, facts: list[Fact]) -> None:
        if facts:
            self._book.hold(subject, facts, dt_util.utcnow())
            self._schedule(subject)

    def _schedule(self, subject: Subject) -> None:
        """Read ``subject`` when the pool pays for it (or leave it to the plan's reads)."""
        if subject in self._reading:
            return  # the read on its way schedules the next one when it is done
        if (cancel := self._timers.pop(subject, None)) is not None:
            cancel()
        now = dt_util.utcnow()
        plan = self._allowance.plan
        self._book.set_rate(plan.confirms_per_day if plan else 0.0, now)
        if (due := self._book.due(subject, now)) is None:
            return  # no read to spare: the plan's next read of the lock settles it
        if due > now:
            self._timers[subject] = async_call_later(
                self._hass,
                (due - now).total_seconds(),
                HassJob(partial(self._due, subject), cancel_on_shutdown=True),
            )
            return
        if self._book.take(subject, now):
            self._reading.add(subject)
            self._entry.async_create_task(
                self._hass, self._async_read(subject), f"ttlock_access confirm {subject[0]}"
            )

    @callback
    def _plan_changed(self) -> None:
        """Look again at waiting pushes: a new plan may pay for reads the last could not."""
        for subject in self._book.waiting():
            if isinstance(subject, tuple) and subject not in self._timers:
                self._schedule(subject)

    @callback
    def _due(self, subject: Subject, _now: datetime) -> None:
        self._timers.pop(subject, None)
        self._schedule(subject)

    async def _async_read(self, subject: Subject) -> None:
        kind, key = subject
        began = dt_util.utcnow()
        readers: dict[str, Callable[[int], Awaitable[Iterable[Fact] | None]]] = {
            RECORDS: self._read_records,
            ONLINE: self._read_online,
            GATEWAYS: self._read_gateways,
        }
        try:
            found = await readers[kind](key)
        except TTLockError as err:
            LOGGER.debug("A pushed change was not confirmed: the read failed (%s)", err)
            self._book.defer(subject, dt_util.utcnow())
        else:
            self._settled(subject, self._book.settle(subject, found or (), began, dt_util.utcnow()))
        finally:
            self._reading.discard(subject)
        if self._book.holding(subject):
            self._schedule(subject)

    async def _read_records(self, lock_id: int) -> Iterable[Fact] | None:
        records = await self._locks.async_read_records(lock_id)
        return None if records is None else [record_fact(record) for record in records]

    async def _read_online(self, lock_id: int) -> Iterable[Fact] | None:
        reachable = await self._locks.async_read_state(lock_id)
        return None if reachable is None else [reachable]

    async def _read_gateways(self, _key: int) -> Iterable[Fact]:
        return (await self._gateways.async_read_online()).items()

    @callback
    def _records_read(self, lock_id: int, records: list[LockRecord], began: datetime) -> None:
        """Settle what pushes claimed before a plan's read of the lock began."""
        subject = (RECORDS, lock_id)
        if self._book.holding(subject):
            facts = [record_fact(record) for record in records]
            self._settled(subject, self._book.settle(subject, facts, began, dt_util.utcnow()))

    def _settled(self, subject: Subject, settled: Settled) -> None:
        kind, key = subject
        if settled.unconfirmed:
            LOGGER.debug(
                "%s pushed change(s) about %s %s not confirmed by the cloud: ignored",
                settled.unconfirmed,
                "gateways" if kind == GATEWAYS else "lock",
                "" if kind == GATEWAYS else key,
            )
        if not settled.confirmed:
            return
        if kind != GATEWAYS:
            self._allowance.note_push(key)
            return
        self._allowance.note_gateway_push()
        back = {fact[0] for fact in settled.confirmed if isinstance(fact, tuple) and fact[1]}
        if back:
            # What the locks behind it did while it was away.
            self._locks.async_read_soon(
                link.lock_id
                for gateway_id in back
                if (gateway := (self._gateways.data or {}).get(gateway_id)) is not None
                for link in gateway.links
                if link.lock_id is not None and link.lock_id in (self._locks.data or {})
            )

    @callback
    def _cancel_timers(self) -> None:
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
