"""The /_sim control routes the README documents, driven over HTTP as a user would."""

from __future__ import annotations

from typing import Any

import aiohttp

from simulator.cloud import FakeTTLockCloud


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with session.post(url, json=body) as response:
        return response.status, await response.json()


async def test_control_routes(cloud_url: str, fake_cloud: FakeTTLockCloud) -> None:
    """Turn a lock, take a gateway offline, fail the next request, add a record."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{cloud_url}/_sim/locks") as response:
            locks = {lock["name"]: lock for lock in await response.json()}
        front = locks["Front door"]
        gateway_id = front["gateway_ids"][0]
        records = len(fake_cloud.locks[front["lock_id"]].records)

        assert await _post(
            session, f"{cloud_url}/_sim/lock_state", {"lock_id": front["lock_id"], "state": 1}
        ) == (200, {"ok": True})
        assert fake_cloud.locks[front["lock_id"]].state == 1
        assert len(fake_cloud.locks[front["lock_id"]].records) == records + 1

        await _post(
            session, f"{cloud_url}/_sim/gateway_online", {"gateway_id": gateway_id, "online": 0}
        )
        assert not fake_cloud.gateways[gateway_id].online

        await _post(
            session,
            f"{cloud_url}/_sim/record",
            {"lock_id": front["lock_id"], "record_type": 7, "username": "Card 3", "success": 0},
        )
        record = fake_cloud.locks[front["lock_id"]].records[-1]
        assert (record.record_type, record.username, record.success) == (7, "Card 3", False)

        await _post(session, f"{cloud_url}/_sim/fail_next", {"path": "/v3/lock/list", "errcode": 1})
        async with session.get(f"{cloud_url}/v3/lock/list") as response:
            assert (await response.json())["errcode"] == 1

        status, body = await _post(session, f"{cloud_url}/_sim/record", {"lock_id": 1})
        assert status == 400
        assert body["ok"] is False


async def test_keypad(cloud_url: str, fake_cloud: FakeTTLockCloud) -> None:
    """A valid code opens the lock and is named in its record; wrong ones end in a lock-out."""
    lock = next(lock for lock in fake_cloud.locks.values() if lock.alias == "Front door")
    fake_cloud.add_passcode(lock, "482913", name="Jane #abc123")
    lock.state = 0
    async with aiohttp.ClientSession() as session:
        url = f"{cloud_url}/_sim/keypad"
        assert await _post(session, url, {"lock_id": lock.lock_id, "code": "482913"}) == (
            200,
            {"ok": True},
        )
        opened = lock.records[-1]
        assert (opened.record_type, opened.success, opened.username, opened.code) == (
            4,
            True,
            "Jane #abc123",
            "482913",
        )
        assert lock.state == 1
        for _ in range(5):
            await _post(session, url, {"lock_id": lock.lock_id, "code": "111222"})
        types = [(record.record_type, record.success, record.username) for record in lock.records]
        assert types[-6:] == [(4, False, "")] * 5 + [(48, False, "")]
        status, body = await _post(session, url, {"lock_id": 999, "code": "1"})
        assert (status, body["ok"]) == (400, False)
