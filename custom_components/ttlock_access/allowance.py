"""The account's monthly API allowance: counted, remembered, planned within, reported.

One :class:`AllowanceManager` per config entry:

- keeps the client's :class:`~.api.CallLedger` (every request of the month, by path and
  day) in a private Store, saved a little after each change, so a restart forgets nothing;
- reads the cloud's own count of the month (``app/getMonthRequestCount``) once a day, so
  other apps on the same TTLock application are included;
- remembers, per lock, whether its records arrive by push (a push the cloud confirmed,
  no missed record found since) across restarts, and which locks were active lately;
- makes the :class:`~.planner.Plan` the coordinators follow, from the allowance option,
  the month's use, a reserve for commands and guest codes, and the locks' needs;
- raises repair issues when the month's projected use exceeds the allowance and when the
  cloud answered 30007 (with the reset date).

Why this module is over 400 lines: the ledger's store, the plan's inputs and the repairs
that explain the plan all read the same month's facts; the rules are in planner.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import CallLedger, TTLockAllowanceExhaustedError, TTLockClient, TTLockError
from .api.usage import month_start, next_reset
from .const import (
    CONF_MONTHLY_ALLOWANCE,
    CONF_WEBHOOK_ID,
    DEFAULT_MONTHLY_ALLOWANCE,
    DOMAIN,
)
from .planner import LockNeed, Plan, PlanInput, make_plan, reserve_for

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 30  # seconds: a crash loses at most this much counting
# How often the cloud's own count is read (one call each time).
RECONCILE_INTERVAL: Final = timedelta(days=1)
# A lock operated within this window is "active": followed more closely.
ACTIVE_WINDOW: Final = timedelta(hours=1)
# Without a push for any lock for this long, push is no longer assumed for new locks.
ACCOUNT_PUSH_MEMORY: Final = timedelta(days=7)
# The push repair issue waits this long after the account is added (the config flow
# shows the callback URL): no nagging while the user sets push up.
PUSH_SETUP_GRACE: Final = timedelta(days=1)

# Paths whose calls are what the user does, not what the integration reads.
_ACTION_PREFIXES: Final = (
    "/v3/lock/lock",
    "/v3/lock/unlock",
    "/v3/lock/configPassageMode",
    "/v3/keyboardPwd/",
    "/v3/lock/setAutoLockTime",
    "/v3/lock/updateSetting",
    "/v3/lock/updateDate",
    "/v3/identityCard/add",
    "/v3/identityCard/rename",
    "/v3/identityCard/changePeriod",
    "/v3/identityCard/delete",
    "/v3/fingerprint/rename",
    "/v3/fingerprint/changePeriod",
    "/v3/fingerprint/delete",
    "/v3/electricMeter/syncState",
    "/v3/electricMeter/controlOnOff",
    "/v3/waterMeter/syncState",
    "/v3/waterMeter/controlOnOff",
)
ISSUE_PROJECTION: Final = "allowance_projection"
ISSUE_EXHAUSTED: Final = "allowance_exhausted"
ISSUE_PUSH: Final = "push_missing"


def polled_of(locks: Iterable[LockNeed]) -> list[LockNeed]:
    """Return the locks among ``locks`` that are polled (the cloud reaches them, no push)."""
    return [lock for lock in locks if lock.remote and not lock.pushed]


def _calls(plan: Plan, lock: LockNeed) -> float:
    """Return the calls a day the plan spends on one lock."""
    interval = plan.per_lock.get(lock.lock_id)
    return 0.0 if interval is None else 86400 / interval.total_seconds()


def callback_url(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Return the URL to paste as the application's callback URL, if there is one."""
    try:
        return webhook.async_generate_url(hass, entry.data[CONF_WEBHOOK_ID])
    except NoURLAvailableError:
        return None


def purpose_of(path: str) -> str:
    """Group a path for people: what a call was spent on."""
    if path.startswith(_ACTION_PREFIXES):
        return "actions"
    if path.startswith("/v3/lockRecord/") or path == "/v3/lock/queryOpenState":
        return "lock_state"
    if path.startswith("/v3/gateway/"):
        return "gateways"
    if path.startswith(("/v3/electricMeter/", "/v3/waterMeter/")):
        return "meters"
    # Reads, whoever asked: the weekly lists as well as an action's look before a write
    # (counted as actions, they would make the reserve for commands swell).
    if path.startswith(("/v3/lock/", "/v3/identityCard/", "/v3/fingerprint/")):
        return "locks"
    return "account"  # tokens, the month's count


def allowance_reset_text(err: TTLockError) -> str:
    """When a used-up monthly allowance comes back, in local time, for messages."""
    reset = err.reset_at if isinstance(err, TTLockAllowanceExhaustedError) else None
    return dt_util.as_local(reset or next_reset(dt_util.utcnow())).strftime("%Y-%m-%d %H:%M")


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.usage.{entry_id}", private=True)


async def async_remove_usage_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's call counts and push history (from async_remove_entry)."""
    await _store(hass, entry_id).async_remove()


class AllowanceManager:
    """Counts, plans and reports the calls of one account."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Set up for one config entry (``async_load`` before the client is used)."""
        self.hass = hass
        self.entry = entry
        self.ledger = CallLedger(clock=dt_util.utcnow, on_change=self._async_changed)
        self._store = _store(hass, entry.entry_id)
        self._pushed_at: dict[int, datetime] = {}  # lock id -> last push
        self._missed_at: dict[int, datetime] = {}  # lock id -> a record push did not bring
        self._gateways_pushed_at: datetime | None = None
        self._since = dt_util.utcnow()  # when counting began for this entry
        self._active_at: dict[int, datetime] = {}  # in memory only
        self._open_stays: Callable[[], tuple[int, int]] = lambda: (0, 0)
        self._plan: Plan | None = None
        self._facts: PlanInput | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._exhausted_shown = False

    # ---- persistence ----------------------------------------------------------------

    async def async_load(self) -> None:
        """Restore the month's counts and push history; a damaged file starts afresh."""
        data = await self._store.async_load()
        if data is None:
            return
        try:
            self._restore(data)
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Stored API call counts unreadable (%s); counting afresh", err)
            self.ledger = CallLedger(clock=dt_util.utcnow, on_change=self._async_changed)
            self._pushed_at, self._missed_at, self._gateways_pushed_at = {}, {}, None

    def _restore(self, data: Mapping[str, Any]) -> None:
        ledger = CallLedger(clock=dt_util.utcnow, on_change=self._async_changed)
        ledger.load(data["ledger"])
        pushed = {int(k): _parse(v) for k, v in dict(data["pushed"]).items()}
        missed = {int(k): _parse(v) for k, v in dict(data["missed"]).items()}
        gateways = data["gateways_pushed"]
        since = _parse(data["since"]) if data.get("since") else self._since
        self.ledger = ledger
        self._since = since
        self._pushed_at, self._missed_at = pushed, missed
        self._gateways_pushed_at = None if gateways is None else _parse(gateways)

    def _data(self) -> dict[str, Any]:
        return {
            "since": self._since.isoformat(),
            "ledger": self.ledger.as_dict(),
            "pushed": {str(k): v.isoformat() for k, v in self._pushed_at.items()},
            "missed": {str(k): v.isoformat() for k, v in self._missed_at.items()},
            "gateways_pushed": (
                None if self._gateways_pushed_at is None else self._gateways_pushed_at.isoformat()
            ),
        }

    @callback
    def _async_changed(self) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)
        if (self.ledger.exhausted_until is not None) != self._exhausted_shown:
            self._update_issues()

    async def async_flush(self) -> None:
        """Save now (at unload)."""
        await self._store.async_save(self._data())

    # ---- the cloud's own count --------------------------------------------------------

    async def async_reconcile(self, client: TTLockClient) -> None:
        """Read the cloud's count of the month if it was not read today."""
        read_at = self.ledger.cloud_read_at
        if read_at is not None and dt_util.utcnow() - read_at < RECONCILE_INTERVAL:
            return
        try:
            await client.month_request_count()
        except TTLockError as err:
            _LOGGER.debug("The cloud's request count was not read: %s", err)
        else:
            self._update_issues()

    # ---- what the locks need ------------------------------------------------------------

    @callback
    def note_push(self, lock_id: int) -> None:
        """Note a callback about this lock: its records come by push."""
        self._pushed_at[lock_id] = dt_util.utcnow()
        self._missed_at.pop(lock_id, None)
        self._async_changed()

    @callback
    def note_gateway_push(self) -> None:
        """Note a gateway status callback."""
        self._gateways_pushed_at = dt_util.utcnow()
        self._async_changed()

    @callback
    def note_missed(self, lock_id: int) -> None:
        """Note a record no push brought: poll this lock until pushes return."""
        if lock_id not in self._missed_at:
            _LOGGER.info("Lock %s had records that no push delivered: polling it", lock_id)
        self._missed_at[lock_id] = dt_util.utcnow()
        self._async_changed()

    @callback
    def note_activity(self, lock_id: int) -> None:
        """Note an operation (a record, a command): follow the lock closely for a while."""
        self._active_at[lock_id] = dt_util.utcnow()

    @callback
    def forget_lock(self, lock_id: int) -> None:
        """Forget a lock that left the account."""
        self._pushed_at.pop(lock_id, None)
        self._missed_at.pop(lock_id, None)
        self._active_at.pop(lock_id, None)
        self._async_changed()

    def pushed(self, lock_id: int) -> bool:
        """Whether this lock's records are expected by push.

        A lock a push came for, unless a read found a record the push did not bring. A lock
        without any history yet counts as pushed while pushes reach the account (the cloud
        pushes every lock of the account or none), until a read says otherwise.
        """
        if lock_id in self._missed_at:
            return False
        if lock_id in self._pushed_at:
            return True
        return self._account_pushed()

    def _account_pushed(self) -> bool:
        moments = [*self._pushed_at.values()]
        if self._gateways_pushed_at is not None:
            moments.append(self._gateways_pushed_at)
        return bool(moments) and dt_util.utcnow() - max(moments) < ACCOUNT_PUSH_MEMORY

    @property
    def gateways_pushed(self) -> bool:
        """Whether gateway status changes arrive by push.

        The cloud sends every kind of callback to the application's one URL: pushes of
        lock records prove it reaches Home Assistant, gateway changes included.
        """
        return self._account_pushed()

    def active(self, lock_id: int) -> bool:
        """Whether the lock was operated within the last hour."""
        seen = self._active_at.get(lock_id)
        return seen is not None and dt_util.utcnow() - seen < ACTIVE_WINDOW

    def need(self, lock_id: int, *, remote: bool) -> LockNeed:
        """Return what following this lock takes now."""
        return LockNeed(
            lock_id=lock_id,
            remote=remote,
            pushed=remote and self.pushed(lock_id),
            active=self.active(lock_id),
        )

    # ---- the plan -------------------------------------------------------------------

    @property
    def allowance(self) -> int:
        """The monthly allowance the user set (default 5,000)."""
        return int(self.entry.options.get(CONF_MONTHLY_ALLOWANCE, DEFAULT_MONTHLY_ALLOWANCE))

    @callback
    def set_stays_source(self, source: Callable[[], tuple[int, int]]) -> None:
        """Where to learn (bound locks, stays with a code still to make or revoke)."""
        self._open_stays = source

    def actions_this_month(self) -> int:
        """Count the calls spent this month on what the user did."""
        return sum(n for path, n in self.ledger.by_path.items() if purpose_of(path) == "actions")

    @callback
    def replan(
        self,
        locks: Iterable[LockNeed],
        *,
        gateways: int,
        meter_kinds: int,
    ) -> Plan:
        """Make the plan from the facts of now, and update the repair issues."""
        now = dt_util.utcnow()
        reset_at = next_reset(now)
        bound_locks, open_stays = self._open_stays()
        self._facts = PlanInput(
            allowance=self.allowance,
            used=self.ledger.used,
            now=now,
            reset_at=reset_at,
            reserve=reserve_for(
                now=now,
                reset_at=reset_at,
                month_start=month_start(now),
                spent_on_actions=self.actions_this_month(),
                bound_locks=bound_locks,
                open_stays=open_stays,
            ),
            locks=tuple(locks),
            gateways=gateways,
            gateways_pushed=self.gateways_pushed,
            meter_kinds=meter_kinds,
            meter_kinds_absent=2 - meter_kinds,
        )
        self._plan = make_plan(self._facts)
        self._update_issues()
        for listener in list(self._listeners):
            listener()
        return self._plan

    @property
    def plan(self) -> Plan | None:
        """The plan in force (None before the first lock refresh)."""
        return self._plan

    @property
    def facts(self) -> PlanInput | None:
        """What the plan in force was made from."""
        return self._facts

    def projected(self) -> int:
        """Return the calls the month is heading for: used, the plan and the reserve."""
        if self._facts is None or self._plan is None:
            return self.ledger.used
        days_left = max((self._facts.reset_at - dt_util.utcnow()).total_seconds(), 0) / 86400
        return round(self.ledger.used + self._plan.reads_per_day * days_left + self._facts.reserve)

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``update_callback`` whenever the plan is made again."""
        self._listeners.append(update_callback)

        @callback
        def remove() -> None:
            self._listeners.remove(update_callback)

        return remove

    # ---- repairs -------------------------------------------------------------------

    def _update_issues(self) -> None:
        entry_id = self.entry.entry_id
        until = self.ledger.exhausted_until
        self._exhausted_shown = until is not None
        if until is not None:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                f"{ISSUE_EXHAUSTED}_{entry_id}",
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=ISSUE_EXHAUSTED,
                translation_placeholders={
                    "account": self.entry.title,
                    "reset": dt_util.as_local(until).strftime("%Y-%m-%d %H:%M"),
                },
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, f"{ISSUE_EXHAUSTED}_{entry_id}")
        projected = self.projected()
        if self._plan is not None and projected > self.allowance:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                f"{ISSUE_PROJECTION}_{entry_id}",
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_PROJECTION,
                translation_placeholders={
                    "account": self.entry.title,
                    "projected": str(projected),
                    "allowance": str(self.allowance),
                    "used": str(self.ledger.used),
                },
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, f"{ISSUE_PROJECTION}_{entry_id}")
        self._update_push_issue()

    def polled_locks(self) -> list[LockNeed]:
        """Locks the cloud could push for but does not: they are polled."""
        return [] if self._facts is None else polled_of(self._facts.locks)

    def _update_push_issue(self) -> None:
        issue_id = f"{ISSUE_PUSH}_{self.entry.entry_id}"
        polled = self.polled_locks()
        # The config flow asked for the callback URL: give the user a day to set it up.
        settling = dt_util.utcnow() - self._since < PUSH_SETUP_GRACE
        if self._facts is None or self._plan is None or not polled or settling:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        with_push = make_plan(
            replace(
                self._facts,
                locks=tuple(replace(lock, pushed=lock.remote) for lock in self._facts.locks),
            )
        )
        polled_calls = sum(_calls(self._plan, lock) for lock in polled)
        pushed_calls = sum(_calls(with_push, lock) for lock in polled)
        freshness = max(self._plan.per_lock[lock.lock_id] for lock in polled)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_PUSH,
            translation_placeholders={
                "account": self.entry.title,
                "polled": str(len(polled)),
                "polled_calls": str(round(polled_calls)),
                "polled_month": str(round(polled_calls * 30)),
                "allowance": str(self.allowance),
                "freshness": str(round(freshness.total_seconds() / 60)),
                "pushed_calls": str(round(pushed_calls)),
                "webhook_url": callback_url(self.hass, self.entry) or "-",
            },
        )


def _parse(value: Any) -> datetime:
    moment = dt_util.parse_datetime(str(value))
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"not a time: {value!r}")
    return moment
