"""Exactly once: a stay's code survives lost answers, crashes, lost books and outside hands.

Against the simulator over real HTTP: a "crash" is the entry unloaded with its stored book
put back as it was before the write; a "lost answer" is the simulator carrying a write
out and dropping its answer.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import (
    CONF_PASSCODE_QUOTA_LIMITED,
    DOMAIN,
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_FAILED,
)
from custom_components.ttlock_access.stays import PlanStatus, stay_tag
from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import (
    CALENDAR,
    StaysCalendar,
    go,
    guest_action,
    guest_codes,
    guest_name,
    setup_bound,
)

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
START = datetime(2026, 6, 25, 15, 0, tzinfo=UTC)  # 08:00 in Los Angeles
DUE = dt_util.as_local(START) - timedelta(days=5)  # when its code is made
ADD, GET, LIST = "/v3/keyboardPwd/add", "/v3/keyboardPwd/get", "/v3/lock/listKeyboardPwd"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


def _book_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.guest_access.{entry.entry_id}"


async def _restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _codes(locks: list[FakeLock], demo_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    return {
        lock.lock_id: sorted((c.passcode_id, c.code) for c in guest_codes(lock, demo_ids))
        for lock in locks
    }


async def test_crash_before_the_save_adopts_the_codes(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """The cloud made both codes, the book never heard of them: found, not made again."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front, garage])
    before = copy.deepcopy(hass_storage[_book_key(mock_config_entry)])
    await go(hass, frozen, DUE)
    made = _codes([front, garage], demo_ids)
    assert all(len(codes) == 1 for codes in made.values())
    writes = (fake_cloud.requests[ADD], fake_cloud.requests[GET])

    # The process dies after the cloud's answers, before the save (or a backup is restored).
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    hass_storage[_book_key(mock_config_entry)] = before
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert _codes([front, garage], demo_ids) == made
    assert (fake_cloud.requests[ADD], fake_cloud.requests[GET]) == writes
    plans = mock_config_entry.runtime_data.guests.plans.values()
    assert {(p.lock_id, p.passcode_id) for p in plans} == {
        (lock_id, codes[0][0]) for lock_id, codes in made.items()
    }
    assert all(p.status is PlanStatus.CREATED for p in plans)


async def test_damaged_book_rebuilt_from_the_cloud(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """A book that cannot be read: the codes the cloud has for each stay are adopted."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    stays.add("b", START + timedelta(days=2), START + timedelta(days=4), "Brown")
    frozen.move_to(DUE + timedelta(days=2))
    await setup_bound(hass, mock_config_entry, [front, garage])
    made = _codes([front, garage], demo_ids)
    assert all(len(codes) == 2 for codes in made.values())
    writes = (fake_cloud.requests[ADD], fake_cloud.requests[GET])

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    key = _book_key(mock_config_entry)
    hass_storage[key] = {"key": key, "version": 9, "minor_version": 1, "data": {}}
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert _codes([front, garage], demo_ids) == made
    assert (fake_cloud.requests[ADD], fake_cloud.requests[GET]) == writes
    plans = mock_config_entry.runtime_data.guests.plans.values()
    assert sorted((p.event, p.lock_id, p.status) for p in plans) == sorted(
        (event, lock.lock_id, PlanStatus.CREATED) for event in "ab" for lock in (front, garage)
    )
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"stored_data_lost_guest_plans_{mock_config_entry.entry_id}"
    )
    assert issue is not None


async def test_create_in_doubt_is_saved_and_settled_after_a_restart(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """The add's answer is lost and the lock's list cannot be read: the intent waits.

    It is in the stored book (digits and period) before the add is sent; after a restart
    the list shows the code, which is adopted, and no second add is sent.
    """
    stays.add("a", START, START + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    fake_cloud.fail_next(ADD, after_commit=True, disconnect=True)
    fake_cloud.fail_next(LIST, http_status=503, after=1)  # the look after the lost answer
    await go(hass, frozen, DUE)
    (made,) = guest_codes(front, demo_ids)
    (plan,) = mock_config_entry.runtime_data.guests.plans.values()
    assert plan.status is PlanStatus.PLANNED
    assert plan.error == "cloud_connection_failed"
    stored = hass_storage[_book_key(mock_config_entry)]["data"]["plans"]
    (intent,) = [p["intent"] for p in stored.values()]
    assert intent["code"] == made.code

    await _restart(hass, mock_config_entry)
    (plan,) = mock_config_entry.runtime_data.guests.plans.values()
    assert (plan.status, plan.passcode_id, plan.code) == (
        PlanStatus.CREATED,
        made.passcode_id,
        made.code,
    )
    assert plan.intent is None
    assert fake_cloud.requests[ADD] == 1
    assert len(guest_codes(front, demo_ids)) == 1


async def test_code_deleted_elsewhere_is_made_again_with_its_digits(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    """Deleted in the TTLock app: noticed on the weekly look, made again, same digits."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    await go(hass, frozen, DUE)
    (made,) = guest_codes(front, demo_ids)
    reads = fake_cloud.requests[LIST]
    del front.passcodes[made.passcode_id]
    await go(hass, frozen, DUE + timedelta(days=3))
    assert guest_codes(front, demo_ids) == []  # not looked yet: a read a week
    assert fake_cloud.requests[LIST] == reads
    await go(hass, frozen, DUE + timedelta(days=7))
    (again,) = guest_codes(front, demo_ids)
    assert again.code == made.code
    assert again.passcode_id != made.passcode_id
    assert [e.data.get("reason") for e in events if e.event_type == EVENT_GUEST_CODE_CREATED] == [
        None,
        "vanished",
    ]
    (plan,) = mock_config_entry.runtime_data.guests.plans.values()
    assert (plan.status, plan.passcode_id) == (PlanStatus.CREATED, again.passcode_id)


async def test_code_checked_before_arrival(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """A code deleted on the day of arrival is back three hours before check-in."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [front])
    await go(hass, frozen, START - timedelta(hours=5))
    (made,) = guest_codes(front, demo_ids)
    del front.passcodes[made.passcode_id]
    await go(hass, frozen, START - timedelta(hours=3))
    (again,) = guest_codes(front, demo_ids)
    assert again.code == made.code


async def test_quota_failure_retried_when_the_allowance_frees_up(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
    events: list[Event],
) -> None:
    """Failed on the passcode quota; the host says the account is unlimited: made at once."""
    frozen.move_to(datetime(2026, 6, 20, 10, 20, tzinfo=UTC))
    for index in range(5):
        start = datetime(2026, 6, 21 + index, 18, 0, tzinfo=UTC)
        stays.add(f"s{index}", start, start + timedelta(hours=20), f"Stay {index}")
    await setup_bound(hass, mock_config_entry, [front], days_before=14)
    failed = [e.data["guest"] for e in events if e.event_type == EVENT_GUEST_CODE_FAILED]
    assert failed == ["Stay 4"]
    issues = ir.async_get(hass).issues.values()
    assert [i.translation_key for i in issues].count("guest_code_failed") == 1

    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_PASSCODE_QUOTA_LIMITED: False},
    )
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert "Stay 4" in [guest_name(c) for c in guest_codes(front, demo_ids)]
    assert events[-1].event_type == EVENT_GUEST_CODE_CREATED
    assert events[-1].data["guest"] == "Stay 4"
    issues = ir.async_get(hass).issues.values()
    assert "guest_code_failed" not in [i.translation_key for i in issues]


async def test_left_code_resolved_once_removed_at_the_lock(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """A cancelled stay's offline code is reported until the host removes it at the lock."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    await setup_bound(hass, mock_config_entry, [garage])
    await go(hass, frozen, DUE)
    (made,) = guest_codes(garage, demo_ids)
    stays.cancel("a")
    await go(hass, frozen, DUE + timedelta(minutes=15))
    registry = ir.async_get(hass)
    issue_id = (
        f"guest_code_left_on_lock_{mock_config_entry.entry_id}_{garage.lock_id}_{made.passcode_id}"
    )
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["reason"] == "cancelled"
    # Still there after a restart (the book keeps it).
    await _restart(hass, mock_config_entry)
    assert registry.async_get_issue(DOMAIN, issue_id) is not None
    # Removed with the TTLock app at the door: the weekly look sees it gone.
    del garage.passcodes[made.passcode_id]
    await go(hass, frozen, DUE + timedelta(days=3))
    assert registry.async_get_issue(DOMAIN, issue_id) is not None  # not looked yet
    await go(hass, frozen, DUE + timedelta(days=7, minutes=15))
    assert registry.async_get_issue(DOMAIN, issue_id) is None
    (plan,) = mock_config_entry.runtime_data.guests.plans.values()
    assert plan.status is PlanStatus.REVOKED


async def test_older_versions_guest_records_are_taken_over(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """A code an older version made by the action is the stay's: asked again, returned."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    old = fake_cloud.add_passcode(
        front,
        "739261",
        name="Adams",
        type_=3,
        start=START - timedelta(minutes=30),
        end=START + timedelta(days=2, minutes=30),
    )
    key = f"{DOMAIN}.passcodes.{mock_config_entry.entry_id}"
    record = {
        "lock_id": front.lock_id,
        "passcode_id": old.passcode_id,
        "kind": "custom",
        "offline": False,
        "valid_from": (START - timedelta(minutes=30)).isoformat(),
        "valid_to": (START + timedelta(days=2, minutes=30)).isoformat(),
    }
    hass_storage[key] = {
        "key": key,
        "version": 1,
        "minor_version": 1,
        "data": {"quota": {}, "guests": {f"{CALENDAR}|a|{front.lock_id}": record}},
    }
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    result = await guest_action(hass, {"event_uid": "a"})
    assert (result["reused"], result["code"]) == (True, "739261")
    assert fake_cloud.requests[ADD] == 0
    assert "guests" not in hass_storage[key]["data"]


async def test_two_stays_with_the_same_hours_get_their_own_offline_codes(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    stays: StaysCalendar,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """The cloud keeps one timed code per period: the second stay's starts an hour earlier."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    stays.add("b", START, START + timedelta(days=2), "Brown")
    await setup_bound(hass, mock_config_entry, [garage])
    await go(hass, frozen, DUE)
    codes = guest_codes(garage, demo_ids)
    assert sorted(guest_name(c) for c in codes) == ["Adams", "Brown"]
    assert len({c.passcode_id for c in codes}) == 2
    assert len({c.code for c in codes}) == 2
    assert sorted(c.start_ms for c in codes)[1] - sorted(c.start_ms for c in codes)[0] == 3_600_000
    plans = mock_config_entry.runtime_data.guests.plans.values()
    assert {p.passcode_id for p in plans} == {c.passcode_id for c in codes}


async def test_a_stays_duplicate_codes_are_removed_or_reported(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    garage: FakeLock,
    demo_ids: set[int],
) -> None:
    """Two codes of one stay on a lock (an older version's crash): one kept, one gone."""
    stays.add("a", START, START + timedelta(days=2), "Adams")
    name = f"Adams #{stay_tag(CALENDAR, 'a')}"
    window = {"start": START - timedelta(minutes=30), "end": START + timedelta(days=2, hours=1)}
    for code in ("380164", "519273"):
        fake_cloud.add_passcode(front, code, name=name, type_=3, **window)
    for code in ("48213377", "59302168"):
        fake_cloud.add_passcode(garage, code, name=name, type_=3, custom=False, **window)
    frozen.move_to(DUE)
    await setup_bound(hass, mock_config_entry, [front, garage])
    assert len(guest_codes(front, demo_ids)) == 1  # the other deleted through the gateway
    assert len(guest_codes(garage, demo_ids)) == 2  # the other cannot be: reported
    assert fake_cloud.requests[ADD] + fake_cloud.requests[GET] == 0
    issues = [
        i
        for i in ir.async_get(hass).issues.values()
        if i.translation_key == "guest_code_left_on_lock"
    ]
    assert [i.translation_placeholders["reason"] for i in issues] == ["duplicate"]  # type: ignore[index]


async def test_action_in_doubt_is_settled_and_returned(
    hass: HomeAssistant,
    *,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    demo_ids: set[int],
) -> None:
    """The action's add is carried out but its answer lost: the call fails, nothing repeats.

    The stay keeps its intent; the next pass finds the code and books it, and the action
    asked again returns that code without a second add.
    """
    stays.add("a", START, START + timedelta(days=2), "Adams")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    fake_cloud.fail_next(ADD, after_commit=True, disconnect=True)
    fake_cloud.fail_next(LIST, http_status=503, after=1)
    with pytest.raises(HomeAssistantError) as err:
        await guest_action(hass, {"event_uid": "a"})
    assert err.value.translation_key == "cloud_connection_failed"
    (made,) = guest_codes(front, demo_ids)
    (plan,) = mock_config_entry.runtime_data.guests.plans.values()
    assert plan.intent is not None
    await go(hass, frozen, NOW + timedelta(minutes=15))
    assert (plan.status, plan.passcode_id) == (PlanStatus.CREATED, made.passcode_id)
    result = await guest_action(hass, {"event_uid": "a"})
    assert (result["reused"], result["code"]) == (True, made.code)
    assert fake_cloud.requests[ADD] == 1
