"""Pytest plugin: the fake TTLock cloud, its URL and the demo account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
import pytest

from simulator import DEMO_USERNAME, FakeAccount, FakeTTLockCloud, populate_demo
from simulator.app import build_app
from simulator.demo import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def fake_cloud() -> FakeTTLockCloud:
    """A fake cloud holding the demo dataset."""
    cloud = FakeTTLockCloud(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    populate_demo(cloud)
    return cloud


@pytest.fixture
def demo_account(fake_cloud: FakeTTLockCloud) -> FakeAccount:
    """The demo account of ``fake_cloud``."""
    return fake_cloud.account_by_username(DEMO_USERNAME)


@pytest.fixture
async def cloud_url(
    fake_cloud: FakeTTLockCloud,
    aiohttp_server: Callable[..., Awaitable[Any]],
    socket_enabled: None,
) -> str:
    """Serve ``fake_cloud`` on 127.0.0.1 (closed by aiohttp_server at teardown)."""
    app: web.Application = build_app(fake_cloud)
    # No access log: under a frozen clock aiohttp cannot time requests and logs tracebacks.
    server = await aiohttp_server(app, host="127.0.0.1", access_log=None)
    return f"http://127.0.0.1:{server.port}"
