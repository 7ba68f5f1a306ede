"""The fake TTLock cloud: its state, the world events tests trigger, and shared rules.

Why this module is over 400 lines: the world's levers (add a lock, turn it, take a
gateway offline, fail the next request) are the tests' one vocabulary, kept on one
object; the routes (routes/) and the records of state (state.py) are apart.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
import hashlib
import random
from typing import Any, Final

from .errors import CloudError
from .faults import Fault, FaultQueue, RateLimiter
from .protocol import (
    FEATURE_AUTO_LOCK,
    FEATURE_CYCLIC_PASSCODE,
    FEATURE_DOOR_SENSOR,
    FEATURE_FINGERPRINT,
    FEATURE_GATEWAY_UNLOCK,
    FEATURE_IC_CARD,
    FEATURE_LOCK_COMMAND,
    FEATURE_PASSAGE_MODE,
    FEATURE_PASSCODE,
    FEATURE_PRIVACY_LOCK,
    FEATURE_RESET_BUTTON,
    FEATURE_SOUND,
    FEATURE_TAMPER_ALERT,
    FEATURE_VOLUME,
    FEATURE_WIFI,
    LockState,
    RecordType,
)
from .state import (
    FakeAccount,
    FakeCredential,
    FakeElectricMeter,
    FakeGateway,
    FakeLink,
    FakeLock,
    FakeMeter,
    FakePasscode,
    FakeRecord,
    FakeToken,
    FakeWaterMeter,
    beijing_month,
    now_ms,
)

# Wrong codes in a row before a lock records a lock-out (recordType 48). The count is not
# documented; 5 is what TTLock keypads are reported to allow.
KEYPAD_LOCKOUT: Final = 5

DEFAULT_FEATURES: Final = sum(
    1 << bit
    for bit in (
        FEATURE_PASSCODE,
        FEATURE_IC_CARD,
        FEATURE_FINGERPRINT,
        FEATURE_AUTO_LOCK,
        FEATURE_LOCK_COMMAND,
        FEATURE_GATEWAY_UNLOCK,
        FEATURE_CYCLIC_PASSCODE,
        FEATURE_PASSAGE_MODE,
        FEATURE_SOUND,
        FEATURE_TAMPER_ALERT,
        FEATURE_RESET_BUTTON,
        FEATURE_PRIVACY_LOCK,
        FEATURE_VOLUME,
    )
)


def _ms(moment: datetime | None) -> int:
    return now_ms() if moment is None else int(moment.timestamp() * 1000)


class FakeTTLockCloud:
    """One developer application and the accounts, devices and rules behind it."""

    def __init__(
        self,
        *,
        client_id: str = "sim-client-id",
        client_secret: str = "sim-client-secret",
        seed: int | None = 0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.rng = random.Random(seed)
        self.accounts: dict[str, FakeAccount] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.refresh_tokens: dict[str, FakeToken] = {}
        self.locks: dict[int, FakeLock] = {}
        self.gateways: dict[int, FakeGateway] = {}
        self.electric_meters: dict[int, FakeElectricMeter] = {}
        self.water_meters: dict[int, FakeWaterMeter] = {}
        self.requests: Counter[str] = Counter()
        # The parameters of the last request of each path, for tests to read.
        self.last_params: dict[str, dict[str, Any]] = {}
        self.latency = 0.0  # seconds added to every API request
        self.relay_delay = 0.0  # seconds a gateway stays busy with a relayed command
        self.faults = FaultQueue()
        self.rate_limiter = RateLimiter()
        # The developer application's monthly API call allowance (None: unlimited) and
        # the requests it made in the Beijing calendar month ``_counted_month``.
        self.monthly_allowance: int | None = None
        self.month_requests = 0
        self._counted_month: tuple[int, int] | None = None
        self._busy: set[int] = set()
        # The next id of each kind (plain numbers, so that a saved state can carry them).
        self._next_ids = {
            "uid": 1_800_001,
            "lock": 3_100_001,
            "gateway": 210_001,
            "passcode": 51_000_001,
            "record": 7_700_000_001,
            "credential": 9_100_001,
            "key": 8_200_001,
            "meter": 4_001,
        }

    def new_id(self, kind: str) -> int:
        value = self._next_ids[kind]
        self._next_ids[kind] = value + 1
        return value

    def hex_token(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _mac(self) -> str:
        return ":".join(f"{self.rng.randrange(256):02X}" for _ in range(6))

    def add_account(self, username: str, password: str, *, limited: bool = True) -> FakeAccount:
        """Add an app account; ``limited``: created from April 2026 (monthly passcode quota)."""
        account = FakeAccount(
            uid=self.new_id("uid"),
            username=username,
            password_md5=hashlib.md5(password.encode()).hexdigest(),  # the wire format
            limited=limited,
        )
        self.accounts[username] = account
        return account

    def account_by_username(self, username: str) -> FakeAccount:
        return self.accounts[username]

    def add_gateway(
        self,
        account: FakeAccount,
        *,
        name: str,
        online: bool = True,
        version: int = 2,
        network_name: str = "HomeWiFi",
    ) -> FakeGateway:
        gateway = FakeGateway(
            gateway_id=self.new_id("gateway"),
            owner=account,
            name=name,
            mac=self._mac(),
            version=version,
            online=online,
            network_name="" if version == 4 else network_name,
            network_mac=self._mac(),
            offline_since_ms=None if online else now_ms(),
        )
        self.gateways[gateway.gateway_id] = gateway
        return gateway

    def add_lock(
        self,
        account: FakeAccount,
        *,
        name: str,
        gateway: FakeGateway | None = None,
        battery: int = 90,
        wifi: bool = False,
        state: int = LockState.LOCKED,
        passage_mode: bool = False,
        added: datetime | None = None,
        rssi: int = -65,
        door_sensor: bool = False,
        features: int | None = None,
    ) -> FakeLock:
        """Add a lock administered by ``account``; ``added``: when it joined the account."""
        bits = DEFAULT_FEATURES if features is None else features
        if wifi:
            bits |= 1 << FEATURE_WIFI
        if door_sensor:
            bits |= 1 << FEATURE_DOOR_SENSOR
        lock_id = self.new_id("lock")
        added_ms = _ms(added)
        lock = FakeLock(
            lock_id=lock_id,
            owner=account,
            alias=name,
            bluetooth_name=f"S31_{lock_id % 0xFFFFFF:06x}",
            mac=self._mac(),
            battery=battery,
            battery_ms=now_ms(),
            state=int(state),
            features=bits,
            wifi=wifi,
            added_ms=added_ms,
            init_ms=added_ms,
            lock_data=f"{self.rng.getrandbits(512):0128x}",
            admin_code=f"{self.rng.randrange(10**6, 10**7)}",
            passage_mode=passage_mode,
        )
        if gateway is not None:
            lock.links.append(FakeLink(gateway, rssi))
        self.locks[lock_id] = lock
        return lock

    def link(self, lock: FakeLock, gateway: FakeGateway, *, rssi: int = -70) -> None:
        """Let one more gateway hear the lock."""
        lock.links.append(FakeLink(gateway, rssi))

    def add_electric_meter(
        self,
        account: FakeAccount,
        *,
        name: str,
        total_kwh: float = 0.0,
        gateway: FakeGateway | None = None,
        prepaid: bool = False,
        remaining_kwh: float = 0.0,
        price: float = 0.25,
        on: bool = True,
        usage_per_hour: float = 0.0,
    ) -> FakeElectricMeter:
        meter_id = self.new_id("meter")
        meter = FakeElectricMeter(
            meter_id=meter_id,
            owner=account,
            name=name,
            number=f"EM2_{meter_id:06d}",
            mac=self._mac(),
            gateway=gateway,
            total=total_kwh,
            remainder=remaining_kwh,
            price=price,
            prepaid=prepaid,
            on=on,
            usage_per_hour=usage_per_hour,
            synced_ms=now_ms(),
        )
        self.electric_meters[meter_id] = meter
        return meter

    def add_water_meter(
        self,
        account: FakeAccount,
        *,
        name: str,
        total_m3: float = 0.0,
        gateway: FakeGateway | None = None,
        prepaid: bool = False,
        remaining_m3: float = 0.0,
        price: float = 2.0,
        on: bool = True,
        battery: int = 90,
        usage_per_hour: float = 0.0,
    ) -> FakeWaterMeter:
        meter_id = self.new_id("meter")
        meter = FakeWaterMeter(
            meter_id=meter_id,
            owner=account,
            name=name,
            number=f"WM1_{meter_id:06d}",
            mac=self._mac(),
            gateway=gateway,
            total=total_m3,
            remainder=remaining_m3,
            price=price,
            prepaid=prepaid,
            on=on,
            battery=battery,
            usage_per_hour=usage_per_hour,
            synced_ms=now_ms(),
        )
        self.water_meters[meter_id] = meter
        return meter

    def add_passcode(
        self,
        lock: FakeLock,
        code: str,
        *,
        name: str,
        type_: int = 2,
        custom: bool = True,
        start: datetime | None = None,
        end: datetime | None = None,
        sent: datetime | None = None,
    ) -> FakePasscode:
        """Seed a code as if created earlier (no rules, no quota)."""
        passcode = FakePasscode(
            passcode_id=self.new_id("passcode"),
            code=code,
            name=name,
            type=type_,
            is_custom=custom,
            start_ms=0 if start is None else _ms(start),
            end_ms=0 if end is None else _ms(end),
            send_ms=_ms(sent),
            sender=lock.owner.username,
        )
        lock.passcodes[passcode.passcode_id] = passcode
        return passcode

    def _credential(self, number: str, name: str, lock: FakeLock) -> FakeCredential:
        return FakeCredential(
            credential_id=self.new_id("credential"),
            number=number,
            name=name,
            start_ms=0,
            end_ms=0,
            create_ms=now_ms(),
            sender=lock.owner.username,
        )

    def add_card(self, lock: FakeLock, number: str, *, name: str) -> FakeCredential:
        card = self._credential(number, name, lock)
        lock.cards[card.credential_id] = card
        return card

    def add_fingerprint(self, lock: FakeLock, number: str, *, name: str) -> FakeCredential:
        fingerprint = self._credential(number, name, lock)
        lock.fingerprints[fingerprint.credential_id] = fingerprint
        return fingerprint

    def add_record(
        self,
        lock: FakeLock,
        record_type: int,
        *,
        username: str = "",
        code: str = "",
        success: bool = True,
        at: datetime | None = None,
        uploaded: datetime | None = None,
    ) -> FakeRecord:
        """Add a record as if the lock uploaded it (at ``at``, default now).

        ``uploaded``: when it reached the cloud (default a second later); a phone syncing a
        Bluetooth lock uploads several records at once.
        """
        when = _ms(at)
        record = FakeRecord(
            record_id=self.new_id("record"),
            record_type=record_type,
            success=success,
            username=username,
            code=code,
            lock_date_ms=when,
            server_date_ms=when + 1_000 if uploaded is None else _ms(uploaded),
            battery=lock.battery,
        )
        lock.records.append(record)
        return record

    def remove_lock(self, lock_id: int) -> None:
        """Delete the lock as its admin would: its codes and records go with it."""
        del self.locks[lock_id]

    # -- faults and world events -----------------------------------------------------

    def fail_next(
        self,
        path: str,
        *,
        errcode: int | None = None,
        http_status: int | None = None,
        malformed: bool = False,
        delay: float | None = None,
        disconnect: bool = False,
        after_commit: bool = False,
        count: int = 1,
        after: int = 0,
    ) -> None:
        """Make the next ``count`` requests to ``path`` ("*" = any) misbehave this way.

        A delay alone slows the request down and then answers it normally; ``disconnect``
        drops the connection without an answer. ``after_commit``: the request is carried
        out first (a code is added, a lock opened) and only its answer fails, late or lost,
        as when the cloud commits a write whose answer never arrives. ``after``: the
        first ``after`` requests to ``path`` are answered normally before these fail.
        """
        if after:
            self.faults.add(path, Fault(), after)
        fault = Fault(
            errcode=errcode,
            http_status=http_status,
            malformed=malformed,
            delay=delay,
            disconnect=disconnect,
            after_commit=after_commit,
        )
        self.faults.add(path, fault, count)

    def expire_tokens(self) -> None:
        """Every access token issued so far answers 10004 from now on."""
        expired = now_ms() - 1
        for token in self.tokens.values():
            token.expires_ms = min(token.expires_ms, expired)

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Answer 30006 beyond ``per_minute`` API calls in a sliding minute."""
        self.rate_limiter.per_minute = per_minute

    def set_monthly_allowance(self, allowance: int | None) -> None:
        """Answer 30007 once ``allowance`` API calls were made this month (None: unlimited)."""
        if allowance is not None and allowance < 0:
            raise ValueError(f"allowance must not be negative: {allowance}")
        self.monthly_allowance = allowance

    def set_month_requests(self, n: int) -> None:
        """Pretend the application already made ``n`` API calls this (Beijing) month."""
        if n < 0:
            raise ValueError(f"request count must not be negative: {n}")
        self.current_month()
        self.month_requests = n

    def current_month(self) -> tuple[int, int]:
        """Return the Beijing (UTC+8) calendar month; a new month starts a new count."""
        month = beijing_month(now_ms())
        if month != self._counted_month:
            self._counted_month = month
            self.month_requests = 0
        return month

    def count_month_request(self) -> bool:
        """Count one API request; False (not counted) once the allowance is used up."""
        self.current_month()
        if self.monthly_allowance is not None and self.month_requests >= self.monthly_allowance:
            return False
        self.month_requests += 1
        return True

    def set_gateway_online(self, gateway_id: int, online: bool) -> None:
        gateway = self.gateways[gateway_id]
        if gateway.online != online:
            gateway.online = online
            gateway.offline_since_ms = None if online else now_ms()

    def set_lock_state(
        self,
        lock_id: int,
        state: int,
        *,
        record_type: int | None = None,
        username: str | None = None,
    ) -> None:
        """Someone operated the lock by hand; a record follows (none for UNKNOWN)."""
        lock = self.locks[lock_id]
        lock.state = int(state)
        if record_type is None and state != LockState.UNKNOWN:
            record_type = (
                RecordType.INSIDE_UNLOCK if state == LockState.UNLOCKED else RecordType.LOCK_BUTTON
            )
        if record_type is not None:
            self.add_record(lock, record_type, username=username or "")

    def enter_code(self, lock_id: int, code: str, *, at: datetime | None = None) -> bool:
        """Someone typed ``code`` at the keypad: it opens the lock if a valid code has it.

        The record names the code (its name and the digits, as the cloud's records do);
        a wrong code leaves a failed passcode record with the digits typed and no name.
        After ``KEYPAD_LOCKOUT`` wrong codes in a row the lock records a lock-out (48).
        """
        lock = self.locks[lock_id]
        when = _ms(at)
        passcode = next(
            (
                p
                for p in lock.passcodes.values()
                if p.code == code and p.start_ms <= when and (not p.end_ms or when < p.end_ms)
            ),
            None,
        )
        if passcode is None:
            lock.bad_entries += 1
            self.add_record(lock, RecordType.PASSCODE_UNLOCK, code=code, success=False, at=at)
            if lock.bad_entries % KEYPAD_LOCKOUT == 0:
                self.add_record(lock, RecordType.SYSTEM_LOCKED, success=False, at=at)
            return False
        lock.bad_entries = 0
        lock.state = LockState.UNLOCKED
        self.add_record(lock, RecordType.PASSCODE_UNLOCK, username=passcode.name, code=code, at=at)
        return True

    def set_battery(self, lock_id: int, battery: int) -> None:
        lock = self.locks[lock_id]
        lock.battery = battery
        lock.battery_ms = now_ms()

    def reset_requests(self) -> None:
        self.requests.clear()

    # -- rules shared by the routes ---------------------------------------------------

    def lock_of(self, account: FakeAccount, lock_id: int) -> FakeLock:
        """-1003 for an unknown lock, -2018 for someone else's."""
        lock = self.locks.get(lock_id)
        if lock is None:
            raise CloudError(-1003)
        if lock.owner is not account:
            raise CloudError(-2018)
        return lock

    def gateway_of(self, account: FakeAccount, gateway_id: int) -> FakeGateway:
        gateway = self.gateways.get(gateway_id)
        if gateway is None or gateway.owner is not account:
            raise CloudError(-4037)
        return gateway

    def gateway_locks(self, gateway: FakeGateway, now: int) -> list[tuple[FakeLock, FakeLink]]:
        return [
            (lock, link)
            for lock in self.locks.values()
            for link in lock.live_links(now)
            if link.gateway is gateway
        ]

    @asynccontextmanager
    async def relay(self, lock: FakeLock) -> AsyncIterator[None]:
        """Reach the lock: Wi-Fi, else its best-rssi online gateway (-2012/-3002/-3036)."""
        if lock.wifi:
            if not lock.wifi_online:
                raise CloudError(-3036)
            key = -lock.lock_id
        else:
            live = lock.live_links(now_ms())
            if not live:
                raise CloudError(-2012)
            online = [link for link in live if link.gateway.online]
            if not online:
                raise CloudError(-3002)
            key = max(online, key=lambda link: link.rssi).gateway.gateway_id
        async with self._busy_while(key):
            yield

    @asynccontextmanager
    async def relay_meter(self, meter: FakeMeter) -> AsyncIterator[None]:
        """Reach a meter through its gateway."""
        if meter.gateway is None:
            raise CloudError(-2012)
        if not meter.gateway.online:
            raise CloudError(-3002)
        async with self._busy_while(meter.gateway.gateway_id):
            yield

    @asynccontextmanager
    async def _busy_while(self, key: int) -> AsyncIterator[None]:
        # A gateway handles one command at a time: a concurrent one gets -3003.
        if key in self._busy:
            raise CloudError(-3003)
        self._busy.add(key)
        try:
            if self.relay_delay:
                await asyncio.sleep(self.relay_delay)
            yield
        finally:
            self._busy.discard(key)
