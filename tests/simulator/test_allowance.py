"""The developer application's monthly API call allowance (30007) and its month count."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import hashlib
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from simulator import FakeTTLockCloud
from simulator.demo import CLIENT_ID, CLIENT_SECRET
from simulator.errors import MESSAGES

from .process import get_json, post_form, run_simulator
from .raw_api import RawApi

COUNT_PATH = "/app/getMonthRequestCount"
CREDENTIALS = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}


@pytest.fixture
async def raw(cloud_url: str) -> AsyncGenerator[RawApi]:
    """A raw client of the fake cloud that has not logged in yet."""
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, cloud_url)


async def _count(raw: RawApi, **extra: str) -> dict[str, Any]:
    return await raw.post(COUNT_PATH, CREDENTIALS | extra)


async def _control(raw: RawApi, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with raw.session.post(raw.url + "/_sim/allowance", json=body) as response:
        return response.status, await response.json()


async def _allowance(raw: RawApi) -> dict[str, Any]:
    async with raw.session.get(raw.url + "/_sim/allowance") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


async def test_every_api_request_counts(raw: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    assert fake_cloud.monthly_allowance is None  # unlimited by default
    assert fake_cloud.month_requests == 0
    await raw.login()
    assert fake_cloud.month_requests == 1
    assert (await raw.call("/v3/lock/list", pageNo=1, pageSize=20))["total"] == 3
    assert (await raw.call("/v3/lock/detail"))["errcode"] == -3  # answered: counted
    assert (await raw.post("/v3/lock/list", {"accessToken": "x"}))["errcode"] == -3
    assert fake_cloud.month_requests == 4
    async with raw.session.get(raw.url + "/_sim/stats") as response:  # control: not counted
        assert response.status == 200
    fake_cloud.fail_next("/v3/lock/list", errcode=90000)  # injected: never reached the app
    assert (await raw.call("/v3/lock/list"))["errcode"] == 90000
    fake_cloud.fail_next("/v3/lock/list", delay=0.01)  # only delayed: answered, counted
    assert (await raw.call("/v3/lock/list"))["total"] == 3
    assert fake_cloud.month_requests == 5
    assert fake_cloud.requests["/v3/lock/list"] == 4


async def test_allowance_refuses_v3_calls_without_running_them(
    raw: RawApi, fake_cloud: FakeTTLockCloud
) -> None:
    fake_cloud.set_monthly_allowance(3)
    await raw.login()
    front = (await raw.call("/v3/lock/list", pageNo=1, pageSize=20))["list"][0]["lockId"]
    records = len(fake_cloud.locks[front].records)
    assert (await raw.call("/v3/lock/queryOpenState", lockId=front))["state"] == 0
    assert fake_cloud.month_requests == 3

    refused = await raw.call("/v3/lock/unlock", lockId=front)
    assert refused == {
        "errcode": 30007,
        "errmsg": MESSAGES[30007],
        "description": MESSAGES[30007],
    }
    assert fake_cloud.locks[front].state == 0  # still locked: the unlock did not run
    assert len(fake_cloud.locks[front].records) == records
    assert (await raw.call("/v3/lock/list"))["errcode"] == 30007
    assert fake_cloud.month_requests == 3  # refused requests are not counted
    assert fake_cloud.requests["/v3/lock/unlock"] == 1  # but they are requests
    assert fake_cloud.requests["/v3/lock/list"] == 2

    fake_cloud.set_rate_limit(0)  # the allowance answers before the frequency limit
    assert (await raw.call("/v3/lock/list"))["errcode"] == 30007
    fake_cloud.fail_next("*", errcode=90000)  # injected faults come first
    assert (await raw.call("/v3/lock/list"))["errcode"] == 90000

    fake_cloud.set_rate_limit(None)
    fake_cloud.set_monthly_allowance(4)
    assert (await raw.call("/v3/lock/unlock", lockId=front))["errcode"] == 0
    assert fake_cloud.locks[front].state == 1
    assert fake_cloud.month_requests == 4


async def test_allowance_refuses_the_token_route(raw: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    fake_cloud.set_monthly_allowance(0)
    assert (await raw.login())["errcode"] == 30007
    assert fake_cloud.tokens == {}  # no token issued
    assert fake_cloud.month_requests == 0
    assert fake_cloud.requests["/oauth2/token"] == 1

    fake_cloud.monthly_allowance = None  # the plain attribute works too
    answer = await raw.login()
    assert answer["access_token"] in fake_cloud.tokens
    assert fake_cloud.month_requests == 1
    fake_cloud.monthly_allowance = 1
    assert (await raw.login())["errcode"] == 30007


async def test_month_request_count_endpoint(raw: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    await raw.login()
    await raw.call("/v3/lock/list")
    assert await _count(raw) == {"monthRequestCount": 3}  # this request included
    assert await _count(raw, accessToken=raw.token, date="1") == {"monthRequestCount": 4}
    async with raw.session.get(raw.url + COUNT_PATH, params=CREDENTIALS) as response:
        assert response.status == 200
        assert await response.json() == {"monthRequestCount": 5}

    wrong_secret = await raw.post(COUNT_PATH, CREDENTIALS | {"clientSecret": "nope"})
    assert wrong_secret["errcode"] == 10001
    wrong_id = await raw.post(COUNT_PATH, CREDENTIALS | {"clientId": "nope"})
    assert wrong_id["errcode"] == 10001
    assert (await raw.post(COUNT_PATH, {"clientId": CLIENT_ID}))["errcode"] == -3
    assert (await raw.post(COUNT_PATH, {"clientSecret": CLIENT_SECRET}))["errcode"] == -3
    assert (await raw.post(COUNT_PATH, CREDENTIALS | {"clientId": ""}))["errcode"] == -3
    # The token route's snake_case spelling is not this endpoint's.
    snake = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    assert (await raw.post(COUNT_PATH, snake))["errcode"] == -3
    assert fake_cloud.month_requests == 11  # failed requests count as well
    assert await _count(raw) == {"monthRequestCount": 12}

    fake_cloud.set_monthly_allowance(12)  # the endpoint spends the allowance too
    assert (await _count(raw))["errcode"] == 30007
    assert fake_cloud.requests[COUNT_PATH] == 11


@pytest.mark.freeze_time("2026-11-30 15:58:00+00:00")
async def test_count_resets_at_the_beijing_month_boundary(
    raw: RawApi, fake_cloud: FakeTTLockCloud, freezer: FrozenDateTimeFactory
) -> None:
    fake_cloud.set_monthly_allowance(3)
    await raw.login()
    await raw.call("/v3/lock/list")
    freezer.move_to("2026-11-30 15:59:59+00:00")  # 23:59:59 on November 30th in Beijing
    assert await _count(raw) == {"monthRequestCount": 3}
    assert (await raw.call("/v3/lock/list"))["errcode"] == 30007
    assert (await _allowance(raw))["month"] == "2026-11"

    freezer.move_to("2026-11-30 16:00:00+00:00")  # midnight, December 1st, in Beijing
    assert await _allowance(raw) == {"allowance": 3, "used": 0, "month": "2026-12"}
    assert (await raw.call("/v3/lock/list"))["total"] == 3
    assert await _count(raw) == {"monthRequestCount": 2}
    freezer.move_to("2026-12-31 15:59:00+00:00")  # still December in Beijing
    assert (await raw.call("/v3/lock/list"))["total"] == 3
    assert (await raw.call("/v3/lock/list"))["errcode"] == 30007
    freezer.move_to("2027-01-31 16:00:00+00:00")  # February: a month without requests
    assert await _count(raw) == {"monthRequestCount": 1}
    assert fake_cloud.month_requests == 1


@pytest.mark.freeze_time("2026-03-31 16:30:00+00:00")  # April 1st in Beijing
async def test_set_month_requests(raw: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    # Another application of the same account already used half the allowance.
    fake_cloud.set_monthly_allowance(10)
    fake_cloud.set_month_requests(5)
    assert fake_cloud.month_requests == 5
    assert await _count(raw) == {"monthRequestCount": 6}
    await raw.login()
    answers = [await raw.call("/v3/lock/list") for _ in range(4)]
    assert [answer.get("errcode", 0) for answer in answers] == [0, 0, 0, 30007]
    assert (await _allowance(raw))["month"] == "2026-04"

    fake_cloud.set_month_requests(0)
    assert await _count(raw) == {"monthRequestCount": 1}
    with pytest.raises(ValueError, match="negative"):
        fake_cloud.set_month_requests(-1)
    with pytest.raises(ValueError, match="negative"):
        fake_cloud.set_monthly_allowance(-1)
    assert (fake_cloud.month_requests, fake_cloud.monthly_allowance) == (1, 10)


@pytest.mark.freeze_time("2026-06-30 17:00:00+00:00")  # July 1st in Beijing
async def test_control_routes(raw: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    assert await _allowance(raw) == {"allowance": None, "used": 0, "month": "2026-07"}
    assert await _control(raw, {"allowance": 4, "used": 2}) == (200, {"ok": True})
    assert (fake_cloud.monthly_allowance, fake_cloud.month_requests) == (4, 2)
    assert await _allowance(raw) == {"allowance": 4, "used": 2, "month": "2026-07"}
    assert await _count(raw) == {"monthRequestCount": 3}
    await raw.login()
    assert (await raw.call("/v3/lock/list"))["errcode"] == 30007
    assert await _allowance(raw) == {"allowance": 4, "used": 4, "month": "2026-07"}  # GET free

    assert (await _control(raw, {"used": 1}))[0] == 200  # the allowance stays
    assert await _allowance(raw) == {"allowance": 4, "used": 1, "month": "2026-07"}
    assert (await _control(raw, {"allowance": None}))[0] == 200  # unlimited; used stays
    assert await _allowance(raw) == {"allowance": None, "used": 1, "month": "2026-07"}

    for bad in ({"allowance": -1, "used": 3}, {"allowance": 2, "used": -3}, {"used": "x"}):
        status, body = await _control(raw, bad)
        assert (status, body["ok"]) == (400, False)
    assert await _allowance(raw) == {"allowance": None, "used": 1, "month": "2026-07"}

    form = {"allowance": "7", "used": "6"}  # form fields, like the other control routes
    async with raw.session.post(raw.url + "/_sim/allowance", data=form) as response:
        assert response.status == 200
    assert await _allowance(raw) == {"allowance": 7, "used": 6, "month": "2026-07"}
    async with raw.session.post(raw.url + "/_sim/allowance", data={"allowance": ""}) as response:
        assert response.status == 200
    assert fake_cloud.monthly_allowance is None


@pytest.mark.usefixtures("socket_enabled")
def test_standalone_allowance_option() -> None:
    with run_simulator("--allowance", "2") as (url, _banner):
        login = CREDENTIALS | {
            "username": "demo@example.com",
            "password": hashlib.md5(b"demo-password").hexdigest(),
        }
        token = post_form(url + "/oauth2/token", login)
        assert "access_token" in token
        assert post_form(url + COUNT_PATH, CREDENTIALS) == {"monthRequestCount": 2}
        assert post_form(url + COUNT_PATH, CREDENTIALS)["errcode"] == 30007
        state = get_json(url + "/_sim/allowance")
        assert (state["allowance"], state["used"]) == (2, 2)
