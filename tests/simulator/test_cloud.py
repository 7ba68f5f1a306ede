"""The fake cloud's wire behaviour: auth, paging, faults, gateway and passcode rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
import time

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.ttlock_access.api.const import ERR_PASSCODE_QUOTA
from simulator import FakeTTLockCloud

from .raw_api import RawApi

HOUR_MS = 3_600_000


@pytest.fixture
async def api(cloud_url: str) -> AsyncGenerator[RawApi]:
    """A logged-in raw client of the fake cloud."""
    async with aiohttp.ClientSession() as session:
        raw = RawApi(session, cloud_url)
        await raw.login()
        yield raw


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def _lock_ids(api: RawApi) -> list[int]:
    answer = await api.call("/v3/lock/list", pageNo=1, pageSize=100)
    return [item["lockId"] for item in answer["list"]]


async def test_login_refresh_and_token_errors(api: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    first = await api.login(client_id="sim-client-id")  # snake_case spelling too
    assert first["uid"] > 0
    assert first["access_token"] == api.token  # a valid token is handed out again
    assert 7_775_000 < first["expires_in"] <= 7_776_000
    assert (await api.login("wrong"))["errcode"] == 10007
    assert (await api.post("/oauth2/token", {"client_id": "x"}))["errcode"] == 10000
    not_md5 = {"clientId": "sim-client-id", "clientSecret": "sim-client-secret"}
    not_md5 |= {"username": "demo@example.com", "password": "plain"}
    assert (await api.post("/oauth2/token", not_md5))["errcode"] == 30005

    fake_cloud.expire_tokens()
    assert (await api.call("/v3/lock/list"))["errcode"] == 10004
    refresh = {"clientId": "sim-client-id", "clientSecret": "sim-client-secret"}
    refresh |= {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    renewed = await api.post("/oauth2/token", refresh)
    assert renewed["refresh_token"] == first["refresh_token"]
    assert "uid" not in renewed
    api.token = renewed["access_token"]
    assert (await api.call("/v3/lock/list"))["total"] == 3
    refresh["refresh_token"] = "0" * 32
    assert (await api.post("/oauth2/token", refresh))["errcode"] == 10011

    api.token = "not-a-token"
    assert (await api.call("/v3/lock/list"))["errcode"] == 10003
    api.token = renewed["access_token"]
    stale = {"date": int(time.time() * 1000) - 6 * 60_000}
    assert (await api.call("/v3/lock/list", **stale))["errcode"] == 80000
    assert (await api.call("/v3/lock/detail"))["errcode"] == -3
    assert (await api.call("/v3/lock/detail", lockId=1))["errcode"] == -1003


async def test_lock_list_paging_and_get(api: RawApi, cloud_url: str) -> None:
    page = await api.call("/v3/lock/list", pageNo=2, pageSize=2)
    assert (page["pageNo"], page["pageSize"], page["pages"], page["total"]) == (2, 2, 2, 3)
    assert [item["lockAlias"] for item in page["list"]] == ["Garage"]
    capped = await api.call("/v3/lock/list", pageNo=1, pageSize=5000)
    assert capped["pageSize"] == 1000
    front = capped["list"][0]
    features = int(front["featureValue"], 16)
    assert all(features >> bit & 1 for bit in (0, 1, 2, 8, 10, 22))
    assert front["hasGateway"] == 1

    query = {"clientId": "sim-client-id", "accessToken": api.token}
    query |= {"date": str(int(time.time() * 1000)), "pageNo": "1", "pageSize": "20"}
    async with api.session.get(cloud_url + "/v3/gateway/list", params=query) as response:
        gateways = await response.json()
    assert gateways["list"][0]["gatewayName"] == "Hallway gateway"
    meters = await api.call("/v3/electricMeter/list", pageNo=1, pageSize=50)
    assert meters["list"][0]["totalKwh"] == "1234.50"


async def test_injected_faults(api: RawApi, fake_cloud: FakeTTLockCloud, cloud_url: str) -> None:
    fake_cloud.fail_next("/v3/lock/list", errcode=90000)
    assert (await api.call("/v3/lock/list"))["errcode"] == 90000
    assert (await api.call("/v3/lock/list"))["total"] == 3

    fake_cloud.fail_next("*", http_status=502)
    async with api.session.post(cloud_url + "/v3/lock/list") as response:
        assert response.status == 502
    fake_cloud.fail_next("/v3/lock/list", malformed=True)
    async with api.session.post(cloud_url + "/v3/lock/list") as response:
        with pytest.raises(ValueError, match="Expecting"):
            await response.json()

    fake_cloud.set_rate_limit(1)
    assert (await api.call("/v3/lock/list"))["total"] == 3
    assert (await api.call("/v3/lock/list"))["errcode"] == 30006
    assert fake_cloud.requests["/v3/lock/list"] == 6


async def test_gateway_reachability(
    api: RawApi, fake_cloud: FakeTTLockCloud, freezer: FrozenDateTimeFactory
) -> None:
    front, _back, garage = await _lock_ids(api)
    assert (await api.call("/v3/lock/unlock", lockId=front))["errcode"] == 0
    assert (await api.call("/v3/lock/queryOpenState", lockId=front))["state"] == 1
    records = await api.call("/v3/lockRecord/list", lockId=front, pageNo=1, pageSize=1)
    assert records["list"][0]["recordType"] == 12
    assert (await api.call("/v3/lock/unlock", lockId=garage))["errcode"] == -2012

    gateway_id = next(iter(fake_cloud.gateways))
    fake_cloud.set_gateway_online(gateway_id, False)
    assert (await api.call("/v3/lock/lock", lockId=front))["errcode"] == -3002
    freezer.tick(timedelta(minutes=31))  # the cloud forgets the links after 30 minutes
    assert (await api.call("/v3/lock/lock", lockId=front))["errcode"] == -2012
    listed = await api.call("/v3/lock/list", pageNo=1, pageSize=20)
    assert listed["list"][0]["hasGateway"] == 0


async def test_passcode_rules(api: RawApi) -> None:
    front = (await _lock_ids(api))[0]
    start = _ms(datetime.now(UTC) + timedelta(days=2))
    period = {"lockId": front, "keyboardPwdType": 3, "startDate": start + 1234}
    period["endDate"] = start + 5 * HOUR_MS
    first = await api.call("/v3/keyboardPwd/get", **period)
    assert 7 <= len(first["keyboardPwd"]) <= 9
    assert await api.call("/v3/keyboardPwd/get", **period) == first  # one code per period
    delete = {"lockId": front, "keyboardPwdId": first["keyboardPwdId"], "deleteType": 2}
    assert (await api.call("/v3/keyboardPwd/delete", **delete))["errcode"] == 0
    assert (await api.call("/v3/keyboardPwd/get", **period))["errcode"] == -1026
    assert (await api.call("/v3/keyboardPwd/delete", **delete))["errcode"] == -2009

    add = {"lockId": front, "keyboardPwdName": "Bob", "addType": 2, "keyboardPwdType": 2}
    assert (await api.call("/v3/keyboardPwd/add", keyboardPwd="123", **add))["errcode"] == -3006
    assert (await api.call("/v3/keyboardPwd/add", keyboardPwd="4321", **add))["errcode"] == -2032
    assert (await api.call("/v3/keyboardPwd/add", keyboardPwd="2749", **add))["errcode"] == -3007
    created = await api.call("/v3/keyboardPwd/add", keyboardPwd="58213", **add)
    change = {"lockId": front, "keyboardPwdId": created["keyboardPwdId"], "changeType": 2}
    await api.call("/v3/keyboardPwd/change", startDate=start, **change)  # one date: no change
    await api.call("/v3/keyboardPwd/change", keyboardPwdName="Robert", **change)
    listed = await api.call("/v3/lock/listKeyboardPwd", lockId=front, pageNo=1, pageSize=200)
    mine = next(p for p in listed["list"] if p["keyboardPwdId"] == created["keyboardPwdId"])
    assert (mine["keyboardPwdName"], mine["keyboardPwdType"], mine["startDate"]) == ("Robert", 2, 0)


@pytest.mark.freeze_time("2026-05-20 10:00:00+00:00")
async def test_passcode_quota_resets_each_month(
    api: RawApi, fake_cloud: FakeTTLockCloud, freezer: FrozenDateTimeFactory
) -> None:
    account = fake_cloud.account_by_username("demo@example.com")
    old = fake_cloud.add_lock(account, name="Old", added=datetime(2026, 3, 1, tzinfo=UTC))
    new = fake_cloud.add_lock(account, name="New", added=datetime(2026, 5, 10, tzinfo=UTC))

    async def offline(lock_id: int, kind: int, day: int) -> int:
        start = _ms(datetime.now(UTC).replace(minute=0) + timedelta(days=day))
        answer = await api.call(
            "/v3/keyboardPwd/get",
            lockId=lock_id,
            keyboardPwdType=kind,
            startDate=start,
            endDate=start + HOUR_MS,
        )
        return int(answer.get("errcode", 0))

    assert [await offline(old.lock_id, 3, day) for day in range(6)] == [0] * 5 + [
        ERR_PASSCODE_QUOTA
    ]
    assert await offline(old.lock_id, 1, 0) == 0  # one-time codes do not count
    assert [await offline(new.lock_id, 3, day) for day in range(8)] == [0] * 8  # first month
    freezer.move_to("2026-05-31 23:59:00+00:00")
    assert await offline(old.lock_id, 2, 0) == ERR_PASSCODE_QUOTA
    freezer.move_to("2026-06-01 00:01:00+00:00")
    assert await offline(old.lock_id, 2, 0) == 0


async def test_concurrent_relay_gets_gateway_busy(api: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    fake_cloud.relay_delay = 0.2
    front, back, _garage = await _lock_ids(api)
    answers = await asyncio.gather(
        api.call("/v3/lock/unlock", lockId=front), api.call("/v3/lock/unlock", lockId=back)
    )
    assert sorted(answer["errcode"] for answer in answers) == [-3003, 0]
