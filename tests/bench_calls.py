"""Cloud calls per day and per month, in simulated time (run by scripts/bench).

For 1, 10 and 50 locks behind gateways, plus one Bluetooth-only lock, with push and with
polling only: the integration runs in Home Assistant's test harness against the fake
cloud over real HTTP, the clock is simulated, and the fake cloud enforces a 5,000-call
monthly allowance (errcode 30007) as TTLock does.

- Day 1 of the month (Beijing time): each lock behind a gateway is operated four times,
  the Bluetooth lock's phone syncs twice. With push, the cloud's callback is POSTed to
  the webhook at each change. Measured: requests by path, and the delay from each change
  to the lock's state in Home Assistant.
- The rest of the month: the same days, plus four guest stays per lock through guest
  access (each lock bound to a calendar of its own; a stay booked two days ahead gets a
  custom code at once, checked before arrival, deleted after check-out; each stay's
  turnover gets a code for the cleaner, from check-out to the next check-in; the locks
  with live codes are looked at daily) and an unlock and a lock command twice a day.
  Measured: the month's requests as the cloud counted them, and whether any request was
  refused for the allowance.

BENCH_LOCKS=1,10,50 python -m pytest tests/bench_calls.py -q -s (not collected by the test
suite: its name is not test_*)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import statistics
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.api import LockState, RecordType, TTLockClient
from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_MONTHLY_ALLOWANCE,
    CONF_PASSCODE_QUOTA_LIMITED,
    CONF_PASSWORD_MD5,
    CONF_SERVER,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SERVER_CUSTOM,
)
from custom_components.ttlock_access.planner import Plan
from simulator.app import build_app
from simulator.cloud import FakeTTLockCloud
from simulator.demo import CLIENT_ID, CLIENT_SECRET, add_generated_locks
from simulator.state import FakeLock
from tests.cloud_push import push_newest_record
from tests.guest_common import StaysCalendar, async_setup_calendars, binding_subentry

ALLOWANCE = 5000
USERNAME, PASSWORD = "bench@example.com", "bench-password"
WEBHOOK = "bench-webhook-id"
MONTH_BEGINS = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # December 1st, 00:00 Beijing
MONTH_ENDS = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DAY_STEP = timedelta(seconds=60)  # resolution of the measured day (delays)
MONTH_STEP = timedelta(minutes=2)  # the rest of the month
OPERATIONS = (7 * 60 + 10, 12 * 60 + 40, 18 * 60 + 5, 22 * 60 + 50)  # minute of the day
BLUETOOTH_SYNCS = (9 * 60, 20 * 60)
COMMANDS_PER_DAY = 2  # unlock and lock the first lock through Home Assistant, twice
STAYS_PER_LOCK = 4


@dataclass
class Result:
    """What one scenario measured."""

    locks: int
    push: bool
    day: Counter[str] = field(default_factory=Counter)
    setup: int = 0
    delays: list[float] = field(default_factory=list)  # seconds
    month: int = 0
    refused: int = 0
    stays: int = 0
    commands: int = 0
    plan: Plan | None = None
    guest: Counter[str] = field(default_factory=Counter)  # guest access's calls, the month
    gateway_lock: int = 0
    bluetooth_lock: int = 0


RESULTS: list[Result] = []


LOCK_COUNTS = [int(n) for n in os.environ.get("BENCH_LOCKS", "1,10,50").split(",")]


@pytest.fixture(autouse=True, scope="module")
def report() -> Generator[None]:
    """Write the tables (BENCH_REPORT, default .cache/bench/calls.md) once all ran."""
    yield
    path = Path(os.environ.get("BENCH_REPORT", ".cache/bench/calls.md"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(RESULTS) + "\n")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this integration."""


def _hms(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds // 60} min"


def _by_path(
    results: list[Result], title: str, counts: Callable[[Result], Counter[str]]
) -> list[str]:
    """A table of request counts by path, a column per scenario."""
    paths = sorted({path for r in results for path in counts(r)})
    return [
        "",
        title,
        "",
        "| Path | "
        + " | ".join(f"{r.locks} {'push' if r.push else 'poll'}" for r in results)
        + " |",
        "|---|" + "---:|" * len(results),
        *(
            f"| `{path}` | " + " | ".join(str(counts(r).get(path, 0)) for r in results) + " |"
            for path in paths
        ),
    ]


def render(results: list[Result]) -> str:
    """Markdown tables of every scenario."""
    lines = [
        "| Locks | Mode | Requests / 24 h | x 30 days | Simulated month (cloud's count) "
        "| 30007 | Stays + commands | State delay (median / max) | Setup requests |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        delays = f"{statistics.median(r.delays):.0f} s / {max(r.delays):.0f} s" if r.delays else "-"
        day = sum(r.day.values())
        lines.append(
            f"| {r.locks} + 1 BT | {'push' if r.push else 'polling'} | {day} | {day * 30} "
            f"| {r.month} of {ALLOWANCE} | {r.refused} | {r.stays} + {r.commands} "
            f"| {delays} | {r.setup} |"
        )
    lines += [
        "",
        "Intervals the planner chose on day 1 (a gateway lock / the Bluetooth lock):",
        "",
        "| Locks | Mode | Lock list | Gateways | Gateway links | Per gateway lock "
        "| Bluetooth lock | Reads planned / day | Budget / day |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        plan = r.plan
        if plan is None:
            continue
        lines.append(
            f"| {r.locks} + 1 BT | {'push' if r.push else 'polling'} | {_hms(plan.lock_list)} "
            f"| {_hms(plan.gateways)} | {_hms(plan.links)} "
            f"| {_hms(plan.per_lock[r.gateway_lock])} | {_hms(plan.per_lock[r.bluetooth_lock])} "
            f"| {plan.reads_per_day:.0f} | {plan.budget_per_day:.0f} |"
        )
    lines += _by_path(results, "Requests of the measured day by path:", lambda r: r.day)
    lines += _by_path(
        results,
        "Guest access over the rest of the month (4 stays per gateway lock, each with its"
        " turnover code), calls by path:",
        lambda r: r.guest,
    )
    lines.append(
        "| per stay | "
        + " | ".join(f"{sum(r.guest.values()) / max(r.stays, 1):.1f}" for r in results)
        + " |"
    )
    return "\n".join(lines)


class Scenario:
    """One Home Assistant, one fake cloud, simulated time."""

    calendars: dict[int, StaysCalendar]  # lock id -> its calendar of stays

    def __init__(  # noqa: PLR0917
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        cloud: FakeTTLockCloud,
        entry: MockConfigEntry,
        client: Any,
        push: bool,
    ) -> None:
        self.hass = hass
        self.freezer = freezer
        self.cloud = cloud
        self.entry = entry
        self.client = client
        self.push = push
        self.now = MONTH_BEGINS
        self.pending: dict[int, tuple[int, datetime]] = {}  # lock id -> wanted state, since
        self.delays: list[float] = []

    async def advance(self, to: datetime) -> None:
        """Move the clock to ``to`` and let every timer due by then fire."""
        self.freezer.move_to(to)
        self.now = to
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        self._settle()

    def _settle(self) -> None:
        """A change is seen once its lock was read (or pushed) after it and shows it."""
        locks = self.entry.runtime_data.locks
        for lock_id, (wanted, since) in list(self.pending.items()):
            read = locks.read_at(lock_id)
            seen = self.push or (read is not None and read >= since)
            if seen and locks.data[lock_id].state == wanted:
                self.delays.append((self.now - since).total_seconds())
                del self.pending[lock_id]

    async def operate(self, lock: FakeLock, state: int, *, follow: bool = True) -> None:
        """Someone turns a lock; with push, the cloud's callback follows at once."""
        self.cloud.set_lock_state(lock.lock_id, state)
        if follow:
            self.pending[lock.lock_id] = (state, self.now)
        await self.push_last_record(lock)

    async def push_last_record(self, lock: FakeLock) -> None:
        """With push, POST the callback the cloud sends about the lock's newest record."""
        if self.push and lock.links:
            await push_newest_record(self.client, WEBHOOK, lock)
            await self.hass.async_block_till_done()
            self._settle()


def _gateway_locks(cloud: FakeTTLockCloud) -> list[FakeLock]:
    return [lock for lock in cloud.locks.values() if lock.links]


async def _day_events(scenario: Scenario, day_start: datetime, step: timedelta) -> None:
    """Run one simulated day: operations, Bluetooth syncs."""
    cloud = scenario.cloud
    remote = _gateway_locks(cloud)
    bluetooth = [lock for lock in cloud.locks.values() if not lock.links]
    moment = day_start
    while moment < day_start + DAY - step:  # midnight itself belongs to the next day
        moment += step
        await scenario.advance(moment)
        minute = int((moment - day_start).total_seconds() // 60)
        for index, lock in enumerate(remote):
            # Each lock has its own times (shifted by its index), four a day.
            for number, at in enumerate(OPERATIONS):
                if minute == (at + 7 * index) % (24 * 60):
                    wanted = LockState.UNLOCKED if number % 2 == 0 else LockState.LOCKED
                    await scenario.operate(lock, wanted)
        for lock in bluetooth:
            if minute in BLUETOOTH_SYNCS:
                cloud.add_record(lock, RecordType.APP_UNLOCK, username="phone")


async def _month_events(scenario: Scenario, result: Result) -> None:
    """The rest of the month: days as above, guest stays and commands."""
    hass, cloud = scenario.hass, scenario.cloud
    remote = _gateway_locks(cloud)
    first = next(
        state.entity_id
        for state in hass.states.async_all("lock")
        if state.attributes.get("friendly_name") == remote[0].alias
    )
    day_start = MONTH_BEGINS + DAY
    while day_start < MONTH_ENDS:
        day = int((day_start - MONTH_BEGINS) / DAY)
        await _day_events(scenario, day_start, MONTH_STEP)
        # Guest stays: every lock gets one a week, booked two days ahead.
        for index, lock in enumerate(remote):
            if (day + index) % 7 == 0 and result.stays < STAYS_PER_LOCK * len(remote):
                start = scenario.now + timedelta(days=2)
                scenario.calendars[lock.lock_id].add(
                    f"stay-{day}-{index}", start, start + timedelta(days=3), f"Guest {day}"
                )
                result.stays += 1
        for _ in range(COMMANDS_PER_DAY):
            for service in ("unlock", "lock"):
                await hass.services.async_call("lock", service, {"entity_id": first}, blocking=True)
                await scenario.push_last_record(remote[0])  # the cloud pushes its record
                result.commands += 1
        day_start += DAY


def _entity_of(hass: HomeAssistant, lock: FakeLock) -> str:
    return next(
        state.entity_id
        for state in hass.states.async_all("lock")
        if state.attributes.get("friendly_name") == lock.alias
    )


@pytest.mark.parametrize("locks", LOCK_COUNTS)
@pytest.mark.parametrize("push", [True, False], ids=["push", "polling"])
async def test_calls(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    aiohttp_server: Any,
    socket_enabled: None,
    hass_client_no_auth: ClientSessionGenerator,
    locks: int,
    push: bool,
) -> None:
    """One scenario: a measured day, then the rest of the month."""
    freezer.move_to(MONTH_BEGINS)
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    cloud = FakeTTLockCloud(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    account = cloud.add_account(USERNAME, PASSWORD, limited=False)
    add_generated_locks(cloud, account, locks)
    cloud.add_lock(account, name="Shed (Bluetooth)", battery=80)
    cloud.monthly_allowance = ALLOWANCE
    server = await aiohttp_server(build_app(cloud), host="127.0.0.1", access_log=None)
    url = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as session:
        token = await TTLockClient(session, CLIENT_ID, CLIENT_SECRET, base_url=url).login(
            USERNAME, TTLockClient.hash_password(PASSWORD)
        )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USERNAME,
        unique_id=str(token.uid),
        minor_version=2,
        data={
            CONF_SERVER: SERVER_CUSTOM,
            CONF_BASE_URL: url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD_MD5: TTLockClient.hash_password(PASSWORD),
            CONF_TOKEN: token.as_dict(),
            CONF_WEBHOOK_ID: WEBHOOK,
        },
        options={CONF_MONTHLY_ALLOWANCE: ALLOWANCE, CONF_PASSCODE_QUOTA_LIMITED: False},
    )
    entry.add_to_hass(hass)
    remote = _gateway_locks(cloud)
    calendars = await async_setup_calendars(hass, [f"Stays {lock.alias}" for lock in remote])
    for lock, calendar in zip(remote, calendars, strict=True):
        hass.config_entries.async_add_subentry(
            entry,
            binding_subentry(
                [lock.lock_id],
                calendars=[calendar.entity_id or ""],
                title=lock.alias,
                days_before=2,
                turnover="between_stays",  # a host's day: the cleaner's code too
                cleaner="Cleaner",
            ),
        )
    before = cloud.month_requests
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = Result(locks=locks, push=push, setup=cloud.month_requests - before)
    client = await hass_client_no_auth()
    scenario = Scenario(hass, freezer, cloud, entry, client, push)
    scenario.calendars = {lock.lock_id: cal for lock, cal in zip(remote, calendars, strict=True)}
    if push:
        # The callback URL is set: the first operation of each lock is pushed.
        for lock in _gateway_locks(cloud):
            await scenario.operate(lock, LockState.LOCKED, follow=False)
    cloud.reset_requests()
    await _day_events(scenario, MONTH_BEGINS, DAY_STEP)
    result.day = Counter(cloud.requests)
    result.delays = list(scenario.delays)
    result.plan = entry.runtime_data.allowance.plan
    result.gateway_lock = _gateway_locks(cloud)[0].lock_id
    result.bluetooth_lock = next(lock.lock_id for lock in cloud.locks.values() if not lock.links)
    cloud.reset_requests()
    await _month_events(scenario, result)
    result.guest = Counter(
        {
            path: n
            for path, n in cloud.requests.items()
            if "KeyboardPwd" in path or "keyboardPwd" in path
        }
    )
    result.month = cloud.month_requests
    result.refused = int(entry.runtime_data.allowance.ledger.exhausted())
    RESULTS.append(result)
    assert not result.refused
    assert result.month <= ALLOWANCE
