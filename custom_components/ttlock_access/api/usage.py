"""The developer account's monthly call allowance, as the client sees it.

TTLock counts every request of an application per calendar month in Beijing time (UTC+8)
and, once the month's allowance is used up, answers errcode 30007 to everything until the
1st of the next month (``app/getMonthRequestCount``, errorCode pages). The ledger counts
each request before it is sent (an answer that is lost was still counted by the cloud),
by path and by day, takes the cloud's own count when it is read, and after a 30007 lets
one probe through a day until the month turns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

from .exceptions import TTLockAllowanceExhaustedError

BEIJING: Final = timezone(timedelta(hours=8), "Beijing")
# While the allowance is used up, one request a day still goes out: an upgraded account
# (or a miscount) is noticed without waiting for the 1st.
PROBE_INTERVAL: Final = timedelta(days=1)


def _now() -> datetime:
    return datetime.now(UTC)


def month_of(moment: datetime) -> str:
    """Return the cloud's accounting month of a moment: "YYYY-MM" in Beijing time."""
    return moment.astimezone(BEIJING).strftime("%Y-%m")


def day_of(moment: datetime) -> date:
    """Return the cloud's accounting day of a moment (Beijing time)."""
    return moment.astimezone(BEIJING).date()


def month_start(moment: datetime) -> datetime:
    """When the accounting month of ``moment`` began (UTC)."""
    local = moment.astimezone(BEIJING)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def next_reset(moment: datetime) -> datetime:
    """When the allowance is renewed after ``moment``: the next 1st, 00:00 Beijing (UTC)."""
    local = moment.astimezone(BEIJING)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=BEIJING).astimezone(UTC)


class CallLedger:
    """Requests of this month, and whether the cloud stopped answering for the month."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _now,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        """Start an empty month; ``on_change`` is called after every change (to persist)."""
        self._clock = clock
        self.on_change = on_change
        self.month = month_of(clock())
        self.sent = 0  # requests this client sent this month
        self.by_path: Counter[str] = Counter()
        self.by_day: Counter[str] = Counter()  # ISO date (Beijing) -> requests
        self.cloud_count: int | None = None  # the cloud's count when last read
        self.cloud_read_at: datetime | None = None
        self.sent_at_cloud_read = 0  # our own count at that moment
        self.exhausted_until: datetime | None = None  # 30007 seen: no calls until then
        self.last_probe: datetime | None = None

    # --- what is known --------------------------------------------------------------

    @property
    def used(self) -> int:
        """Calls the cloud has counted this month, as well as can be known.

        The cloud's own count includes other apps using the same application; what this
        client sent since that count was read is added to it.
        """
        self._roll()
        if self.cloud_count is None:
            return self.sent
        return max(self.sent, self.cloud_count + self.sent - self.sent_at_cloud_read)

    def today(self) -> int:
        """Count the requests sent today (Beijing day)."""
        self._roll()
        return self.by_day[day_of(self._clock()).isoformat()]

    def exhausted(self) -> bool:
        """Whether the month's allowance is used up (the cloud answered 30007)."""
        self._roll()
        return self.exhausted_until is not None

    # --- the transport's hooks -------------------------------------------------------

    def before_request(self, path: str) -> None:
        """Count a request about to be sent; refuse it while the allowance is used up."""
        self._roll()
        now = self._clock()
        if self.exhausted_until is not None:
            if self.last_probe is not None and now - self.last_probe < PROBE_INTERVAL:
                raise TTLockAllowanceExhaustedError(
                    f"{path}: the monthly API allowance is used up until "
                    f"{self.exhausted_until.isoformat()}",
                    reset_at=self.exhausted_until,
                )
            self.last_probe = now
        self.sent += 1
        self.by_path[path] += 1
        self.by_day[day_of(now).isoformat()] += 1
        self._changed()

    def answered(self, monthly_limit: bool) -> None:
        """Learn from an answer: a 30007, or any other answer while one was in force."""
        self._roll()
        if monthly_limit:
            now = self._clock()
            self.exhausted_until = next_reset(now)
            self.last_probe = now
            self._changed()
        elif self.exhausted_until is not None:
            # The probe went through: the account was upgraded or the count was wrong.
            self.exhausted_until = None
            self._changed()

    def reconcile(self, cloud_count: int) -> None:
        """Take the cloud's count of this month (``app/getMonthRequestCount``)."""
        self._roll()
        self.cloud_count = max(0, int(cloud_count))
        self.cloud_read_at = self._clock()
        self.sent_at_cloud_read = self.sent
        self._changed()

    # --- the month -----------------------------------------------------------------

    def _roll(self) -> None:
        month = month_of(self._clock())
        if month == self.month:
            return
        self.month = month
        self.sent = 0
        self.by_path.clear()
        self.by_day.clear()
        self.cloud_count = None
        self.cloud_read_at = None
        self.sent_at_cloud_read = 0
        self.exhausted_until = None
        self.last_probe = None
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # --- persistence ----------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-able copy (for a store)."""
        return {
            "month": self.month,
            "sent": self.sent,
            "by_path": dict(self.by_path),
            "by_day": dict(self.by_day),
            "cloud_count": self.cloud_count,
            "cloud_read_at": _iso(self.cloud_read_at),
            "sent_at_cloud_read": self.sent_at_cloud_read,
            "exhausted_until": _iso(self.exhausted_until),
            "last_probe": _iso(self.last_probe),
        }

    def load(self, data: Mapping[str, Any]) -> None:
        """Restore a copy made by :meth:`as_dict`; raise ValueError if it is not one."""
        try:
            month = str(data["month"])
            sent = _count(data["sent"])
            by_path = Counter({str(k): _count(v) for k, v in _mapping(data["by_path"]).items()})
            by_day = Counter({str(k): _count(v) for k, v in _mapping(data["by_day"]).items()})
            cloud_count = None if data["cloud_count"] is None else _count(data["cloud_count"])
            cloud_read_at = _parse(data["cloud_read_at"])
            sent_at_cloud_read = _count(data["sent_at_cloud_read"])
            exhausted_until = _parse(data["exhausted_until"])
            last_probe = _parse(data["last_probe"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a call ledger: {err}") from None
        if len(month) != 7 or month[4] != "-":
            raise ValueError(f"not a month: {month!r}")
        self.month, self.sent, self.by_path, self.by_day = month, sent, by_path, by_day
        self.cloud_count, self.cloud_read_at = cloud_count, cloud_read_at
        self.sent_at_cloud_read = sent_at_cloud_read
        self.exhausted_until, self.last_probe = exhausted_until, last_probe
        self._roll()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return moment


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"not a mapping: {type(value).__name__}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value
