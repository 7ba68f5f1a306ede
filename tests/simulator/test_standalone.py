"""``python -m simulator`` serves the demo dataset on the given port."""

from __future__ import annotations

import hashlib
import time

import pytest

from .process import get_json, post_form, run_simulator


@pytest.mark.usefixtures("socket_enabled")
def test_standalone_serves_login_and_lock_list() -> None:
    with run_simulator("--locks", "120") as (url, _banner):
        token = post_form(
            url + "/oauth2/token",
            {
                "clientId": "sim-client-id",
                "clientSecret": "sim-client-secret",
                "username": "demo@example.com",
                "password": hashlib.md5(b"demo-password").hexdigest(),
            },
        )
        locks = post_form(
            url + "/v3/lock/list",
            {
                "clientId": "sim-client-id",
                "accessToken": str(token["access_token"]),
                "date": str(int(time.time() * 1000)),
                "pageNo": "1",
                "pageSize": "1000",
            },
        )
        assert locks["total"] == 123
        assert get_json(url + "/_sim/stats")["requests"]["/v3/lock/list"] == 1
        listed = get_json(url + "/_sim/locks")
        assert len(listed) == 123
        assert listed[0] == {
            "lock_id": 3100001,
            "name": "Front door",
            "state": 0,
            "battery": 85,
            "gateway_ids": [210001],
        }
