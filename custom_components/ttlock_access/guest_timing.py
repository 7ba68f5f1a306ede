"""When guest access acts on a stay: retries after a failure, looks at a lock, wake-ups.

Rules over a stay's plan, with no cloud, store or event in them: the scheduler
(guest_scheduler.py) asks them and does what they say. Each is tested on its own
(tests/test_guest_timing.py) besides the end-to-end tests.

- A create that failed for a reason worth retrying (the lock, its gateway or the cloud
  out of reach, a create in doubt) is retried hourly, once more right at the deadline,
  and on while the stay lasts; the host hears of it at the deadline.
- A passcode quota refusal waits for the 1st when that comes before the stay; otherwise
  the host hears of it at once and the stay is retried when the quota frees up.
- A stay on a fallback offline code tries its custom code hourly until the fallback's
  validity opens.
- A lock with live stay codes has its list read weekly, and once more three hours
  before each arrival, when a missing code matters most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
import logging
from typing import Final

from .arrivals import no_show_due_at
from .errors import RETRYABLE_CLOUD_KEYS
from .passcodes import next_month_start
from .stays import OPEN_STATUSES, Binding, GuestPlan, PlanStatus, creation_time

_LOGGER = logging.getLogger(__name__)

RETRY_INTERVAL: Final = timedelta(hours=1)
# A code that cannot be deleted after its period ended is harmless: stop trying after this.
REVOKE_GIVE_UP: Final = timedelta(days=1)
# Closed plans stay visible (sensor, diagnostics) this long after check-out.
KEEP_CLOSED: Final = timedelta(days=7)
# Daily reads would cost a 50-lock host 1,500 calls a month (measured in scripts/bench).
VERIFY_EVERY: Final = timedelta(days=7)
VERIFY_BEFORE_ARRIVAL: Final = timedelta(hours=3)

# Errors worth another try in an hour: the lock, its gateway or the cloud out of reach.
# (the monthly limit is refused at home without a call until the daily probe passes)
RETRYABLE: Final = RETRYABLE_CLOUD_KEYS | {"lock_not_found"}
QUOTA: Final = frozenset({"quota_exhausted", "cloud_passcode_quota"})
# Failures after which an offline code may stand in for a custom one (fallback_offline):
# the gateway or the cloud out of reach. Not the passcode quota: an offline timed code
# counts in it too. The monthly call limit (30007) refuses the offline code as well, and
# the host is told, as without a fallback.
FALLBACK_REASONS: Final = RETRYABLE - {"lock_not_found"}


def reset(plan: GuestPlan, error: str | None) -> None:
    """Put a stay back to planned: its code is no longer on the lock."""
    plan.status = PlanStatus.PLANNED
    plan.passcode_id = None
    plan.valid_from = plan.valid_to = plan.made_for = None
    plan.next_attempt = None
    plan.error = error
    # plan.code stays: a custom code is made again with the digits the guest has.


def after_create_failure(plan: GuestPlan, reason: str, now: datetime) -> bool:
    """Note a failed create and when to try again; True: tell the host now."""
    plan.attempts += 1
    plan.error = reason
    if reason in QUOTA:
        if next_month_start(now) < plan.start:
            # The allowance comes back on the 1st, before the stay: wait for it.
            plan.next_attempt = next_month_start(now)
            _LOGGER.info(
                "Passcode allowance of lock %s used up: the code for %s waits for %s",
                plan.lock_id,
                plan.event,
                plan.next_attempt.date(),
            )
            return False
        # Tell the host now; retried when the allowance frees up (no polling).
        plan.next_attempt = None
        return True
    retry = reason in RETRYABLE or plan.intent is not None
    # Hourly, and once more right at the deadline (the host hears of it then); on
    # after that while the stay lasts: a guest at the door still needs a code.
    deadline = plan.deadline or plan.start
    limit = deadline if now < deadline else plan.window_to
    plan.next_attempt = min(now + RETRY_INTERVAL, limit) if retry else None
    if plan.next_attempt is not None and plan.next_attempt <= now:
        plan.next_attempt = None  # the stay is over
    if plan.next_attempt is not None:
        _LOGGER.info(
            "Could not create the guest code for %s on lock %s (%s): retrying at %s",
            plan.event,
            plan.lock_id,
            reason,
            plan.next_attempt,
        )
    return plan.next_attempt is None or now >= deadline


def next_upgrade(plan: GuestPlan, now: datetime) -> datetime | None:
    """When a fallback code's stay next tries its custom code; None: keep the fallback.

    Hourly while there is time before the fallback's validity opens: once the guest can
    use the offline code, a change would only confuse.
    """
    until = plan.valid_from or plan.window_from
    later = now + RETRY_INTERVAL
    return later if later < until else None


def after_move_failure(plan: GuestPlan, reason: str, now: datetime) -> bool:
    """Note a failed move (the code keeps its old dates); True: tell the host now."""
    plan.error = reason
    if reason in QUOTA:
        # No new code until the allowance frees up (then at once): say so now.
        plan.next_attempt = None
        return True
    plan.next_attempt = now + RETRY_INTERVAL
    return False


def waits_for_quota(plan: GuestPlan, now: datetime) -> bool:
    """Whether a stay waits for its lock's passcode allowance to free up."""
    return (
        plan.status in (PlanStatus.PLANNED, PlanStatus.FAILED, PlanStatus.CREATED)
        and plan.error in QUOTA
        and plan.window_to > now
    )


def verify_due(last: datetime | None, plans: Iterable[GuestPlan], now: datetime) -> bool:
    """Whether a lock's code list is due a look (``last``: when it was last read)."""
    if last is None or now - last >= VERIFY_EVERY:
        return True
    return any(
        plan.start - VERIFY_BEFORE_ARRIVAL <= now < plan.start
        and last < plan.start - VERIFY_BEFORE_ARRIVAL
        for plan in plans
    )


def closed_long_ago(plan: GuestPlan, now: datetime) -> bool:
    """Whether a closed stay has been shown long enough (then it leaves the book)."""
    return (
        plan.status not in (*OPEN_STATUSES, PlanStatus.LEFT_ON_LOCK)
        and plan.end + KEEP_CLOSED < now
    )


def next_wake(
    plans: Iterable[GuestPlan],
    bindings: Mapping[str, Binding],
    also: Iterable[datetime],
    now: datetime,
) -> datetime | None:
    """When the scheduler must look again: a retry, a create, a check-out, a look, a no-show."""
    moments = list(also)
    for plan in plans:
        if plan.next_attempt is not None:
            moments.append(plan.next_attempt)
        elif plan.status is PlanStatus.PLANNED and (binding := bindings.get(plan.binding)):
            moments.append(creation_time(plan.start, binding.days_before))
        elif plan.status is PlanStatus.CREATED:
            moments.append(plan.window_to)
            if plan.start > now:
                moments.append(plan.start - VERIFY_BEFORE_ARRIVAL)
        # A past moment was judged by the pass that just ran: only future ones wake it.
        no_show = no_show_due_at(plan, bindings.get(plan.binding))
        if no_show is not None and no_show > now:
            moments.append(no_show)
    return min(moments, default=None)
