"""How often to read what, so the month's cloud calls stay within the allowance.

Pure rules, no Home Assistant: the allowance manager feeds them what it knows and the
coordinators follow the plan. The month left is split into:

1. a **reserve** for what the user does (commands, actions, guest codes), never spent on
   reads;
2. a **margin** of 5% of the allowance, never planned for;
3. **reads**: what is left, spread evenly over the days left, so a month that runs hot
   slows down before the allowance runs out, not after:

   - fixed reads at the pace their data changes: the lock list (names, battery, new
     locks) hourly, gateways every 30 min (hourly once they push their status), the
     gateway-lock links every 6 h, meter lists hourly where the account has meters and
     daily where it has none; each remote lock's settings and clock, and every
     lock's passcodes, cards, fingerprints and eKeys weekly, or more rarely so that they
     take at most a tenth of the budget (they change least);
   - each lock whose records the cloud pushes: one safety read every 6 h, and a
     **confirmation** read when a push says it has new records (pushes are not believed
     as sent: pushes.py). A confirmation is also the lock's safety read (the next one
     waits 6 h from it), so confirmations are paid from what the fixed reads leave plus
     the safety reads' own share: a lock that pushes often costs its confirmations, not
     both;
   - each Bluetooth-only lock (its records reach the cloud when a phone syncs them):
     every 2 h, every 15 min for a while after activity;
   - every other lock the cloud reaches is *polled*: one records read a cycle (records
     carry lock/unlock and battery), as often as the rest of the budget allows, recently
     active locks four times as often as idle ones.

   When the fixed reads alone would take more than their share, every interval stretches
   by the same factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math
from typing import Final

DAY: Final = timedelta(days=1)
_DAY_S: Final = DAY.total_seconds()

LOCK_LIST_INTERVAL: Final = timedelta(hours=1)
GATEWAY_INTERVAL: Final = timedelta(minutes=30)
GATEWAY_INTERVAL_PUSHED: Final = timedelta(hours=1)
LINKS_INTERVAL: Final = timedelta(hours=6)
METER_INTERVAL: Final = timedelta(hours=1)
METER_RECHECK_INTERVAL: Final = DAY
# A remote lock's settings (lock/detail): changed from the TTLock app at most now and then;
# read at setup and after each write from Home Assistant, and weekly in case.
SETTINGS_INTERVAL: Final = timedelta(days=7)
SETTINGS_READS: Final = 2  # lock/detail and the lock's clock (lock/queryDate)
# Every lock's passcodes, cards, fingerprints and eKeys, at the same pace.
CREDENTIAL_READS: Final = 4
# A big account on a small allowance reads settings and credentials at setup and after
# its own changes, and otherwise as rarely as this.
SETTINGS_CAP: Final = timedelta(days=365)
# Settings and credentials change least: they may take this share of the daily budget
# at most, and come last (nothing else slows down for them).
SETTINGS_SHARE: Final = 0.1
PUSH_RESYNC_INTERVAL: Final = timedelta(hours=6)
BLUETOOTH_INTERVAL: Final = timedelta(hours=2)
BLUETOOTH_ACTIVE_INTERVAL: Final = timedelta(minutes=15)
# Polled locks: never more often than this, whatever the budget.
POLL_FLOOR_ACTIVE: Final = timedelta(minutes=1)
POLL_FLOOR_IDLE: Final = timedelta(minutes=5)
ACTIVE_WEIGHT: Final = 4
# Longest an account-wide read (lock list, gateways, meters) is stretched to. Per-lock
# reads may go beyond, up to a month: with many locks and no push there is no cheaper way
# to follow them, and the plan says so (the state freshness it shows).
STRETCH_CAP: Final = DAY
POLL_CAP: Final = timedelta(days=31)
# Share of the daily budget the fixed reads may take while locks are polled.
FIXED_SHARE_WITH_POLLING: Final = 0.5
# Never planned for reads: this share of the allowance stays free for surprises (more
# actions than the reserve foresaw). A share of what is left would shrink to nothing by
# the month's last day; a share of the allowance does not.
MARGIN_SHARE: Final = 0.05

# The reserve: what users do, per month, when they have not done it yet this month.
COMMANDS_PER_DAY: Final = 3  # lock, unlock, passage mode, meter switches, code actions
STAYS_PER_LOCK_MONTH: Final = 4
# The lock's list before the create (adoption, digits), the create, the look before
# arrival, the revoke.
CALLS_PER_STAY: Final = 4
# A bound lock's code list is read once a week (codes deleted elsewhere, codes left on it).
VERIFY_READS_PER_LOCK_DAY: Final = 1 / 7


@dataclass(frozen=True, slots=True)
class LockNeed:
    """What one lock needs to be followed."""

    lock_id: int
    remote: bool  # the cloud reaches it (gateway or Wi-Fi): it can push, be queried
    pushed: bool  # its records arrive by push
    active: bool  # operated recently


@dataclass(frozen=True, slots=True)
class PlanInput:
    """The facts the plan is made from."""

    allowance: int
    used: int  # calls counted this month so far
    now: datetime
    reset_at: datetime  # when the allowance is renewed
    reserve: int  # calls kept for the rest of the month's commands and guest codes
    locks: tuple[LockNeed, ...] = ()
    gateways: int = 0
    gateways_pushed: bool = False  # gateway status callbacks arrive
    meter_kinds: int = 0  # meter lists the account uses (electric, water)
    meter_kinds_absent: int = 2  # meter lists re-checked daily


@dataclass(frozen=True, slots=True)
class Plan:
    """Intervals to follow, and what they cost."""

    lock_list: timedelta
    gateways: timedelta
    links: timedelta
    meters: timedelta
    meter_recheck: timedelta
    settings: timedelta = SETTINGS_INTERVAL
    per_lock: dict[int, timedelta] = field(default_factory=dict)
    budget_per_day: float = 0.0  # calls the reads may use a day
    reads_per_day: float = 0.0  # calls the plan spends a day
    stretch: float = 1.0  # > 1: fixed reads slowed down to fit
    confirms_per_day: float = 0.0  # reads that may confirm pushes, all locks together
    settings_reads_per_day: float = 0.0  # of reads_per_day: settings and lists, amortised

    def freshness(self, lock: LockNeed) -> timedelta | None:
        """Longest a state change of ``lock`` may wait to be seen (None: pushed)."""
        if lock.remote and lock.pushed:
            return None
        return self.per_lock.get(lock.lock_id)


def _per_day(interval: timedelta, count: float = 1) -> float:
    return count * _DAY_S / interval.total_seconds()


def _stretched(interval: timedelta, stretch: float, cap: timedelta = STRETCH_CAP) -> timedelta:
    seconds = min(interval.total_seconds() * stretch, cap.total_seconds())  # inf -> cap
    return max(interval, timedelta(seconds=seconds))


def reserve_for(
    *,
    now: datetime,
    reset_at: datetime,
    month_start: datetime,
    spent_on_actions: int,
    bound_locks: int,
    open_stays: int,
) -> int:
    """Return the calls to keep for the rest of the month: commands, guest stays.

    Commands go at the month's observed pace, at least ``COMMANDS_PER_DAY``; guest codes
    for the stays known ahead, at least the usual number of stays per bound lock.
    """
    days_left = max((reset_at - now).total_seconds(), 0.0) / _DAY_S
    days_gone = max((now - month_start).total_seconds() / _DAY_S, 1.0)
    month_share = days_left / max((reset_at - month_start).total_seconds() / _DAY_S, 1.0)
    command_pace = max(COMMANDS_PER_DAY, spent_on_actions / days_gone)
    stays = max(open_stays, bound_locks * STAYS_PER_LOCK_MONTH * month_share)
    verify = bound_locks * VERIFY_READS_PER_LOCK_DAY * days_left
    return math.ceil(command_pace * days_left + stays * CALLS_PER_STAY + verify)


def _settings_interval(reads: int, budget: float) -> timedelta:
    """Return how often settings and credential lists are read.

    Weekly, or as rarely as ``SETTINGS_SHARE`` of the daily budget needs (up to
    ``SETTINGS_CAP``).
    """
    if reads == 0:
        return SETTINGS_INTERVAL
    share = budget * SETTINGS_SHARE
    needed = timedelta(seconds=_DAY_S * reads / share) if share > 0 else SETTINGS_CAP
    return min(max(SETTINGS_INTERVAL, needed), SETTINGS_CAP)


def make_plan(facts: PlanInput) -> Plan:
    """Intervals that keep the month's reads within what the allowance leaves them."""
    days_left = max((facts.reset_at - facts.now).total_seconds() / _DAY_S, 1 / 24)
    margin = facts.allowance * MARGIN_SHARE
    spendable = max(facts.allowance - facts.used - facts.reserve - margin, 0.0)
    budget = spendable / days_left

    gateway_interval = GATEWAY_INTERVAL_PUSHED if facts.gateways_pushed else GATEWAY_INTERVAL
    pushed = [lock for lock in facts.locks if lock.remote and lock.pushed]
    bluetooth = [lock for lock in facts.locks if not lock.remote]
    polled = [lock for lock in facts.locks if lock.remote and not lock.pushed]
    # The stretch is set by the idle pace: a burst of activity lasts an hour, and what it
    # spends is counted and made up for by the plans after it.
    fixed = (
        _per_day(LOCK_LIST_INTERVAL)
        + (_per_day(gateway_interval) if facts.gateways else 0.0)
        + _per_day(LINKS_INTERVAL, facts.gateways)
        + _per_day(METER_INTERVAL, facts.meter_kinds)
        + _per_day(METER_RECHECK_INTERVAL, facts.meter_kinds_absent)
        + _per_day(PUSH_RESYNC_INTERVAL, len(pushed))
        + _per_day(BLUETOOTH_INTERVAL, len(bluetooth))
    )
    settings_reads = SETTINGS_READS * (len(pushed) + len(polled)) + CREDENTIAL_READS * len(
        facts.locks
    )
    settings_every = _settings_interval(settings_reads, budget)
    share = budget * (FIXED_SHARE_WITH_POLLING if polled else 1.0)
    stretch = fixed / share if share > 0 else math.inf
    stretch = max(stretch, 1.0)

    per_lock: dict[int, timedelta] = {}
    for lock in pushed:
        per_lock[lock.lock_id] = _stretched(PUSH_RESYNC_INTERVAL, stretch, POLL_CAP)
    for lock in bluetooth:
        base = BLUETOOTH_ACTIVE_INTERVAL if lock.active else BLUETOOTH_INTERVAL
        per_lock[lock.lock_id] = _stretched(base, stretch, POLL_CAP)
    plan_fixed = {
        "lock_list": _stretched(LOCK_LIST_INTERVAL, stretch),
        "gateways": _stretched(gateway_interval, stretch),
        "links": _stretched(LINKS_INTERVAL, stretch),
        "meters": _stretched(METER_INTERVAL, stretch),
        "meter_recheck": _stretched(METER_RECHECK_INTERVAL, stretch),
        "settings": settings_every,
    }
    fixed_spent = (
        _per_day(plan_fixed["lock_list"])
        + (_per_day(plan_fixed["gateways"]) if facts.gateways else 0.0)
        + _per_day(plan_fixed["links"], facts.gateways)
        + _per_day(plan_fixed["meters"], facts.meter_kinds)
        + _per_day(plan_fixed["meter_recheck"], facts.meter_kinds_absent)
        + _per_day(settings_every, settings_reads)
        + sum(_per_day(per_lock[lock.lock_id]) for lock in (*pushed, *bluetooth))
    )

    polled_spent = confirms = 0.0
    if polled:
        idle_fixed = fixed_spent - sum(
            _per_day(per_lock[lock.lock_id]) - _per_day(_stretched(BLUETOOTH_INTERVAL, stretch))
            for lock in bluetooth
            if lock.active
        )
        left = max(budget - idle_fixed, 0.0)
        # Pushed locks share what is left as polled ones do: a confirmation replaces a poll.
        weights = {lock.lock_id: ACTIVE_WEIGHT if lock.active else 1 for lock in (*polled, *pushed)}
        total_weight = sum(weights.values())
        confirms = sum(left * weights[lock.lock_id] / total_weight for lock in pushed)
        for lock in polled:
            floor = POLL_FLOOR_ACTIVE if lock.active else POLL_FLOOR_IDLE
            calls = left * weights[lock.lock_id] / total_weight
            interval = timedelta(seconds=_DAY_S / calls) if calls > 0 else POLL_CAP
            interval = min(max(interval, floor), POLL_CAP)
            per_lock[lock.lock_id] = interval
            polled_spent += _per_day(interval)
    elif pushed:
        confirms = max(budget - fixed_spent, 0.0)
    # A confirmation stands in for the lock's next safety read.
    confirms += sum(_per_day(per_lock[lock.lock_id]) for lock in pushed)

    return Plan(
        per_lock=per_lock,
        budget_per_day=budget,
        reads_per_day=fixed_spent + polled_spent,
        stretch=stretch,
        confirms_per_day=confirms,
        settings_reads_per_day=_per_day(settings_every, settings_reads),
        **plan_fixed,
    )
