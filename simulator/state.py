"""The fake cloud's records: plain mutable dataclasses, times in epoch milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
import time
from typing import Final

# A gateway keeps reporting the locks it heard for 30 minutes after it went silent.
LINK_CACHE_MS: Final = 30 * 60 * 1000
# The cloud counts an application's requests per calendar month in Beijing time.
BEIJING: Final = timezone(timedelta(hours=8))


def now_ms() -> int:
    """Read the cloud's clock on every use, so that frozen test clocks apply."""
    return int(time.time() * 1000)


def beijing_month(ms: int) -> tuple[int, int]:
    """Return the (year, month) of an epoch-ms moment in Beijing time (UTC+8)."""
    moment = datetime.fromtimestamp(ms / 1000, BEIJING)
    return moment.year, moment.month


@dataclass(eq=False)
class FakeAccount:
    """A TTLock app account."""

    uid: int
    username: str
    password_md5: str
    limited: bool = True  # created from April 2026: monthly passcode quota


@dataclass(eq=False)
class FakeToken:
    """An access token and the refresh token issued with it."""

    access_token: str
    refresh_token: str
    account: FakeAccount
    expires_ms: int
    revoked: bool = False


@dataclass(eq=False)
class FakeGateway:
    """A gateway (G2 Wi-Fi by default)."""

    gateway_id: int
    owner: FakeAccount
    name: str
    mac: str
    version: int
    online: bool
    network_name: str
    network_mac: str
    offline_since_ms: int | None = None


@dataclass(eq=False)
class FakeLink:
    """A gateway hears a lock, with this signal strength."""

    gateway: FakeGateway
    rssi: int

    def live(self, now: int) -> bool:
        """Whether the cloud still counts the link (cached 30 min after going offline)."""
        since = self.gateway.offline_since_ms
        return self.gateway.online or (since is not None and now - since < LINK_CACHE_MS)

    def updated_ms(self, now: int) -> int:
        if self.gateway.online or self.gateway.offline_since_ms is None:
            return now - now % 60_000
        return self.gateway.offline_since_ms


@dataclass(eq=False)
class FakePasscode:
    """A keyboard passcode: offline (random) or custom."""

    passcode_id: int
    code: str
    name: str
    type: int
    is_custom: bool
    start_ms: int
    end_ms: int
    send_ms: int
    sender: str


@dataclass(eq=False)
class FakeRecord:
    """One lock record."""

    record_id: int
    record_type: int
    success: bool
    username: str
    code: str
    lock_date_ms: int
    server_date_ms: int
    battery: int


@dataclass(eq=False)
class FakeCredential:
    """An IC card or a fingerprint."""

    credential_id: int
    number: str
    name: str
    start_ms: int
    end_ms: int
    create_ms: int
    sender: str


@dataclass(eq=False)
class FakeKey:
    """An eKey: a TTLock app account's key to a lock (cloud only: no lock operation)."""

    key_id: int
    username: str
    name: str
    start_ms: int  # 0/0: permanent
    end_ms: int
    status: str  # "110401" normal, "110405" frozen
    remote_enable: bool
    sender: str
    create_ms: int
    # A recurring key (keyType 4): weekdays 1 = Sunday, its days and its daily times.
    key_type: int = 1
    weekdays: list[int] = field(default_factory=list)
    start_day_ms: int = 0
    end_day_ms: int = 0


@dataclass(eq=False)
class FakeLock:
    """A lock and everything the cloud stores about it."""

    lock_id: int
    owner: FakeAccount
    alias: str
    bluetooth_name: str
    mac: str
    battery: int
    battery_ms: int
    state: int
    features: int
    wifi: bool
    added_ms: int  # joined the account: the passcode quota's grace month starts here
    init_ms: int
    lock_data: str
    admin_code: str
    links: list[FakeLink] = field(default_factory=list)
    wifi_online: bool = True
    passage_mode: bool = False
    passage_in_list: bool = True  # older locks' list items carry no passageMode
    passage_all_day: bool = True
    passage_start_minute: int = 0
    passage_end_minute: int = 0
    passage_weekdays: list[int] = field(default_factory=list)
    passage_auto_unlock: bool = False
    timezone_offset_ms: int = 3_600_000
    model: str = "SN9161_PV53"
    firmware: str = "6.4.13.230914"
    hardware: str = "1.3"
    auto_lock_seconds: int = 5  # -1: off
    clock_offset_ms: int = 0  # how far the lock's own clock is off the cloud's
    # lock/updateSetting values as the cloud keeps them: 1 on / 2 off; volume 1-5.
    settings: dict[int, int] = field(
        default_factory=lambda: {2: 2, 3: 1, 4: 1, 6: 1, 8: 3}  # privacy off, the rest on
    )
    frozen: bool = False
    group_id: int = 0
    group_name: str = ""
    passcodes: dict[int, FakePasscode] = field(default_factory=dict)
    records: list[FakeRecord] = field(default_factory=list)
    bad_entries: int = 0  # wrong codes typed in a row at the keypad
    cards: dict[int, FakeCredential] = field(default_factory=dict)
    fingerprints: dict[int, FakeCredential] = field(default_factory=dict)
    keys: dict[int, FakeKey] = field(default_factory=dict)
    # (type, start, end) of offline codes issued then deleted: asking again is -1026.
    deleted_periods: set[tuple[int, int, int]] = field(default_factory=set)
    # When quota-counted codes were issued.
    quota_log: list[int] = field(default_factory=list)

    def live_links(self, now: int) -> list[FakeLink]:
        return [link for link in self.links if link.live(now)]


@dataclass(eq=False)
class FakeMeter:
    """An electricity or water meter; ``total`` is kWh or m³."""

    meter_id: int
    owner: FakeAccount
    name: str
    number: str
    mac: str
    gateway: FakeGateway | None
    total: float
    remainder: float
    price: float
    prepaid: bool = False
    on: bool = True
    online: bool = True
    rssi: int = -68
    battery: int = 90  # water meters only
    usage_per_hour: float = 0.0  # added at each syncState, for live-looking demos
    synced_ms: int = 0


@dataclass(eq=False)
class FakeElectricMeter(FakeMeter):
    """An electricity meter."""


@dataclass(eq=False)
class FakeWaterMeter(FakeMeter):
    """A water meter."""
