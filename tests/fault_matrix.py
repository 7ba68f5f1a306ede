"""A seeded, randomized fault matrix for guest access (used by a test and scripts/fault-matrix).

Weeks of simulated time over a calendar of stays bound to a lock with a gateway (custom
codes) and one without (offline codes): stays are added, moved and cancelled across a
DST change, while the cloud loses answers (before and after carrying a write out), fails
with 5xx, rate-limits, the gateway goes offline, and Home Assistant restarts, sometimes
"crashing" between the cloud's answer and the save (the stored book put back as it was).

Checked after every step (faults or not):
- no stay has two live codes on one lock (known leftovers of gateway-less locks apart);
- a live code of no live stay is either on its way out (a gateway lock: deleted once the
  gateway answers) or reported by a repair issue naming it (a lock without a gateway);
- no exception escapes into the log.
Checked after each calm spell (faults cleared, gateway online, two hours):
- each live stay whose moment has come has exactly one code per lock, valid for its window
  (custom: to the minute; offline: ending on the hour after it);
- no code of a cancelled or moved-away stay is left on a gateway lock.
"""

from __future__ import annotations

from collections import Counter
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
import os
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import CONF_PASSCODE_QUOTA_LIMITED, DOMAIN
from custom_components.ttlock_access.passcodes import ceil_hour
from custom_components.ttlock_access.stays import PlanStatus, stay_tag
from simulator import FakeTTLockCloud
from simulator.state import FakeLock, FakePasscode

from .guest_common import CALENDAR, StaysCalendar, go, guest_codes, lock_named, ms, setup_bound

DAYS_BEFORE = 3
MARGIN = timedelta(minutes=45)
_WRITES = ("/v3/keyboardPwd/add", "/v3/keyboardPwd/get", "/v3/keyboardPwd/delete")
_PATHS = (*_WRITES, "/v3/keyboardPwd/change", "/v3/lock/listKeyboardPwd")
_FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("http 502", {"http_status": 502}),
    ("http 503", {"http_status": 503}),
    ("dropped connection", {"disconnect": True}),
    ("rate limit 30006", {"errcode": 30006}),
    ("answer lost after commit (502)", {"after_commit": True, "http_status": 502}),
    ("answer lost after commit (dropped)", {"after_commit": True, "disconnect": True}),
)


@dataclass
class MatrixReport:
    """What one run did and found."""

    seed: int
    quota_limited: bool = False
    quota_refused: int = 0  # live stays the integration reported refused for the quota
    stays: int = 0
    steps: int = 0
    calm_checks: int = 0
    restarts: int = 0
    crashes: int = 0
    outages: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for a person."""
        faults = sum(self.faults.values())
        quota = (
            f" (passcode quota on: {self.quota_refused} times a stay refused, reported)"
            if self.quota_limited
            else ""
        )
        return (
            f"seed {self.seed}: {self.stays} stays{quota}, {self.steps} steps, "
            f"{self.calm_checks} calm checks, {faults} faults injected "
            f"({', '.join(f'{n} {k}' for k, n in sorted(self.faults.items()))}), "
            f"{self.outages} gateway outages, {self.restarts} restarts, "
            f"{self.crashes} crashes before a save; writes: "
            f"{', '.join(f'{n} {k.rsplit("/", 1)[-1]}' for k, n in sorted(self.writes.items()))}; "
            f"violations: {len(self.violations)}"
        )


class _Escaped(logging.Handler):
    """Collect log records that carry a traceback: an exception escaped somewhere."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


class FaultMatrix:
    """One seeded run (see the module docstring)."""

    def __init__(  # noqa: PLR0917
        self,
        hass: HomeAssistant,
        frozen: FrozenDateTimeFactory,
        entry: MockConfigEntry,
        cloud: FakeTTLockCloud,
        hass_storage: dict[str, Any],
        calendar: StaysCalendar,
        demo_ids: set[int],
        seed: int,
    ) -> None:
        """Set up the run (``async_run`` plays it)."""
        self.hass, self.frozen, self.entry, self.cloud = hass, frozen, entry, cloud
        self.storage, self.calendar, self.demo_ids = hass_storage, calendar, demo_ids
        self.rng = random.Random(seed)
        self.report = MatrixReport(seed=seed, quota_limited=seed % 3 == 0)
        self.front = lock_named(cloud, "Front door")
        self.garage = lock_named(cloud, "Garage")
        self.gateway_id = self.front.links[0].gateway.gateway_id
        self.begin = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)
        self.now = self.begin
        self.outage_until: datetime | None = None

    @property
    def locks(self) -> list[FakeLock]:
        """The bound locks."""
        return [self.front, self.garage]

    def _violation(
        self, text: str, lock: FakeLock | None = None, uid: str | None = None, tag: str = ""
    ) -> None:
        self.report.violations.append(f"{self.now.isoformat()}: {text}")
        if os.environ.get("FAULT_MATRIX_DEBUG") and lock is not None:
            scheduler = self.entry.runtime_data.guests
            print(f"DEBUG {self.now}: {text}")
            for code in guest_codes(lock, self.demo_ids):
                print(f"  code {code}")
            print(f"  left {scheduler.left.as_stored()}")
            for plan in scheduler.plans.values():
                if plan.lock_id == lock.lock_id and (
                    plan.event == uid or stay_tag(CALENDAR, plan.event) == tag
                ):
                    print(f"  plan {plan.as_dict()}")
            if uid in self.calendar.events:
                print(f"  event {self.calendar.events[uid]}")

    def _add_stay(self) -> None:
        index = self.report.stays
        start = self.now + timedelta(
            days=self.rng.randrange(0, 12),
            hours=self.rng.randrange(0, 24),
            minutes=self.rng.choice((0, 15, 40)),
        )
        end = start + timedelta(days=self.rng.randrange(1, 5), minutes=self.rng.choice((0, 30)))
        self.calendar.add(f"uid-{index}", start, end, f"Guest {index}")
        self.report.stays += 1

    async def async_run(self, days: int) -> MatrixReport:
        """Play ``days`` of simulated time; return what happened and what went wrong."""
        escaped = _Escaped()
        logging.getLogger().addHandler(escaped)
        try:
            await self._async_play(days)
        finally:
            logging.getLogger().removeHandler(escaped)
        for record in escaped.records:
            self.report.violations.append(f"exception escaped: {record.getMessage()}")
        for path in _PATHS:
            self.report.writes[path] = self.cloud.requests[path]
        return self.report

    async def _async_play(self, days: int) -> None:
        await self.hass.config.async_set_time_zone("Europe/Berlin")
        self.frozen.move_to(self.begin)
        # Every third seed keeps TTLock's passcode quota (5 codes per lock and month).
        for account in self.cloud.accounts.values():
            account.limited = self.report.quota_limited
        self.hass.config_entries.async_update_entry(
            self.entry,
            options={**self.entry.options, CONF_PASSCODE_QUOTA_LIMITED: self.report.quota_limited},
        )
        for _ in range(10):
            self._add_stay()
        await setup_bound(
            self.hass,
            self.entry,
            self.locks,
            days_before=DAYS_BEFORE,
            margin=int(MARGIN.total_seconds() // 60),
        )
        next_calm = self.begin + timedelta(days=2)
        while self.now < self.begin + timedelta(days=days):
            await self._async_step()
            self._check_always()
            if self.now >= next_calm:
                await self._async_calm()
                next_calm = self.now + timedelta(days=self.rng.choice((1, 2, 3)))

    async def _async_step(self) -> None:
        rng, calendar = self.rng, self.calendar
        live = sorted(calendar.events)
        roll = rng.random()
        if roll < 0.12 and live:
            calendar.move(
                rng.choice(live),
                timedelta(hours=rng.randrange(-30, 30)),
                stretch=timedelta(hours=rng.randrange(0, 20)),
            )
        elif roll < 0.2 and live:
            calendar.cancel(rng.choice(live))
        elif roll < 0.34:
            self._add_stay()
        if rng.random() < 0.3:
            name, fault = rng.choice(_FAULTS)
            self.cloud.fail_next(rng.choice(_PATHS), count=rng.choice((1, 1, 2)), **fault)
            self.report.faults[name] += 1
        if self.outage_until is None and rng.random() < 0.05:
            self.outage_until = self.now + timedelta(hours=rng.randrange(1, 8))
            self.cloud.set_gateway_online(self.gateway_id, False)
            self.report.outages += 1
        elif self.outage_until is not None and self.now >= self.outage_until:
            self.outage_until = None
            self.cloud.set_gateway_online(self.gateway_id, True)
        self.now += timedelta(hours=rng.choice((1, 2, 3)), minutes=rng.choice((0, 7, 30)))
        self.report.steps += 1
        restart = rng.random()
        if restart < 0.05:
            await self._async_crash_after_step()
        else:
            await go(self.hass, self.frozen, self.now)
            if restart < 0.1:
                await self._async_restart()

    async def _async_restart(self, book: dict[str, Any] | None = None) -> None:
        hass, entry = self.hass, self.entry
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        if book is not None:
            self.storage[self._book_key] = book
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        self.report.restarts += 1

    @property
    def _book_key(self) -> str:
        return f"{DOMAIN}.guest_access.{self.entry.entry_id}"

    async def _async_crash_after_step(self) -> None:
        """The step's writes reach the cloud; Home Assistant dies before saving them."""
        before = copy.deepcopy(self.storage.get(self._book_key))
        await go(self.hass, self.frozen, self.now)
        if before is not None:
            await self._async_restart(before)
            self.report.crashes += 1

    async def _async_calm(self) -> None:
        """Faults cleared and the gateway back: two hours later all must be in order."""
        self.cloud.faults.clear()
        self.cloud.set_gateway_online(self.gateway_id, True)
        self.outage_until = None
        for _ in range(3):
            self.now += timedelta(hours=1)
            await go(self.hass, self.frozen, self.now)
        self._check_always()
        self._check_calm()
        self.report.calm_checks += 1

    # ---- invariants ---------------------------------------------------------------

    def _tags(self) -> dict[str, str]:
        """tag -> uid of every stay in the calendar."""
        return {stay_tag(CALENDAR, uid): uid for uid in self.calendar.events}

    def _window(self, uid: str) -> tuple[datetime, datetime]:
        """The stay's window: the margin in real minutes (UTC), also across a DST change."""
        event = self.calendar.events[uid]
        start, end = (
            dt_util.as_utc(event.start_datetime_local),
            dt_util.as_utc(event.end_datetime_local),
        )
        return start - MARGIN, end + MARGIN

    def _allowed_end(self, code: FakePasscode, uid: str) -> int:
        """The latest end a code of the stay may have: its window's, rounded as the code."""
        end = self._window(uid)[1]
        return _ceil_minute_ms(end) if code.is_custom else ms(ceil_hour(end))

    def _due(self, uid: str) -> bool:
        """Whether the stay's code should exist now (its moment came, its window lasts)."""
        event = self.calendar.events[uid]
        made_at = dt_util.as_local(event.start_datetime_local) - timedelta(days=DAYS_BEFORE)
        return made_at <= self.now < self._window(uid)[1]

    def _live_codes(self, lock: FakeLock) -> list[FakePasscode]:
        now_ms = ms(self.now)
        return [
            code
            for code in guest_codes(lock, self.demo_ids)
            if code.end_ms == 0 or code.end_ms > now_ms
        ]

    def _reported_left(self, lock: FakeLock) -> set[int]:
        """Codes the integration reports as left on a lock, each with its repair issue."""
        left = self.entry.runtime_data.guests.left
        registry = ir.async_get(self.hass)
        return {
            passcode_id
            for passcode_id in left.on_lock(lock.lock_id)
            if registry.async_get_issue(DOMAIN, left.issue_id(lock.lock_id, passcode_id))
        }

    def _refused_for_quota(self, lock: FakeLock, uid: str) -> bool:
        """Whether the stay has no code because the lock's quota is used up, and says so.

        A failed plan carries a repair issue; one waiting for the 1st says when.
        """
        scheduler = self.entry.runtime_data.guests
        plan = scheduler.plans.get(f"{CALENDAR}|{uid}|{lock.lock_id}")
        if plan is None or plan.error not in ("quota_exhausted", "cloud_passcode_quota"):
            return False
        if plan.status in (PlanStatus.FAILED, PlanStatus.CREATED):  # created: a move refused
            issue_id = f"guest_code_failed_{self.entry.entry_id}_"
            return any(
                issue.issue_id.startswith(issue_id)
                and issue.translation_placeholders
                and issue.translation_placeholders.get("guest") == plan.guest
                for issue in ir.async_get(self.hass).issues.values()
            )
        return plan.next_attempt is not None and plan.next_attempt > self.now

    @staticmethod
    def _tag_of(code: FakePasscode) -> str | None:
        _, _, tag = code.name.rpartition(" #")
        return tag or None

    def _check_always(self) -> None:
        tags = self._tags()
        for lock in self.locks:
            reported = self._reported_left(lock)
            per_stay: Counter[str] = Counter()
            for code in self._live_codes(lock):
                tag = self._tag_of(code)
                if code.passcode_id in reported or tag is None:
                    continue
                per_stay[tag] += 1
                uid = tags.get(tag)
                # Valid beyond its stay (cancelled, shortened, moved): only the hour an
                # offline code rounds its end up to is the stay's own.
                gone = uid is None or code.end_ms > self._allowed_end(code, uid)
                if gone and not lock.links:
                    # Without a gateway nothing can remove it: it must be reported.
                    self._violation(
                        f"{lock.alias}: offline code {code.passcode_id} ({code.name}) of a "
                        "stay no longer there opens the door unreported",
                        lock,
                        uid,
                        tag,
                    )
            for tag, count in per_stay.items():
                if count > 1:
                    self._violation(
                        f"{lock.alias}: {count} live codes for stay {tags.get(tag)}",
                        lock,
                        tags.get(tag),
                    )

    def _check_calm(self) -> None:
        tags = self._tags()
        for lock in self.locks:
            reported = self._reported_left(lock)
            found: dict[str, FakePasscode] = {}
            for code in self._live_codes(lock):
                tag = self._tag_of(code)
                uid = tags.get(tag) if tag else None
                if code.passcode_id in reported or tag is None:
                    continue
                if uid is not None and self._due(uid):
                    found[uid] = code
                elif lock.links and (uid is None or code.end_ms > self._allowed_end(code, uid)):
                    # A stay moved later keeps its code; a stay gone must not.
                    self._violation(
                        f"{lock.alias}: code {code.passcode_id} of no live stay still on a "
                        "gateway lock after a calm spell",
                        lock,
                        uid,
                        tag,
                    )
            for uid in tags.values():
                if not self._due(uid):
                    continue
                code = found.get(uid)
                if code is None and self._refused_for_quota(lock, uid):
                    self.report.quota_refused += 1
                    continue
                if code is None:
                    self._violation(f"{lock.alias}: live stay {uid} has no code", lock, uid)
                    continue
                start, end = self._window(uid)
                if self._refused_for_quota(lock, uid):
                    self.report.quota_refused += 1
                    continue  # the code of its old dates: the host was told
                if code.is_custom:
                    wanted = (ms(start.replace(second=0)), _ceil_minute_ms(end))
                    if (code.start_ms, code.end_ms) != wanted:
                        self._violation(f"{lock.alias}: stay {uid} code window differs", lock, uid)
                elif code.end_ms != ms(ceil_hour(end)):
                    self._violation(
                        f"{lock.alias}: stay {uid} offline code ends elsewhere", lock, uid
                    )


def _ceil_minute_ms(moment: datetime) -> int:
    floored = moment.replace(second=0, microsecond=0)
    return ms(floored if floored == moment else floored + timedelta(minutes=1))
