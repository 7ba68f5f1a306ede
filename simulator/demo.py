"""The demo dataset, and generated locks for benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from .cloud import FakeTTLockCloud
from .protocol import LockState, PasscodeType, RecordType
from .state import FakeAccount, FakeLock

CLIENT_ID: Final = "sim-client-id"
CLIENT_SECRET: Final = "sim-client-secret"
DEMO_USERNAME: Final = "demo@example.com"
DEMO_PASSWORD: Final = "demo-password"
LOCKS_PER_GATEWAY: Final = 50


def populate_demo(cloud: FakeTTLockCloud) -> FakeAccount:
    """Create a flat with 3 locks, a gateway, two meters, records, codes, a card and a fingerprint.

    The account is quota-limited: the two door locks were added 90 days ago (quota
    applies), the garage lock 10 days ago (still in its free first month).
    """
    now = datetime.now(UTC).replace(microsecond=0)
    account = cloud.add_account(DEMO_USERNAME, DEMO_PASSWORD, limited=True)
    gateway = cloud.add_gateway(account, name="Hallway gateway")
    front = cloud.add_lock(
        account,
        name="Front door",
        gateway=gateway,
        battery=85,
        rssi=-62,
        door_sensor=True,
        added=now - timedelta(days=90),
    )
    back = cloud.add_lock(
        account,
        name="Back door",
        gateway=gateway,
        battery=40,
        rssi=-81,
        added=now - timedelta(days=90),
    )
    garage = cloud.add_lock(
        account, name="Garage", battery=15, state=LockState.UNKNOWN, added=now - timedelta(days=10)
    )
    cloud.add_electric_meter(
        account,
        name="Flat 1 electricity",
        gateway=gateway,
        total_kwh=1234.5,
        price=0.25,
        usage_per_hour=0.4,
        prepaid=True,  # a holiday flat's prepaid electricity: a balance to watch
        remaining_kwh=86.4,
    )
    cloud.add_water_meter(
        account,
        name="Flat 1 water",
        gateway=gateway,
        total_m3=56.78,
        price=2.1,
        battery=80,
        usage_per_hour=0.01,
    )
    _passcodes_and_credentials(cloud, front, back, now)
    _history(cloud, front, back, garage, now)
    return account


def _passcodes_and_credentials(
    cloud: FakeTTLockCloud, front: FakeLock, back: FakeLock, now: datetime
) -> None:
    earlier = now - timedelta(days=40)
    cloud.add_passcode(front, "480913", name="Family", sent=earlier)
    cloud.add_passcode(front, "2749", name="Cleaner", sent=earlier)
    hour = now.replace(minute=0, second=0)
    cloud.add_passcode(
        front,
        "83716402",
        name="Guest",
        type_=PasscodeType.PERIOD,
        custom=False,
        start=hour - timedelta(days=1),
        end=hour + timedelta(days=6),
        sent=hour - timedelta(days=1),
    )
    cloud.add_passcode(back, "591736", name="Family", sent=earlier)
    cloud.add_card(front, "1723612378", name="Mum's card")
    cloud.add_fingerprint(front, "2601548835", name="Alex thumb")


def _history(
    cloud: FakeTTLockCloud, front: FakeLock, back: FakeLock, garage: FakeLock, now: datetime
) -> None:
    """Add a few days of records, oldest first."""
    events: list[tuple[FakeLock, int, int, str, str]] = [
        # (lock, hours ago, recordType, username, code)
        (front, 50, RecordType.PASSCODE_UNLOCK, "Cleaner", "2749"),
        (front, 49, RecordType.AUTO_LOCK, "", ""),
        (back, 30, RecordType.MECHANICAL_KEY_UNLOCK, "", ""),
        (back, 29, RecordType.LOCK_BUTTON, "", ""),
        (garage, 26, RecordType.APP_UNLOCK, DEMO_USERNAME, ""),
        (front, 20, RecordType.IC_CARD_UNLOCK, "Mum's card", "1723612378"),
        (front, 20, RecordType.AUTO_LOCK, "", ""),
        (front, 3, RecordType.FINGERPRINT_UNLOCK, "Alex thumb", "2601548835"),
        (front, 3, RecordType.AUTO_LOCK, "", ""),
    ]
    for lock, hours, record_type, username, code in events:
        at = now - timedelta(hours=hours, minutes=0 if record_type == RecordType.AUTO_LOCK else 1)
        cloud.add_record(lock, record_type, username=username, code=code, at=at)


def add_generated_locks(cloud: FakeTTLockCloud, account: FakeAccount, count: int) -> None:
    """``count`` more locks, at most 50 per gateway, with varied battery and signal."""
    rng = cloud.rng
    added = datetime.now(UTC) - timedelta(days=120)
    gateway = None
    for index in range(count):
        if index % LOCKS_PER_GATEWAY == 0:
            number = index // LOCKS_PER_GATEWAY + 1
            gateway = cloud.add_gateway(account, name=f"Gateway {number:02d}")
        lock = cloud.add_lock(
            account,
            name=f"Door {index + 1:03d}",
            gateway=gateway,
            battery=rng.randrange(5, 101),
            rssi=rng.randrange(-92, -55),
            state=rng.choice((LockState.LOCKED, LockState.LOCKED, LockState.UNLOCKED)),
            added=added,
        )
        cloud.add_record(lock, RecordType.APP_UNLOCK, username=account.username, at=added)
