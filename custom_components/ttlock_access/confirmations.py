"""When a pushed fact may be confirmed by a read, and what the reads found.

Pure rules, no Home Assistant (pushes.py runs the reads). A *subject* is what one read
answers for: a lock's records, a Wi-Fi lock's online state, the gateways' online states.
A *fact* is what a push claimed about it (a record's type and lock time, an online
state). Facts wait, per subject, for the next read; a read confirms those it finds.

- **A pool pays the reads.** It fills at the plan's ``confirms_per_day`` and holds at
  most six hours' worth (at least ``POOL_MIN``), so quiet hours buy a busy moment (every
  guest leaving at 10:00) its reads, and no flood spends more than the plan gave.
- **Facts wait together.** Pushes that come while a read is due or on its way are
  confirmed by one read.
- **Unconfirmed costs the sender.** A fact a read does not find gets one more read (the
  cloud may list a record a moment after it pushed it), then it is dropped and counted.
  Each read that confirms nothing doubles the subject's wait before its next read, up to
  an hour; one that confirms a fact resets it. A flood of forged pushes buys a handful
  of reads a day, not the month.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

POOL_MIN: Final = 10.0
POOL_HOURS: Final = 6.0
FIRST_WAIT: Final = timedelta(seconds=30)
LONGEST_WAIT: Final = timedelta(hours=1)
# A fact that this many reads did not find was not true (or not for long).
READS_PER_FACT: Final = 2
# Facts kept per subject (a push holds at most 100 records): a flood drops the oldest.
MAX_FACTS: Final = 200

type Subject = Hashable
type Fact = Hashable


@dataclass
class _Held:
    """The facts of one subject waiting for a read."""

    facts: dict[Fact, tuple[datetime, int]] = field(default_factory=dict)  # pushed, misses
    wait: timedelta = timedelta()  # between reads while nothing is confirmed
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """What one read did to the facts it was taken for."""

    confirmed: tuple[Fact, ...] = ()
    unconfirmed: int = 0  # dropped: not found by enough reads


@dataclass
class Counts:
    """Totals since the entry was loaded (diagnostics)."""

    pushed: int = 0
    confirmed: int = 0
    unconfirmed: int = 0
    reads: int = 0


class Confirmations:
    """Facts held per subject, and the pool that pays their reads."""

    def __init__(self, now: datetime) -> None:
        """Start with a full pool."""
        self._tokens = POOL_MIN
        self._filled_at = now
        self._per_second = 0.0
        self._held: dict[Subject, _Held] = {}
        self.counts = Counts()

    def set_rate(self, per_day: float, now: datetime) -> None:
        """Fill the pool at ``per_day`` reads a day from now on (the plan changed)."""
        self._fill(now)
        self._per_second = max(per_day, 0.0) / 86400

    @property
    def _capacity(self) -> float:
        return max(POOL_MIN, self._per_second * 3600 * POOL_HOURS)

    def _fill(self, now: datetime) -> None:
        elapsed = max((now - self._filled_at).total_seconds(), 0.0)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._per_second)
        self._filled_at = now

    def hold(self, subject: Subject, facts: Iterable[Fact], now: datetime) -> None:
        """Keep what a push claimed until a read confirms it or it is dropped."""
        held = self._held.setdefault(subject, _Held())
        for fact in facts:
            self.counts.pushed += 1
            held.facts.setdefault(fact, (now, 0))
        while len(held.facts) > MAX_FACTS:
            del held.facts[next(iter(held.facts))]
            self.counts.unconfirmed += 1

    def holding(self, subject: Subject) -> bool:
        """Whether facts of ``subject`` wait for a read."""
        return subject in self._held and bool(self._held[subject].facts)

    def waiting(self) -> list[Subject]:
        """Return the subjects whose facts wait for a read."""
        return [subject for subject in self._held if self.holding(subject)]

    def due(self, subject: Subject, now: datetime) -> datetime | None:
        """When a read of ``subject`` may be paid (None: not before the plan's own read)."""
        held = self._held.get(subject)
        if held is None or not held.facts:
            return None
        self._fill(now)
        at = now
        if self._tokens < 1:
            if self._per_second <= 0:
                return None
            at = now + timedelta(seconds=(1 - self._tokens) / self._per_second)
        if held.not_before is not None and held.not_before > at:
            at = held.not_before
        return at

    def take(self, subject: Subject, now: datetime) -> bool:
        """Pay a read of ``subject`` now, if it is due and the pool allows."""
        due = self.due(subject, now)
        if due is None or due > now:
            return False
        self._tokens -= 1
        self.counts.reads += 1
        return True

    def settle(
        self, subject: Subject, found: Iterable[Fact], read_began: datetime, now: datetime
    ) -> Settled:
        """Apply what a read found to the facts pushed before it began.

        Any read of the subject settles facts, paid from the pool or not (the plan's own
        reads confirm pushes for free).
        """
        held = self._held.get(subject)
        if held is None or not held.facts:
            return Settled()
        found = set(found)
        confirmed: list[Fact] = []
        unconfirmed = 0
        missed = False
        for fact, (pushed_at, misses) in list(held.facts.items()):
            if pushed_at > read_began:
                continue  # came while the read was on its way: the next read tells
            if fact in found:
                confirmed.append(fact)
                del held.facts[fact]
            elif misses + 1 >= READS_PER_FACT:
                unconfirmed += 1
                missed = True
                del held.facts[fact]
            else:
                missed = True
                held.facts[fact] = (pushed_at, misses + 1)
        if confirmed:
            held.wait = timedelta()
            held.not_before = None
        elif missed:
            held.wait = min(max(held.wait * 2, FIRST_WAIT), LONGEST_WAIT)
            held.not_before = now + held.wait
        self.counts.confirmed += len(confirmed)
        self.counts.unconfirmed += unconfirmed
        if not held.facts and not held.wait:
            del self._held[subject]
        return Settled(tuple(confirmed), unconfirmed)

    def defer(self, subject: Subject, now: datetime) -> None:
        """Wait longer before the next read: one failed (the cloud, not the push)."""
        if (held := self._held.get(subject)) is not None:
            held.wait = min(max(held.wait * 2, FIRST_WAIT), LONGEST_WAIT)
            held.not_before = now + held.wait

    def forget(self, subject: Subject) -> None:
        """Drop a subject that left the account."""
        self._held.pop(subject, None)

    def as_dict(self) -> dict[str, float | int]:
        """Return the counts and the pool (diagnostics)."""
        return {
            "pushed": self.counts.pushed,
            "confirmed": self.counts.confirmed,
            "unconfirmed": self.counts.unconfirmed,
            "reads": self.counts.reads,
            "waiting": sum(len(held.facts) for held in self._held.values()),
            "pool": round(self._tokens, 2),
            "reads_per_day": round(self._per_second * 86400, 1),
        }
