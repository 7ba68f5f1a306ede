"""The simulator's saved state: the whole world survives a save and a load."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import time
from typing import Any

import aiohttp
import pytest

from simulator import DEMO_USERNAME, FakeTTLockCloud
from simulator.app import build_app
from simulator.demo import CLIENT_ID, CLIENT_SECRET
from simulator.persist import from_state, load_state, save_state, to_state

from .process import get_json, post_form, run_simulator
from .raw_api import RawApi

HOUR_MS = 3_600_000
ID_KINDS = ("uid", "lock", "gateway", "passcode", "record", "credential", "meter")


@pytest.fixture
async def api(cloud_url: str) -> AsyncGenerator[RawApi]:
    """A logged-in raw client of the fake cloud."""
    async with aiohttp.ClientSession() as session:
        raw = RawApi(session, cloud_url)
        await raw.login()
        yield raw


def _world(cloud: FakeTTLockCloud) -> dict[str, Any]:
    """Every record of the cloud, field by field and in order, with the month's usage."""
    cloud.current_month()  # a month not carried over would start the count again here
    return {
        "application": (cloud.client_id, cloud.client_secret, cloud.monthly_allowance),
        "usage": (cloud.month_requests, dict(cloud.requests)),
        "accounts": [asdict(account) for account in cloud.accounts.values()],
        "tokens": [(key, asdict(token)) for key, token in cloud.tokens.items()],
        "refresh": [(key, asdict(token)) for key, token in cloud.refresh_tokens.items()],
        "gateways": [asdict(gateway) for gateway in cloud.gateways.values()],
        "locks": [asdict(lock) for lock in cloud.locks.values()],
        "meters": [asdict(meter) for meter in cloud.electric_meters.values()]
        + [asdict(meter) for meter in cloud.water_meters.values()],
    }


async def _change_everything(api: RawApi, cloud: FakeTTLockCloud) -> dict[str, Any]:
    """Use the cloud as the demo does; return the login answer (its refresh token)."""
    front, back, _garage = list(cloud.locks)
    login = await api.login()
    refresh = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    refresh |= {"grant_type": "refresh_token", "refresh_token": login["refresh_token"]}
    renewed = await api.post("/oauth2/token", refresh)  # the old access token is revoked
    api.token = renewed["access_token"]
    start = int((datetime.now(UTC) + timedelta(days=2)).timestamp() * 1000)
    period = {"lockId": front, "keyboardPwdType": 3, "startDate": start, "endDate": start + HOUR_MS}
    offline = await api.call("/v3/keyboardPwd/get", **period)
    await api.call("/v3/keyboardPwd/delete", lockId=front, keyboardPwdId=offline["keyboardPwdId"])
    added = {"lockId": back, "keyboardPwd": "58213", "keyboardPwdName": "Guest Smith"}
    assert "keyboardPwdId" in await api.call("/v3/keyboardPwd/add", **added)
    assert (await api.call("/v3/lock/unlock", lockId=front))["errcode"] == 0
    weekdays = {"lockId": front, "passageMode": 1, "weekDays": "[1, 5]", "isAllDay": 2}
    assert (await api.call("/v3/lock/configPassageMode", **weekdays))["errcode"] == 0
    meter = next(iter(cloud.electric_meters))
    assert (await api.call("/v3/electricMeter/controlOnOff", electricMeterId=meter, onOff=0))[
        "errcode"
    ] == 0
    cloud.set_gateway_online(next(iter(cloud.gateways)), False)
    cloud.set_battery(back, 12)
    cloud.set_monthly_allowance(5000)
    return login


async def test_round_trip_keeps_the_whole_world(api: RawApi, fake_cloud: FakeTTLockCloud) -> None:
    login = await _change_everything(api, fake_cloud)
    front = fake_cloud.locks[next(iter(fake_cloud.locks))]
    assert front.deleted_periods  # the changes took
    assert front.passage_weekdays == [1, 5]

    copy = from_state(json.loads(json.dumps(to_state(fake_cloud))))

    assert _world(copy) == _world(fake_cloud)
    # References point at the loaded records, as the routes' identity checks expect.
    account = copy.account_by_username(DEMO_USERNAME)
    assert all(lock.owner is account for lock in copy.locks.values())
    assert all(
        link.gateway is copy.gateways[link.gateway.gateway_id]
        for lock in copy.locks.values()
        for link in lock.links
    )
    assert copy.tokens[api.token] is copy.refresh_tokens[login["refresh_token"]]
    assert copy.tokens[login["access_token"]].revoked
    # The loaded cloud goes on as the saved one would have: same ids, same random codes.
    assert [copy.new_id(kind) for kind in ID_KINDS] == [
        fake_cloud.new_id(kind) for kind in ID_KINDS
    ]
    assert copy.hex_token() == fake_cloud.hex_token()


async def test_a_loaded_file_serves_the_saved_session(
    api: RawApi,
    fake_cloud: FakeTTLockCloud,
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[Any]],
    socket_enabled: None,
) -> None:
    login = await _change_everything(api, fake_cloud)
    path = tmp_path / "simulator.json"
    save_state(fake_cloud, path)

    loaded = load_state(path)
    server = await aiohttp_server(build_app(loaded), host="127.0.0.1", access_log=None)
    async with aiohttp.ClientSession() as session:
        again = RawApi(session, f"http://127.0.0.1:{server.port}")
        again.token = api.token  # no new login: the token Home Assistant kept still works
        back = list(loaded.locks)[1]
        codes = await again.call("/v3/lock/listKeyboardPwd", lockId=back, pageNo=1, pageSize=20)
        assert "Guest Smith" in [code["keyboardPwdName"] for code in codes["list"]]
        refresh = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
        refresh |= {"grant_type": "refresh_token", "refresh_token": login["refresh_token"]}
        assert "access_token" in await again.post("/oauth2/token", refresh)

    path.write_text(json.dumps({"format": "something else", "version": 1}))
    with pytest.raises(ValueError, match="ttlock-simulator-state"):
        load_state(path)


def _simulator(state: Path) -> AbstractContextManager[tuple[str, str]]:
    """Run ``python -m simulator --state``; its URL and banner; stopped with SIGTERM."""
    return run_simulator("--state", str(state), banner_lines=7)


def _saved_front_door(state: Path) -> dict[str, Any]:
    lock: dict[str, Any] = json.loads(state.read_text())["locks"][0]
    return lock


@pytest.mark.usefixtures("socket_enabled")
def test_command_line_keeps_the_state_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "config" / "simulator.json"
    with _simulator(state) as (url, banner):
        assert "state: the demo dataset, saved to" in banner
        assert _saved_front_door(state)["state"] == 0  # written at start
        front = get_json(url + "/_sim/locks")[0]["lock_id"]
        post_form(url + "/_sim/lock_state", {"lock_id": str(front), "state": "1"})
        deadline = time.monotonic() + 5
        while _saved_front_door(state)["state"] != 1:  # saved soon after the change
            assert time.monotonic() < deadline, "the change was not saved within 5 s"
            time.sleep(0.1)
        post_form(url + "/_sim/battery", {"lock_id": str(front), "battery": "42"})
    assert _saved_front_door(state)["battery"] == 42  # saved when it stopped

    with _simulator(state) as (url, banner):
        assert f"state: loaded from {state}" in banner
        door = get_json(url + "/_sim/locks")[0]
        assert (door["name"], door["state"], door["battery"]) == ("Front door", 1, 42)
