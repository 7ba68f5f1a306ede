"""The passcode manager: one per config entry, the only way codes reach the cloud.

It creates, changes and deletes codes through the client and keeps the monthly quota
accounting per lock (and a repair issue when a lock's allowance is used up) in a private
:class:`Store`. The rules it applies (kinds, windows, validation, code generation) are in
``passcodes.py``; guest stays and their codes are booked by the guest scheduler.

Why this module is over 400 lines: a write and the quota it spends must change together,
and each write has its own doubt handling (a lost answer is looked up before a retry).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
import logging
import random
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .api import (
    CreatedPasscode,
    Lock,
    Passcode,
    TTLockDuplicatePasscodeError,
    TTLockError,
    TTLockNotFoundError,
    TTLockPasscodeQuotaError,
    TTLockPeriodReusedError,
)
from .const import CONF_PASSCODE_QUOTA_LIMITED, DOMAIN
from .errors import IN_DOUBT, cloud_error, start_reauth_if_needed
from .store import TolerantStore, parse_items, report_lost

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .api import TTLockClient

from .passcodes import (
    MONTHLY_PASSCODE_LIMIT,
    SYSTEM_RANDOM,
    PasscodeKind,
    PasscodePlan,
    PasscodeResult,
    add_month,
    counts_against_quota,
    generate_code,
    iso_local,
    kind_of,
    mask_code,
    month_key,
    next_month_start,
)

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
ISSUE_QUOTA_EXHAUSTED: Final = "passcode_quota_exhausted"
# How many times a create is retried with another code (duplicate) or hour (period reused).
_CREATE_ATTEMPTS: Final = 4
# Codes made in the TTLock app count too; the cloud's list is read to see them at most
# this often before a create (the cloud's own quota refusal is the backstop).
BOOKS_FRESH_FOR: Final = timedelta(hours=6)


def _same_code(code: str) -> Callable[[Passcode], bool]:
    """Match a custom code by its digits (unique on a lock)."""
    return lambda passcode: passcode.code == code


def _same_offline(name: str, start: datetime, end: datetime | None) -> Callable[[Passcode], bool]:
    """Match an offline code by its name and period."""
    return lambda passcode: (
        passcode.name == name
        and (passcode.start, passcode.end)
        == (
            start,
            end,
        )
    )


def _store(hass: HomeAssistant, entry_id: str) -> TolerantStore:
    return TolerantStore(hass, STORAGE_VERSION, f"{DOMAIN}.passcodes.{entry_id}")


def _quota_book(_lock_id: str, item: Any) -> dict[str, Any]:
    """Read one lock's stored quota book (ValueError if it is not one)."""
    if not isinstance(item, Mapping) or not isinstance(item.get("month"), str):
        raise ValueError("not a quota book")
    created = item.get("created")
    if not isinstance(created, Mapping):
        raise ValueError("not a quota book")
    book: dict[str, Any] = {
        "month": item["month"],
        "created": {str(key): str(value) for key, value in created.items()},
        "exhausted": bool(item.get("exhausted")),
    }
    if isinstance(item.get("read_at"), str):
        book["read_at"] = item["read_at"]
    return book


def _legacy_guest_record(_key: str, item: Any) -> dict[str, Any]:
    """Read one guest record of an older version (ValueError if it is not one)."""
    if not isinstance(item, Mapping):
        raise ValueError("not a guest record")
    return {
        "lock_id": int(item["lock_id"]),
        "passcode_id": int(item["passcode_id"]),
        "kind": PasscodeKind(item["kind"]).value,
        "offline": bool(item["offline"]),
        "valid_from": None if item.get("valid_from") is None else str(item["valid_from"]),
        "valid_to": None if item.get("valid_to") is None else str(item["valid_to"]),
    }


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's quota books and guest records (from async_remove_entry)."""
    await _store(hass, entry_id).async_remove()


class PasscodeWrites(Protocol):
    """Told of each code this manager wrote (the credentials view follows at no call)."""

    def note_passcode(self, lock_id: int, result: PasscodeResult) -> None:
        """Take in a code created (or adopted)."""

    def note_passcode_gone(self, lock_id: int, passcode_id: int) -> None:
        """Take in a deleted code."""

    def note_passcode_changed(
        self,
        lock_id: int,
        passcode_id: int,
        *,
        name: str | None,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """Take in a code's new name or period."""


class PasscodeManager:
    """Creates, changes and deletes passcodes of one account, keeping the quota books.

    Quota books: per lock, the ids of the codes that count against this month's
    allowance, whether HA created them or the cloud's list shows them created this month
    (``sendDate``), so codes made in the TTLock app count too.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        locks: Callable[[], Mapping[int, Lock]],
    ) -> None:
        """Set up for one config entry (``async_load`` before use).

        ``locks`` returns the account's locks as last read.
        """
        self.hass = hass
        self.entry = entry
        self.client = client
        self._locks = locks
        self.rng: random.Random = SYSTEM_RANDOM
        self._store = _store(hass, entry.entry_id)
        # lock_id -> {"month": "YYYY-MM", "created": {passcode_id: "ha"|"cloud"},
        #             "exhausted": bool (the cloud itself refused for quota)}
        self._quota: dict[str, dict[str, Any]] = {}
        # Guest records of older versions, until the guest scheduler takes them over.
        self._legacy_guests: dict[str, dict[str, Any]] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._writes: list[PasscodeWrites] = []

    # ---- lifecycle ------------------------------------------------------------------

    def follow_writes(self, follower: PasscodeWrites) -> None:
        """Tell ``follower`` of each code written from here on."""
        self._writes.append(follower)

    async def async_load(self) -> None:
        """Read the books and follow month changes (call from async_setup_entry)."""
        data = await self._store.async_load()
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self._quota, lost_books = parse_items(raw.get("quota"), _quota_book, "quota book")
        self._legacy_guests, lost_guests = parse_items(
            raw.get("guests"), _legacy_guest_record, "guest record"
        )
        report_lost(
            self.hass,
            self.entry.entry_id,
            "passcodes",
            lost_books + lost_guests + (data is not None and not isinstance(data, Mapping)),
            self._store.foreign,
        )
        self.entry.async_on_unload(
            async_track_time_change(self.hass, self._async_new_day, hour=0, minute=0, second=5)
        )
        self._update_issues()

    @callback
    def _async_new_day(self, _now: datetime) -> None:
        """At local midnight: a new month frees the allowance."""
        self._update_issues()
        self._notify()

    async def _async_save(self) -> None:
        data: dict[str, Any] = {"quota": self._quota}
        if self._legacy_guests:
            data["guests"] = self._legacy_guests
        await self._store.async_save(data)

    def take_legacy_guest_records(self) -> dict[str, dict[str, Any]]:
        """Return the guest records an older version kept here (the scheduler books them)."""
        return dict(self._legacy_guests)

    async def async_drop_legacy_guest_records(self) -> None:
        """Forget the older version's guest records once the scheduler has booked them."""
        self._legacy_guests = {}
        await self._async_save()

    # ---- quota ----------------------------------------------------------------------

    @property
    def limited(self) -> bool:
        """Whether the account has TTLock's monthly passcode allowance (option)."""
        return bool(self.entry.options.get(CONF_PASSCODE_QUOTA_LIMITED, True))

    def _lock(self, lock_id: int) -> Lock | None:
        return self._locks().get(lock_id)

    @staticmethod
    def first_month_exempt(lock: Lock, now: datetime) -> bool:
        """Whether the lock is in its first month on the account (unlimited codes).

        The cloud does not tell when a lock joined the account. The lock list's ``date``
        (initialisation time, Lock.init_date) is the best available estimate: a lock
        initialised by a previous owner and transferred later looks older than it is, so
        the integration errs on the side of counting.
        """
        return lock.init_date is not None and now < add_month(dt_util.as_local(lock.init_date))

    def _books(self, lock_id: int, now: datetime) -> dict[str, Any]:
        month = month_key(now)
        books = self._quota.get(str(lock_id))
        if books is None or books.get("month") != month:
            books = self._quota[str(lock_id)] = {"month": month, "created": {}, "exhausted": False}
        return books

    def used(self, lock_id: int, now: datetime | None = None) -> int:
        """Codes counted against this month's allowance of a lock."""
        books = self._books(lock_id, now or dt_util.now())
        if books["exhausted"]:
            return max(MONTHLY_PASSCODE_LIMIT, len(books["created"]))
        return len(books["created"])

    def remaining(self, lock_id: int) -> int | None:
        """Codes the lock may still get this month; None when unlimited."""
        now = dt_util.now()
        if not self.limited:
            return None
        lock = self._lock(lock_id)
        if lock is not None and self.first_month_exempt(lock, now):
            return None
        return max(0, MONTHLY_PASSCODE_LIMIT - self.used(lock_id, now))

    def free_until(self, lock_id: int) -> datetime | None:
        """End of the lock's free first month (unlimited codes), if it is in it."""
        lock = self._lock(lock_id)
        if not self.limited or lock is None or lock.init_date is None:
            return None
        if not self.first_month_exempt(lock, dt_util.now()):
            return None
        return add_month(dt_util.as_local(lock.init_date))

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Call ``update_callback`` whenever a remaining count may have changed."""
        self._listeners.append(update_callback)

        def remove() -> None:
            self._listeners.remove(update_callback)

        return remove

    def _notify(self) -> None:
        for update_callback in list(self._listeners):
            update_callback()

    def _books_fresh(self, lock_id: int) -> bool:
        """Whether the lock's books were reconciled with the cloud's list lately."""
        read_at = dt_util.parse_datetime(str(self._books(lock_id, dt_util.now()).get("read_at")))
        return read_at is not None and dt_util.utcnow() - read_at < BOOKS_FRESH_FOR

    async def async_reconcile(self, lock_id: int, passcodes: Iterable[Passcode]) -> None:
        """Count codes the cloud's list shows created this month (made anywhere)."""
        now = dt_util.now()
        books = self._books(lock_id, now)
        books["read_at"] = dt_util.utcnow().isoformat()
        month = books["month"]
        before = len(books["created"])
        for passcode in passcodes:
            if (
                passcode.created is not None
                and month_key(passcode.created) == month
                and counts_against_quota(kind_of(passcode))
            ):
                books["created"].setdefault(str(passcode.passcode_id), "cloud")
        if len(books["created"]) != before:
            await self._async_save()
            self._update_issues()
            self._notify()

    async def _async_record(self, lock_id: int, passcode_id: int) -> None:
        self._books(lock_id, dt_util.now())["created"][str(passcode_id)] = "ha"
        await self._async_save()
        self._update_issues()
        self._notify()

    async def _async_record_exhausted(self, lock_id: int) -> None:
        self._books(lock_id, dt_util.now())["exhausted"] = True
        await self._async_save()
        self._update_issues()
        self._notify()

    def quota_needs_check(self, lock: Lock, plan: PasscodePlan) -> bool:
        """Whether creating ``plan`` on ``lock`` must fit in the monthly allowance."""
        return (
            self.limited
            and plan.counts_against_quota
            and not self.first_month_exempt(lock, dt_util.now())
        )

    def check_quota(self, lock: Lock) -> None:
        """Refuse before the cloud does when the lock's allowance is used up."""
        now = dt_util.now()
        if self.used(lock.lock_id, now) < MONTHLY_PASSCODE_LIMIT:
            return
        self._update_issues()
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="quota_exhausted",
            translation_placeholders={
                "lock_name": lock.name,
                "limit": str(MONTHLY_PASSCODE_LIMIT),
                "reset": next_month_start(now).date().isoformat(),
            },
        )

    def _update_issues(self) -> None:
        """One repair issue per lock whose allowance is used up; gone once it is not."""
        now = dt_util.now()
        lock_ids = {int(lock_id) for lock_id in self._quota} | set(self._locks())
        for lock_id in lock_ids:
            issue_id = f"{ISSUE_QUOTA_EXHAUSTED}_{self.entry.entry_id}_{lock_id}"
            remaining = self.remaining(lock_id)
            if remaining == 0:
                lock = self._lock(lock_id)
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key=ISSUE_QUOTA_EXHAUSTED,
                    translation_placeholders={
                        "lock_name": lock.name if lock else str(lock_id),
                        "limit": str(MONTHLY_PASSCODE_LIMIT),
                        "reset": next_month_start(now).date().isoformat(),
                    },
                )
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # ---- cloud operations -----------------------------------------------------------

    def _cloud_error(self, err: TTLockError, lock: Lock) -> HomeAssistantError:
        """Return the translated error of a failed call; a refused login starts reauth."""
        start_reauth_if_needed(self.hass, self.entry, err)
        return cloud_error(err, lock.name)

    async def async_list(self, lock: Lock) -> list[Passcode]:
        """Read the lock's codes from the cloud (and reconcile the quota books)."""
        try:
            passcodes = await self.client.list_passcodes(lock.lock_id)
        except TTLockError as err:
            raise self._cloud_error(err, lock) from err
        await self.async_reconcile(lock.lock_id, passcodes)
        return passcodes

    async def async_prepare(
        self, lock: Lock, plan: PasscodePlan, existing: list[Passcode] | None = None
    ) -> list[Passcode] | None:
        """Cloud checks before creating: quota (with reconciliation), duplicate codes.

        Returns the lock's current codes when they were needed (``existing`` when the
        caller just read them), else None.
        """
        # A read costs a call: only to bring stale books up to date. A custom code already
        # on the lock is refused by the cloud itself (-3007, the same translated error).
        if (
            existing is None
            and self.quota_needs_check(lock, plan)
            and not self._books_fresh(lock.lock_id)
        ):
            existing = await self.async_list(lock)
        if self.quota_needs_check(lock, plan):
            self.check_quota(lock)
        if (
            plan.code is not None
            and existing is not None
            and any(passcode.code == plan.code for passcode in existing)
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="code_in_use",
                translation_placeholders={"lock_name": lock.name},
            )
        return existing

    async def async_create(
        self, lock: Lock, plan: PasscodePlan, existing: list[Passcode] | None = None
    ) -> PasscodeResult:
        """Create the planned code on the lock (after ``async_prepare``)."""
        try:
            if plan.offline:
                result = await self._create_offline(lock, plan, existing or [])
            else:
                result = await self._create_custom(lock, plan, existing or [])
        except TTLockPasscodeQuotaError as err:
            await self._async_record_exhausted(lock.lock_id)
            raise self._cloud_error(err, lock) from err
        except TTLockError as err:
            raise self._cloud_error(err, lock) from err
        if plan.counts_against_quota:
            await self._async_record(lock.lock_id, result.passcode_id)
        _LOGGER.debug(
            "Created %s passcode %s (%s) on lock %s",
            plan.kind,
            result.passcode_id,
            mask_code(result.code),
            lock.lock_id,
        )
        for follower in self._writes:
            follower.note_passcode(lock.lock_id, result)
        return result

    async def _create_offline(
        self, lock: Lock, plan: PasscodePlan, existing: list[Passcode]
    ) -> PasscodeResult:
        assert plan.start is not None
        start, end = plan.start, plan.end
        taken = {passcode.passcode_id for passcode in existing}
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                created = await self.client.get_offline_passcode(
                    lock.lock_id, plan.passcode_type, name=plan.name, start=start, end=end
                )
                if created.passcode_id in taken and plan.kind is PasscodeKind.TIMED:
                    # The cloud keeps one timed code per period and lock, and handed back
                    # another's: this one starts an hour earlier, so it is its own.
                    if attempt == _CREATE_ATTEMPTS - 1:
                        raise TTLockPeriodReusedError("every nearby period is taken")
                    start -= timedelta(hours=1)
                    continue
                break
            except IN_DOUBT:
                # The cloud may have made it before the answer was lost: look before
                # trying again, or the stay would have two codes.
                found = await self._committed(lock, _same_offline(plan.name, start, end))
                if found is None:
                    raise
                created = CreatedPasscode(passcode_id=found.passcode_id, code=found.code)
                break
            except TTLockPeriodReusedError:
                # A code for this exact period was issued and deleted before: the cloud
                # wants another whole hour. Only a timed code can move (one hour earlier).
                if plan.kind is not PasscodeKind.TIMED or attempt == _CREATE_ATTEMPTS - 1:
                    raise
                start -= timedelta(hours=1)
        return self._result(lock, plan, created, start, end)

    async def _create_custom(
        self, lock: Lock, plan: PasscodePlan, existing: list[Passcode]
    ) -> PasscodeResult:
        taken = {passcode.code for passcode in existing}
        for attempt in range(_CREATE_ATTEMPTS):
            code = plan.code or generate_code(taken, rng=self.rng)
            try:
                created = await self.client.add_custom_passcode(
                    lock.lock_id, code, name=plan.name, start=plan.start, end=plan.end
                )
                break
            except IN_DOUBT:
                # Committed with its answer lost? Our digits on the lock say so (the cloud
                # keeps a lock's codes unique).
                found = await self._committed(lock, _same_code(code))
                if found is None:
                    raise
                created = CreatedPasscode(passcode_id=found.passcode_id, code=code)
                break
            except TTLockDuplicatePasscodeError:
                # Only a generated code can be drawn again.
                if plan.code is not None or attempt == _CREATE_ATTEMPTS - 1:
                    raise
                taken.add(code)
        created = CreatedPasscode(passcode_id=created.passcode_id, code=created.code or code)
        return self._result(lock, plan, created, plan.start, plan.end)

    async def _committed(self, lock: Lock, matches: Callable[[Passcode], bool]) -> Passcode | None:
        """After a write with a lost answer, the code it made, if the lock's list has it.

        Any failure to read the list counts as "not found": the caller re-raises the
        write's own error, and the next attempt looks again.
        """
        try:
            passcodes = await self.client.list_passcodes(lock.lock_id)
        except TTLockError as err:
            _LOGGER.debug("Could not check for a committed code on %s: %s", lock.lock_id, err)
            return None
        found = next((passcode for passcode in passcodes if matches(passcode)), None)
        if found is not None:
            _LOGGER.info(
                "The cloud made passcode %s on lock %s though its answer was lost: adopted",
                found.passcode_id,
                lock.lock_id,
            )
        return found

    @staticmethod
    def _result(
        lock: Lock,
        plan: PasscodePlan,
        created: CreatedPasscode,
        start: datetime | None,
        end: datetime | None,
    ) -> PasscodeResult:
        recurring = plan.kind is PasscodeKind.RECURRING
        extra: dict[str, Any] = {}
        if plan.requested_start is not None:
            extra["requested_start"] = iso_local(plan.requested_start)
            extra["note"] = (
                "The requested start was more than a day ago; offline codes must be entered "
                "within 24 h of their start, so this one starts at the current hour."
            )
        return PasscodeResult(
            lock_id=lock.lock_id,
            passcode_id=created.passcode_id,
            code=created.code,
            kind=plan.kind,
            name=plan.name,
            offline=plan.offline,
            valid_from=start,
            valid_to=None if recurring else end,
            cycle=plan.cycle,
            start_hour=plan.start_hour,
            end_hour=plan.end_hour,
            extra=extra,
        )

    async def async_delete(self, lock: Lock, passcode_id: int) -> None:
        """Delete a code through the gateway."""
        try:
            await self.client.delete_passcode(lock.lock_id, passcode_id)
        except TTLockError as err:
            raise self._cloud_error(err, lock) from err
        self._gone(lock.lock_id, passcode_id)

    def _gone(self, lock_id: int, passcode_id: int) -> None:
        for follower in self._writes:
            follower.note_passcode_gone(lock_id, passcode_id)

    async def async_rollback(self, lock: Lock, passcode_id: int) -> bool:
        """Best-effort delete of a code created by a call that failed later."""
        try:
            await self.client.delete_passcode(lock.lock_id, passcode_id)
        except TTLockNotFoundError:
            self._gone(lock.lock_id, passcode_id)
            return True
        except TTLockError as err:
            # Deleted with its answer lost? Then the lock's list no longer has it.
            if isinstance(err, IN_DOUBT) and await self._is_gone(lock, passcode_id):
                self._gone(lock.lock_id, passcode_id)
                return True
            _LOGGER.warning(
                "Could not delete passcode %s on lock %s after a failed action: delete it "
                "in the TTLock app",
                passcode_id,
                lock.name,
            )
            return False
        self._gone(lock.lock_id, passcode_id)
        return True

    async def _is_gone(self, lock: Lock, passcode_id: int) -> bool:
        try:
            passcodes = await self.client.list_passcodes(lock.lock_id)
        except TTLockError:
            return False
        return all(passcode.passcode_id != passcode_id for passcode in passcodes)

    async def async_change(
        self,
        lock: Lock,
        passcode_id: int,
        *,
        name: str | None = None,
        new_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        """Change a code's name, value and/or period through the gateway."""
        try:
            await self.client.change_passcode(
                lock.lock_id, passcode_id, name=name, new_code=new_code, start=start, end=end
            )
        except TTLockError as err:
            raise self._cloud_error(err, lock) from err
        for follower in self._writes:
            follower.note_passcode_changed(
                lock.lock_id, passcode_id, name=name, start=start, end=end
            )
