"""Push callbacks of TTLock Access through the entry's webhook."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
import sys
from types import ModuleType
from unittest.mock import AsyncMock, MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ttlock_access.api import LockState
from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.webhook import async_webhook_url
from simulator.cloud import FakeTTLockCloud
from tests.cloud_push import newest_record_callback, push_newest_record
from tests.timing import tick, until_lock_read

from .conftest import WEBHOOK_ID
from .test_init import lock_named

URL = f"/api/webhook/{WEBHOOK_ID}"


def records_form(lock_id: int, *records: dict[str, object]) -> dict[str, str]:
    """A notifyType 1 callback."""
    return {"notifyType": "1", "lockId": str(lock_id), "records": json.dumps(list(records))}


async def test_lock_records_pushed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push makes one read of the lock; what the cloud lists fires the event."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    pushes = init_integration.runtime_data.pushes
    fake_cloud.set_battery(front.lock_id, 77)
    fake_cloud.add_record(front, 4, username="Cleaner", code="2749")
    fake_cloud.reset_requests()
    response = await client.post(URL, data=newest_record_callback(front))
    assert response.status == 200
    assert await response.text() == "success"
    await hass.async_block_till_done()
    assert fake_cloud.requests["/v3/lockRecord/list"] == 1  # the confirmation
    event = hass.states.get("event.front_door_operation")
    assert event.attributes["event_type"] == "passcode"
    assert event.attributes["user"] == "Cleaner"
    assert "2749" not in str(event.attributes)
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert hass.states.get("sensor.front_door_battery").state == "77"
    assert init_integration.runtime_data.allowance.pushed(front.lock_id)
    assert pushes.as_dict() | {"pool": 0, "reads_per_day": 0} == {
        "refused": 0,
        "ignored": 0,
        "pushed": 1,
        "confirmed": 1,
        "unconfirmed": 0,
        "reads": 1,
        "waiting": 0,
        "pool": 0,
        "reads_per_day": 0,
    }

    first = event.state
    await client.post(URL, data=newest_record_callback(front))
    await hass.async_block_till_done()
    assert hass.states.get("event.front_door_operation").state == first


async def test_forged_pushes_change_nothing_and_cost_little(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A record the cloud does not have fires nothing, and a flood buys few reads.

    Nor does it make the lock count as pushed (which would stop its polling).
    """
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    data = init_integration.runtime_data
    before = {
        entity: hass.states.get(entity).state  # type: ignore[union-attr]
        for entity in ("lock.front_door", "sensor.front_door_battery", "event.front_door_operation")
    }
    fake_cloud.reset_requests()
    for _ in range(6 * 60):  # one forged push every 10 s for an hour
        await client.post(URL, data=records_form(front.lock_id, _record(electricQuantity=5)))
        await tick(hass, freezer, 10)
    after = {entity: hass.states.get(entity).state for entity in before}  # type: ignore[union-attr]
    assert after == before
    assert not data.allowance.pushed(front.lock_id)
    confirms = data.pushes.as_dict()
    assert confirms["confirmed"] == 0
    assert confirms["unconfirmed"] > 0
    assert confirms["unconfirmed"] + confirms["waiting"] == 6 * 60
    # Reads: the plan's own polls, plus a confirmation 30 s, 1, 2, 4, 8, 16 and 32 min on.
    assert confirms["reads"] <= 8
    polls = 3600 / data.allowance.plan.per_lock[front.lock_id].total_seconds()
    assert fake_cloud.requests["/v3/lockRecord/list"] <= confirms["reads"] + polls + 3


async def test_push_for_a_lock_that_cannot_push_is_ignored(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cloud pushes only for gateway and Wi-Fi locks: a Bluetooth one costs nothing."""
    caplog.set_level(logging.DEBUG)
    client = await hass_client_no_auth()
    garage = lock_named(fake_cloud, "Garage")
    fake_cloud.add_record(garage, 12)
    fake_cloud.reset_requests()
    response = await client.post(URL, data=newest_record_callback(garage))
    assert await response.text() == "success"
    await hass.async_block_till_done()
    assert fake_cloud.requests["/v3/lockRecord/list"] == 0
    assert "not on this account" in caplog.text
    assert init_integration.runtime_data.pushes.as_dict()["ignored"] == 1


async def test_unknown_ids_and_malformed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Callbacks about foreign devices are answered but ignored; garbage is refused."""
    client = await hass_client_no_auth()
    response = await client.post(URL, data=records_form(999, {"recordType": 1}))
    assert await response.text() == "success"
    for form in (
        {"notifyType": "2", "gatewayId": "999", "isOnline": "0"},
        {"notifyType": "3", "lockId": "999", "isOnline": "0"},
        {"notifyType": "4", "lockId": "999", "objectType": "2", "objectId": "1", "errcode": "-3"},
        {"notifyType": "7", "doorSensorId": "5", "recordType": "1"},
    ):
        response = await client.post(URL, data=form)
        assert await response.text() == "success"
    response = await client.post(URL, data={"notifyType": "1", "lockId": "1", "records": "{"})
    assert response.status == 400
    response = await client.post(URL, data={"hello": "world"})
    assert response.status == 400


async def test_gateway_and_lock_status_pushed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Online changes apply once the cloud confirms them; a false one changes nothing."""
    client = await hass_client_no_auth()
    allowance = init_integration.runtime_data.allowance
    gateway_id = next(iter(fake_cloud.gateways))
    front = lock_named(fake_cloud, "Front door")
    offline = {"notifyType": "2", "gatewayId": str(gateway_id), "isOnline": "0"}
    await client.post(URL, data=offline)  # the cloud still lists it online
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert not allowance.gateways_pushed

    fake_cloud.set_gateway_online(gateway_id, False)
    await client.post(URL, data=offline)
    await tick(hass, freezer, 30)  # reads wait 30 s after one that confirmed nothing
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "off"
    assert hass.states.get("lock.front_door").state == "unavailable"
    assert allowance.gateways_pushed
    fake_cloud.set_gateway_online(gateway_id, True)
    fake_cloud.reset_requests()
    await client.post(URL, data={"notifyType": "2", "gatewayId": str(gateway_id), "isOnline": "1"})
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert hass.states.get("lock.front_door").state == "locked"
    assert fake_cloud.requests["/v3/lockRecord/list"] >= 1  # what it did while away

    lock_offline = {"notifyType": "3", "lockId": str(front.lock_id), "isOnline": "0"}
    await client.post(URL, data=lock_offline)  # the cloud still reaches it
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == "locked"
    fake_cloud.set_gateway_online(gateway_id, False)
    fake_cloud.set_lock_state(front.lock_id, 0)
    await client.post(URL, data=lock_offline)
    await tick(hass, freezer, 30)
    assert hass.states.get("lock.front_door").state == "unavailable"
    form = {
        "notifyType": "4",
        "lockId": str(front.lock_id),
        "objectType": "2",
        "objectId": "1",
        "errcode": "-3",
    }
    assert await (await client.post(URL, data=form)).text() == "success"


async def test_webhook_url_variants(hass: HomeAssistant) -> None:
    """No URL without a configured address; a cloudhook with Home Assistant Cloud."""
    with patch("homeassistant.components.webhook.get_url", side_effect=NoURLAvailableError):
        assert await async_webhook_url(hass, "abc") is None
    cloud = ModuleType("homeassistant.components.cloud")
    cloud.async_active_subscription = MagicMock(return_value=True)  # type: ignore[attr-defined]
    cloud.async_get_or_create_cloudhook = AsyncMock(return_value="https://hook")  # type: ignore[attr-defined]
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": cloud}):
        assert await async_webhook_url(hass, "abc") == "https://hook"


async def test_remove_entry_deletes_cloudhook(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Removing the entry drops its cloudhook."""
    cloud = ModuleType("homeassistant.components.cloud")
    cloud.async_active_subscription = MagicMock(return_value=True)  # type: ignore[attr-defined]
    cloud.async_delete_cloudhook = AsyncMock(side_effect=ValueError)  # type: ignore[attr-defined]
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": cloud}):
        await hass.config_entries.async_remove(init_integration.entry_id)
        await hass.async_block_till_done()
    cloud.async_delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)


async def test_push_spares_per_lock_polling(  # noqa: PLR0917
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Once the cloud pushes, remote locks cost a safety read every 6 h, not a poll.

    A safety read that finds a record no push brought puts the lock back to polling.
    """
    client = await hass_client_no_auth()
    allowance = init_integration.runtime_data.allowance
    locks = init_integration.runtime_data.locks
    front = lock_named(fake_cloud, "Front door")
    back = lock_named(fake_cloud, "Back door")
    push_issue = (DOMAIN, f"push_missing_{init_integration.entry_id}")
    polled_every = allowance.plan.per_lock[front.lock_id]
    assert polled_every < timedelta(hours=1)
    # A day to set push up after adding the account, then the user is told what it costs.
    assert issue_registry.async_get_issue(*push_issue) is None
    await tick(hass, freezer, 86400)
    issue = issue_registry.async_get_issue(*push_issue)
    assert issue is not None
    assert issue.translation_placeholders["polled"] == "2"
    assert issue.translation_placeholders["webhook_url"].endswith(f"/api/webhook/{WEBHOOK_ID}")
    assert int(issue.translation_placeholders["polled_calls"]) > int(
        issue.translation_placeholders["pushed_calls"]
    )

    fake_cloud.add_record(front, 12)
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == "unlocked"  # from the pushed record
    read_at = locks.read_at(front.lock_id)
    fake_cloud.reset_requests()
    await tick(hass, freezer, 3 * 3600)
    # The back door had no push yet, but pushes reach the account: it is not polled either.
    assert allowance.pushed(front.lock_id)
    assert allowance.pushed(back.lock_id)
    assert locks.read_at(front.lock_id) == read_at
    assert fake_cloud.requests["/v3/lock/queryOpenState"] == 0
    assert allowance.plan.per_lock[front.lock_id] == timedelta(hours=6)
    assert issue_registry.async_get_issue(*push_issue) is None

    fake_cloud.set_lock_state(front.lock_id, 0)  # a push that never arrived
    await until_lock_read(hass, freezer, init_integration, front.lock_id)
    assert hass.states.get("lock.front_door").state == "locked"
    assert not allowance.pushed(front.lock_id)  # polled again, and the user is told
    assert allowance.plan.per_lock[front.lock_id] < timedelta(hours=1)
    assert issue_registry.async_get_issue(*push_issue) is not None

    fake_cloud.add_record(front, 12)
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    assert allowance.pushed(front.lock_id)


async def test_busy_pushes_do_not_hold_off_the_reads(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock pushing every few minutes does not postpone the other reads."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.reset_requests()
    for minute in range(0, 3 * 60, 10):
        fake_cloud.add_record(front, 12 if minute % 20 else 47)
        await push_newest_record(client, WEBHOOK_ID, front)
        await tick(hass, freezer, 600)
    # Hourly, as planned, although a push came every 10 minutes.
    assert fake_cloud.requests["/v3/lock/list"] >= 2
    confirmations = init_integration.runtime_data.pushes.as_dict()
    assert confirmations["unconfirmed"] == 0  # each one found (or still waiting for a read)
    assert confirmations["confirmed"] + confirmations["waiting"] == 18
    assert fake_cloud.requests["/v3/lockRecord/list"] >= 1  # the Bluetooth-only garage


def _record(**overrides: object) -> dict[str, object]:
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    return {
        "recordType": 7,
        "success": 1,
        "username": "Forger",
        "lockDate": now_ms + 1000,
        "serverDate": now_ms + 2000,
        "electricQuantity": 60,
    } | overrides


async def test_hostile_bodies_change_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Impossible values, odd JSON and huge bodies: refused, nothing moves, no traceback."""
    caplog.set_level(logging.DEBUG)
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    before = {
        entity: hass.states.get(entity).state  # type: ignore[union-attr]
        for entity in ("lock.front_door", "sensor.front_door_battery", "event.front_door_operation")
    }
    lock_id = str(front.lock_id)
    bodies: list[dict[str, str] | str | bytes] = [
        records_form(front.lock_id, _record(electricQuantity=250)),
        records_form(front.lock_id, _record(electricQuantity=-20)),
        records_form(front.lock_id, _record(lockDate=float("inf"))),
        {"notifyType": "1", "lockId": lock_id, "records": '[{"recordType": 1e400}]'},
        {"notifyType": "1", "lockId": lock_id, "records": '[{"recordType": NaN}]'},
        {"notifyType": "1", "lockId": lock_id, "records": '[{"recordType": {"a": [1]}}]'},
        {"notifyType": "1", "lockId": lock_id, "records": "[[1, 2]]"},
        {"notifyType": "1", "lockId": lock_id, "records": json.dumps([_record()] * 101)},
        records_form(front.lock_id, _record(username={"nested": "object"})),
        records_form(front.lock_id, _record(success=7)),
        {"notifyType": "1e400", "lockId": lock_id},
        {"notifyType": "1", "lockId": "-5", "records": "[]"},
        {"notifyType": "2", "gatewayId": "1", "isOnline": "5"},
        "%ff%fe=%00",  # not UTF-8
        "a=1&" * 100,  # too many fields
        b"notifyType=1&lockId=" + lock_id.encode() + b"&records=" + b"x" * (70 * 1024),
    ]
    for body in bodies:
        response = await client.post(URL, data=body)
        assert response.status in (400, 413), body if isinstance(body, dict) else len(body)
    await hass.async_block_till_done()
    after = {entity: hass.states.get(entity).state for entity in before}  # type: ignore[union-attr]
    assert after == before
    assert [r for r in caplog.records if r.exc_info] == []
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert init_integration.runtime_data.pushes.as_dict()["refused"] == len(bodies)
    assert ours  # each refusal is logged at debug ...
    assert not any(WEBHOOK_ID in message for message in ours)  # ... without the webhook id


async def test_future_record_moves_no_watermark(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A record dated a year ahead is not believed, and real records still arrive."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    year = 365 * 24 * 3600 * 1000
    forged = _record(
        lockDate=_record()["lockDate"] + year, serverDate=_record()["serverDate"] + year
    )  # type: ignore[operator]
    await client.post(URL, data=records_form(front.lock_id, forged))
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == "locked"
    fake_cloud.add_record(front, 7)
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    # The lock's reads wait 30 s after one that confirmed nothing: the next one tells.
    assert hass.states.get("lock.front_door").state == "locked"
    await tick(hass, freezer, 30)
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_many_bad_bodies_are_rate_limited(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After 20 bad bodies in a minute the endpoint answers 429, good ones too, for a minute."""
    client = await hass_client_no_auth()
    statuses = [(await client.post(URL, data={"notifyType": "x"})).status for _ in range(22)]
    assert statuses[:21] == [400] * 21
    assert statuses[21] == 429
    good = {"notifyType": "3", "lockId": "999", "isOnline": "1"}
    assert (await client.post(URL, data=good)).status == 429


async def test_push_during_a_poll_is_not_overwritten(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A record pushed while the lock's records are being read outlives the older read."""
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    locks = init_integration.runtime_data.locks
    assert hass.states.get("lock.front_door").state == "locked"  # type: ignore[union-attr]
    fake_cloud.fail_next("/v3/lockRecord/list", delay=0.5, count=3)
    locks.async_read_soon([front.lock_id])
    refresh = hass.async_create_task(locks.async_refresh())
    await asyncio.sleep(0.2)  # the read is on its way
    fake_cloud.add_record(front, 7)
    await push_newest_record(client, WEBHOOK_ID, front)
    await refresh
    await hass.async_block_till_done()
    assert locks.data[front.lock_id].state is LockState.UNLOCKED
    assert hass.states.get("lock.front_door").state == "unlocked"  # type: ignore[union-attr]


async def test_push_while_another_lock_is_read_is_kept(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A lock whose turn in a cycle is over keeps a push that comes while others are read."""
    client = await hass_client_no_auth()
    locks = init_integration.runtime_data.locks
    first, *others = list(locks.data)  # the order of each cycle
    slow = next(lock_id for lock_id in others if locks.data[lock_id].lock.is_remote)
    fake_cloud.fail_next("/v3/lockRecord/list", delay=0.5, count=3)
    locks.async_read_soon([slow])  # only the later lock is read; the first's turn is quick
    refresh = hass.async_create_task(locks.async_refresh())
    await asyncio.sleep(0.2)
    fake_cloud.add_record(fake_cloud.locks[first], 7)
    await push_newest_record(client, WEBHOOK_ID, fake_cloud.locks[first])
    await refresh
    await hass.async_block_till_done()
    assert locks.data[first].state is LockState.UNLOCKED


async def test_a_push_the_pool_cannot_pay_waits_for_the_next_plan(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With the pool spent and no rate yet, a push is read once a plan pays for it.

    The plan that counts the lock as pushed fills the pool, and the waiting push is read
    as soon as a read is paid (not left to the lock's next safety read).
    """
    client = await hass_client_no_auth()
    front = lock_named(fake_cloud, "Front door")
    pushes = init_integration.runtime_data.pushes
    while pushes.as_dict()["pool"] >= 1:
        fake_cloud.add_record(front, 12)
        await push_newest_record(client, WEBHOOK_ID, front)
        await hass.async_block_till_done()
    fake_cloud.add_record(front, 47)  # locked by the button: waits for a paid read
    await push_newest_record(client, WEBHOOK_ID, front)
    await hass.async_block_till_done()
    assert pushes.as_dict()["waiting"] == 1
    assert hass.states.get("lock.front_door").state == "unlocked"
    # The lock counts as pushed now: the next plan pays for confirmations.
    await init_integration.runtime_data.locks.async_refresh()
    await hass.async_block_till_done()
    rate = pushes.as_dict()["reads_per_day"]
    assert rate > 0
    waited = 0
    while hass.states.get("lock.front_door").state != "locked":
        await tick(hass, freezer, 300)
        waited += 300
        assert waited <= 86400 / rate + 600, "not read when the pool paid for it"
    assert pushes.as_dict()["confirmed"] == pushes.as_dict()["pushed"]
