"""The monthly call allowance as the client counts it, against the fake cloud."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.ttlock_access.api import (
    CallLedger,
    TTLockAllowanceExhaustedError,
    TTLockClient,
    TTLockRateLimitError,
    next_reset,
)
from custom_components.ttlock_access.api.usage import day_of, month_of, month_start
from simulator.cloud import FakeTTLockCloud

LOCKS = "/v3/lock/list"
COUNT = "/app/getMonthRequestCount"


def test_month_is_beijing_time() -> None:
    """The cloud's month turns at midnight in Beijing (16:00 UTC the day before)."""
    before = datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)
    after = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert month_of(before) == "2026-11"
    assert month_of(after) == "2026-12"
    assert day_of(after).isoformat() == "2026-12-01"
    assert next_reset(before) == after
    assert next_reset(after) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert month_start(after) == after
    assert next_reset(datetime(2026, 12, 20, tzinfo=UTC)) == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_counts_by_path_and_day_and_rolls_over(freezer: FrozenDateTimeFactory) -> None:
    """Every request counts once, by path and day; a new month starts from zero."""
    freezer.move_to("2026-11-30T15:00:00Z")
    changes: list[None] = []
    ledger = CallLedger(on_change=lambda: changes.append(None))
    ledger.before_request(LOCKS)
    ledger.before_request(LOCKS)
    ledger.before_request("/v3/lockRecord/list")
    assert (ledger.used, ledger.today()) == (3, 3)
    assert ledger.by_path == {LOCKS: 2, "/v3/lockRecord/list": 1}
    assert ledger.by_day == {"2026-11-30": 3}
    assert len(changes) == 3
    freezer.move_to("2026-11-30T16:00:00Z")  # December in Beijing
    assert ledger.used == 0
    assert ledger.month == "2026-12"
    assert ledger.by_path == {}


def test_cloud_count_includes_other_apps(freezer: FrozenDateTimeFactory) -> None:
    """The cloud's count wins when it is higher; what was sent since is added to it."""
    ledger = CallLedger()
    for _ in range(10):
        ledger.before_request(LOCKS)
    ledger.reconcile(2500)  # another app on the same application spent the rest
    assert ledger.used == 2500
    ledger.before_request(LOCKS)
    assert ledger.used == 2501
    ledger.reconcile(3)  # a lower count (a reset) never hides what this client sent
    assert ledger.used == 11


def test_exhausted_refuses_but_probes_daily(freezer: FrozenDateTimeFactory) -> None:
    """After a 30007 nothing goes out but one probe a day, until the month turns."""
    freezer.move_to("2026-12-10T08:00:00Z")
    ledger = CallLedger()
    ledger.before_request(LOCKS)
    ledger.answered(monthly_limit=True)
    assert ledger.exhausted()
    assert ledger.exhausted_until == datetime(2026, 12, 31, 16, tzinfo=UTC)
    with pytest.raises(TTLockAllowanceExhaustedError) as caught:
        ledger.before_request(LOCKS)
    assert caught.value.reset_at == ledger.exhausted_until
    assert caught.value.monthly
    assert ledger.sent == 1  # a refused request was never sent: not counted
    freezer.tick(timedelta(days=1))
    ledger.before_request(LOCKS)  # the day's probe
    with pytest.raises(TTLockAllowanceExhaustedError):
        ledger.before_request(LOCKS)
    ledger.answered(monthly_limit=False)  # the probe went through: the limit is lifted
    assert not ledger.exhausted()
    ledger.before_request(LOCKS)
    assert ledger.sent == 3


def test_exhaustion_ends_with_the_month(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to("2026-12-31T15:00:00Z")
    ledger = CallLedger()
    ledger.answered(monthly_limit=True)
    freezer.move_to("2026-12-31T16:00:01Z")
    assert not ledger.exhausted()
    ledger.before_request(LOCKS)
    assert ledger.used == 1


def test_round_trip_and_damaged_copies(freezer: FrozenDateTimeFactory) -> None:
    """What as_dict writes, load reads; anything else is refused whole."""
    freezer.move_to("2026-12-10T08:00:00Z")
    ledger = CallLedger()
    ledger.before_request(LOCKS)
    ledger.reconcile(40)
    ledger.answered(monthly_limit=True)
    copy = CallLedger()
    copy.load(ledger.as_dict())
    assert copy.as_dict() == ledger.as_dict()
    assert copy.exhausted()
    good = ledger.as_dict()
    for damaged in (
        {},
        {**good, "sent": -1},
        {**good, "sent": True},
        {**good, "by_path": {"x": "7"}},
        {**good, "month": "December"},
        {**good, "cloud_read_at": "yesterday"},
        {**good, "exhausted_until": "2026-12-31T16:00:00"},  # no time zone
        {**good, "by_day": []},
    ):
        fresh = CallLedger()
        with pytest.raises(ValueError, match=r"not a"):
            fresh.load(damaged)
        assert fresh.sent == 0  # nothing half-loaded
    old = CallLedger()
    old.load({**good, "month": "2026-11"})  # last month's copy: starts the month afresh
    assert old.used == 0


async def test_client_counts_every_request(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    """The client's count matches what the cloud counted, login included."""
    await client.list_locks()
    await client.list_gateways()
    assert client.ledger.used == cloud.month_requests == 3
    assert client.ledger.by_path["/oauth2/token"] == 1


async def test_month_request_count(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    """The cloud's own count, other apps included, replaces the client's estimate."""
    cloud.set_month_requests(cloud.month_requests + 2000)
    assert await client.month_request_count() == 2002
    assert client.ledger.used == 2002
    assert client.ledger.cloud_count == 2002
    await client.list_locks()
    assert client.ledger.used == cloud.month_requests == 2003


async def test_allowance_used_up_at_the_cloud(
    client: TTLockClient, cloud: FakeTTLockCloud, freezer: FrozenDateTimeFactory
) -> None:
    """A 30007 stops the client sending anything but a daily probe."""
    cloud.monthly_allowance = cloud.month_requests + 1
    await client.list_locks()
    with pytest.raises(TTLockRateLimitError) as caught:
        await client.list_locks()
    assert caught.value.monthly
    assert client.ledger.exhausted()
    sent = cloud.requests[LOCKS]
    with pytest.raises(TTLockAllowanceExhaustedError):
        await client.list_gateways()
    with pytest.raises(TTLockAllowanceExhaustedError):
        await client.month_request_count()
    assert cloud.requests[LOCKS] == sent
    assert cloud.requests["/v3/gateway/list"] == 0
    cloud.monthly_allowance = None  # the developer upgraded the account
    freezer.tick(timedelta(days=1))
    await client.list_locks()  # the day's probe goes out and succeeds
    assert not client.ledger.exhausted()
    await client.list_gateways()
