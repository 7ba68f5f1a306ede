"""Who can enter: every credential of a lock, one shape, never a secret.

Pure rules over what the credentials coordinator read (passcodes, IC cards,
fingerprints, eKeys): each becomes an :class:`Access` with its window and status, for
``get_lock_users`` and the lock's access calendar. Codes and card or fingerprint numbers
are left out here, so nothing downstream can show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from homeassistant.util import dt as dt_util

from .api import EKey, Fingerprint, IdentityCard, Passcode
from .passcodes import PasscodeResult, kind_of

# Words that mean the same in every language, for calendar summaries.
_SYMBOLS = {"passcode": "🔢", "card": "💳", "fingerprint": "👆", "ekey": "🔑"}


@dataclass(frozen=True, slots=True)
class LockCredentials:
    """What opens a lock, as the cloud lists it (secrets included: never shown)."""

    passcodes: tuple[Passcode, ...] = ()
    cards: tuple[IdentityCard, ...] = ()
    fingerprints: tuple[Fingerprint, ...] = ()
    keys: tuple[EKey, ...] = ()


class AccessStatus(StrEnum):
    """Where a credential stands now."""

    ACTIVE = "active"
    SCHEDULED = "scheduled"
    EXPIRED = "expired"
    FROZEN = "frozen"


@dataclass(frozen=True, slots=True)
class Access:
    """One way into a lock."""

    kind: str  # passcode, card, fingerprint, ekey
    credential_id: int
    name: str
    start: datetime | None  # None and None: permanent
    end: datetime | None
    status: AccessStatus
    detail: str | None = None  # a passcode's type; an eKey's TTLock account
    sender: str | None = None
    # A recurring eKey: its weekdays (1 = Monday) and daily times (local), between the
    # first day (``start``) and the last (``end``).
    weekdays: tuple[int, ...] = ()
    daily: tuple[time, time] | None = None

    @property
    def summary(self) -> str:
        """How a calendar shows it."""
        return f"{_SYMBOLS[self.kind]} {self.name or self.detail or self.credential_id}"


def _status(start: datetime | None, end: datetime | None, now: datetime) -> AccessStatus:
    if end is not None and end <= now:
        return AccessStatus.EXPIRED
    if start is not None and start > now:
        return AccessStatus.SCHEDULED
    return AccessStatus.ACTIVE


def _daily(start: datetime | None, end: datetime | None) -> tuple[time, time] | None:
    if start is None or end is None:
        return None
    return dt_util.as_local(start).time(), dt_util.as_local(end).time()


def passcode_access(result: PasscodeResult, now: datetime) -> Access:
    """Return the Access of a code this integration just wrote."""
    return Access(
        kind="passcode",
        credential_id=result.passcode_id,
        name=result.name,
        start=result.valid_from,
        end=result.valid_to,
        status=_status(result.valid_from, result.valid_to, now),
        detail=result.kind.value,
    )


def accesses(credentials: LockCredentials, now: datetime) -> list[Access]:
    """Return every credential of a lock as an Access, passcodes first."""
    found: list[Access] = [
        Access(
            kind="passcode",
            credential_id=code.passcode_id,
            name=code.name,
            start=code.start,
            end=code.end,
            status=_status(code.start, code.end, now),
            detail=kind_of(code).value,
            sender=code.sender,
        )
        for code in credentials.passcodes
    ]
    # Cards and fingerprints have the same shape: a name and a validity.
    found += [_timed("card", card.card_id, card, now) for card in credentials.cards]
    found += [
        _timed("fingerprint", item.fingerprint_id, item, now) for item in credentials.fingerprints
    ]
    found += [
        Access(
            kind="ekey",
            credential_id=key.key_id,
            name=key.name,
            start=key.start,
            end=key.end,
            status=AccessStatus.FROZEN if key.frozen else _status(key.start, key.end, now),
            detail=key.username,
            sender=key.sender,
            weekdays=key.weekdays,
            daily=_daily(key.daily_start, key.daily_end),
        )
        for key in credentials.keys
    ]
    return found


def _timed(
    kind: str, credential_id: int, item: IdentityCard | Fingerprint, now: datetime
) -> Access:
    """Return a card or a fingerprint as an Access."""
    return Access(
        kind=kind,
        credential_id=credential_id,
        name=item.name,
        start=item.start,
        end=item.end,
        status=_status(item.start, item.end, now),
    )


# A recurring key's occurrences are listed for at most this many days per look.
_MAX_DAYS = 400


def _occurrences(access: Access, start: datetime, end: datetime) -> Iterator[Access]:
    """Each day's window of a recurring key that overlaps ``start``..``end``."""
    assert access.start is not None
    assert access.end is not None
    assert access.daily is not None
    first = max(dt_util.as_local(access.start), dt_util.as_local(start)).date()
    last = min(dt_util.as_local(access.end), dt_util.as_local(end)).date()
    zone = dt_util.get_default_time_zone()
    day = first
    for _ in range(_MAX_DAYS):
        if day > last:
            return
        if day.isoweekday() in access.weekdays:
            opens = datetime.combine(day, access.daily[0], zone)
            closes = datetime.combine(day, access.daily[1], zone)
            if closes <= opens:
                closes += timedelta(days=1)  # overnight
            if opens < end and closes > start:
                yield replace(access, start=opens, end=closes)
        day += timedelta(days=1)


def windows(found: Iterable[Access], start: datetime, end: datetime) -> list[Access]:
    """Return the windows that overlap ``start``..``end``, in order.

    A recurring key gives one window per day it opens on.
    """
    overlapping: list[tuple[datetime, Access]] = []
    for access in found:
        if access.start is None or access.end is None:
            continue  # permanent: no window
        if access.weekdays and access.daily is not None:
            overlapping += [
                (occurrence.start or start, occurrence)
                for occurrence in _occurrences(access, start, end)
            ]
        elif access.start < end and access.end > start:
            overlapping.append((access.start, access))
    overlapping.sort(key=lambda item: (item[0], item[1].kind, item[1].credential_id))
    return [access for _start, access in overlapping]


@dataclass(frozen=True, slots=True)
class LockAccess:
    """What a lock's credentials show, kept across restarts (no secret in it)."""

    read_at: datetime
    accesses: tuple[Access, ...] = ()
    cards: int = 0
    fingerprints: int = 0

    @classmethod
    def of(cls, credentials: LockCredentials, now: datetime) -> LockAccess:
        """Return the view of freshly read credentials."""
        return cls(
            read_at=now,
            accesses=tuple(accesses(credentials, now)),
            cards=len(credentials.cards),
            fingerprints=len(credentials.fingerprints),
        )

    def as_dict(self) -> dict[str, object]:
        """Return the stored form."""
        return {
            "read_at": self.read_at.isoformat(),
            "cards": self.cards,
            "fingerprints": self.fingerprints,
            "accesses": [
                {
                    "kind": access.kind,
                    "id": access.credential_id,
                    "name": access.name,
                    "start": None if access.start is None else access.start.isoformat(),
                    "end": None if access.end is None else access.end.isoformat(),
                    "status": access.status.value,
                    "detail": access.detail,
                    "sender": access.sender,
                    "weekdays": list(access.weekdays),
                    "daily": None
                    if access.daily is None
                    else [access.daily[0].isoformat(), access.daily[1].isoformat()],
                }
                for access in self.accesses
            ],
        }

    @classmethod
    def from_dict(cls, data: object) -> LockAccess:
        """Read the stored form (ValueError, KeyError or TypeError when it is not)."""
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        read_at = dt_util.parse_datetime(str(data["read_at"]))
        if read_at is None:
            raise ValueError("read_at")
        return cls(
            read_at=read_at,
            cards=int(data["cards"]),
            fingerprints=int(data["fingerprints"]),
            accesses=tuple(_access_from(item) for item in data["accesses"]),
        )


def _moment(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a moment: {value!r}")
    return parsed


def _access_from(item: dict[str, object]) -> Access:
    kind = str(item["kind"])
    if kind not in _SYMBOLS:
        raise ValueError(f"not a credential kind: {kind}")
    daily = item.get("daily")
    weekdays = item.get("weekdays") or []
    if not isinstance(weekdays, list):
        raise TypeError("weekdays")
    return Access(
        kind=kind,
        credential_id=int(str(item["id"])),
        name=str(item["name"]),
        start=_moment(item.get("start")),
        end=_moment(item.get("end")),
        status=AccessStatus(str(item["status"])),
        detail=None if item.get("detail") is None else str(item["detail"]),
        sender=None if item.get("sender") is None else str(item["sender"]),
        weekdays=tuple(int(day) for day in weekdays),
        daily=None
        if not isinstance(daily, list)
        else (time.fromisoformat(str(daily[0])), time.fromisoformat(str(daily[1]))),
    )
