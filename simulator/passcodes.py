"""Passcode rules of the cloud: offline code shapes, custom code checks, monthly quota."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
import random
from typing import Final

from .errors import CloudError
from .protocol import ERR_PASSCODE_QUOTA, PasscodeType
from .state import FakeLock

HOUR_MS: Final = 3_600_000
DAY_MS: Final = 24 * HOUR_MS
MAX_CUSTOM_PER_LOCK: Final = 250
QUOTA_PER_MONTH: Final = 5
QUOTA_GRACE_MS: Final = 30 * DAY_MS
ONE_TIME_WINDOW_MS: Final = 6 * HOUR_MS  # a one-time code must be used within 6 hours


def floor_hour(ms: int) -> int:
    """Truncate to the hour: offline codes start at 19:00 when asked for 19:20."""
    return ms - ms % HOUR_MS


def floor_minute(ms: int) -> int:
    """Truncate to the minute: custom codes keep minute precision."""
    return ms - ms % 60_000


def offline_code_length(kind: int, start_ms: int, end_ms: int) -> int:
    """Digits of a generated code (the docs only say 6-9, set by type and validity).

    Our choice: permanent 7; timed 7 (up to a day), 8 (up to 31 days), 9 beyond;
    one-time, erase and cyclic 9.
    """
    if kind == PasscodeType.PERMANENT:
        return 7
    if kind == PasscodeType.PERIOD:
        span = end_ms - start_ms
        return 7 if span <= DAY_MS else 8 if span <= 31 * DAY_MS else 9
    return 9


def generate_code(rng: random.Random, length: int, taken: set[str]) -> str:
    """Random digits that no other code of the lock uses."""
    while True:
        code = "".join(rng.choice("0123456789") for _ in range(length))
        if code not in taken and not is_too_simple(code):
            return code


def is_too_simple(code: str) -> bool:
    """One repeated digit, or a run going up or down by one (1234, 4321)."""
    steps = {int(b) - int(a) for a, b in pairwise(code)}
    return steps in ({0}, {1}, {-1})


def check_custom_code(code: str) -> None:
    """-3006 for a bad length (or non-digits), -2032 for a trivial code."""
    if not code.isdigit() or not 4 <= len(code) <= 9:
        raise CloudError(-3006)
    if is_too_simple(code):
        raise CloudError(-2032)


def _month_start_ms(now: int) -> int:
    moment = datetime.fromtimestamp(now / 1000, UTC)
    return int(moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()) * 1000


def quota_counts(lock: FakeLock, kind: int, now: int) -> bool:
    """Whether this code counts against the quota (limited account, after the grace month).

    The quota covers permanent, custom, timed and recurring codes (design.md); one-time
    and erase codes are not limited.
    """
    return (
        lock.owner.limited
        and kind not in (PasscodeType.ONE_TIME, PasscodeType.ERASE)
        and now >= lock.added_ms + QUOTA_GRACE_MS
    )


def check_quota(lock: FakeLock, kind: int, now: int) -> None:
    """5 quota-counted codes per lock per calendar month (UTC), else ERR_PASSCODE_QUOTA."""
    if not quota_counts(lock, kind, now):
        return
    month_start = _month_start_ms(now)
    if sum(1 for issued in lock.quota_log if issued >= month_start) >= QUOTA_PER_MONTH:
        raise CloudError(ERR_PASSCODE_QUOTA)


def note_issued(lock: FakeLock, kind: int, now: int) -> None:
    """Count a newly issued code."""
    if quota_counts(lock, kind, now):
        lock.quota_log.append(now)
