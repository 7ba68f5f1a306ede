"""Fixtures of the client tests: a real client on a real session, against the fake cloud."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import aiohttp
import pytest

from custom_components.ttlock_access.api import Lock, Token, TTLockClient
from simulator.cloud import FakeTTLockCloud
from simulator.demo import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def token_updates() -> list[Token]:
    """Every token the client reported through on_token_update."""
    return []


@pytest.fixture
def make_client(
    session: aiohttp.ClientSession, cloud_url: str, token_updates: list[Token]
) -> Callable[..., TTLockClient]:
    """Build more clients on the same cloud (own token, timeout)."""

    def _make(*, token: Token | None = None, request_timeout: float = 10.0) -> TTLockClient:
        return TTLockClient(
            session,
            CLIENT_ID,
            CLIENT_SECRET,
            base_url=cloud_url,
            token=token,
            on_token_update=token_updates.append,
            request_timeout=request_timeout,
        )

    return _make


@pytest.fixture
async def client(
    session: aiohttp.ClientSession, cloud_url: str, token_updates: list[Token]
) -> TTLockClient:
    """A client logged in to the demo account."""
    ttlock = TTLockClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        base_url=cloud_url,
        on_token_update=token_updates.append,
        request_timeout=10.0,
    )
    await ttlock.login(DEMO_USERNAME, TTLockClient.hash_password(DEMO_PASSWORD))
    return ttlock


@pytest.fixture
async def demo_locks(client: TTLockClient) -> dict[str, Lock]:
    """The demo account's locks by name."""
    return {lock.name: lock for lock in await client.list_locks()}


@pytest.fixture
def cloud(fake_cloud: FakeTTLockCloud) -> FakeTTLockCloud:
    """Short alias of the fake cloud."""
    return fake_cloud
