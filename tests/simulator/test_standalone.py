"""``python -m simulator`` serves the demo dataset on the given port."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

REPO = Path(__file__).parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _post(url: str, form: dict[str, str]) -> dict[str, object]:
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(url, data=body, timeout=5) as response:
        result: dict[str, object] = json.load(response)
        return result


@pytest.mark.usefixtures("socket_enabled")
def test_standalone_serves_login_and_lock_list() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port), "--locks", "120"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f":{port}" in banner
        url = f"http://127.0.0.1:{port}"
        for _ in range(50):  # the banner comes just before the socket is bound
            try:
                token = _post(
                    url + "/oauth2/token",
                    {
                        "clientId": "sim-client-id",
                        "clientSecret": "sim-client-secret",
                        "username": "demo@example.com",
                        "password": hashlib.md5(b"demo-password").hexdigest(),
                    },
                )
                break
            except OSError:
                time.sleep(0.1)
        locks = _post(
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
        with urllib.request.urlopen(url + "/_sim/stats", timeout=5) as response:
            assert json.load(response)["requests"]["/v3/lock/list"] == 1
        with urllib.request.urlopen(url + "/_sim/locks", timeout=5) as response:
            listed = json.load(response)
        assert len(listed) == 123
        assert listed[0] == {
            "lock_id": 3100001,
            "name": "Front door",
            "state": 0,
            "battery": 85,
            "gateway_ids": [210001],
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
