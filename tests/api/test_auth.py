"""Login, refresh and token handling, against the fake cloud."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import logging

import aiohttp
import pytest

from custom_components.ttlock_access.api import (
    DEFAULT_SERVER,
    SERVERS,
    Token,
    TTLockAuthError,
    TTLockClient,
    TTLockConnectionError,
    TTLockInvalidClientError,
    TTLockServerError,
)
from simulator.cloud import FakeTTLockCloud
from simulator.demo import CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME
from simulator.state import FakeAccount

TOKEN = "/oauth2/token"
LOCKS = "/v3/lock/list"


def _soon(token: Token, delta: timedelta) -> Token:
    """The same token, pretending it expires ``delta`` from now."""
    return replace(token, expires_at=datetime.now(UTC) + delta)


def test_hash_password() -> None:
    assert TTLockClient.hash_password("abc") == "900150983cd24fb0d6963f7d28e17f72"


async def test_login(
    client: TTLockClient, token_updates: list[Token], demo_account: FakeAccount
) -> None:
    token = client.token
    assert token is not None
    assert token_updates == [token]
    assert client.uid == token.uid == demo_account.uid
    assert token.expires_at > datetime.now(UTC) + timedelta(days=80)


async def test_defaults(session: aiohttp.ClientSession) -> None:
    ttlock = TTLockClient(session, "id", "secret")
    assert ttlock.base_url == SERVERS[DEFAULT_SERVER]
    assert ttlock.token is None
    assert ttlock.uid is None
    with pytest.raises(TTLockAuthError):
        await ttlock.list_locks()
    with pytest.raises(TTLockAuthError):
        await ttlock.refresh_token()


async def test_login_accepts_upper_case_md5(make_client: Callable[..., TTLockClient]) -> None:
    ttlock = make_client()
    password_md5 = TTLockClient.hash_password(DEMO_PASSWORD).upper()
    token = await ttlock.login(DEMO_USERNAME, password_md5)
    assert token.uid is not None


async def test_login_refuses_plain_password(
    make_client: Callable[..., TTLockClient], cloud: FakeTTLockCloud
) -> None:
    with pytest.raises(ValueError, match="MD5"):
        await make_client().login(DEMO_USERNAME, DEMO_PASSWORD)
    assert cloud.requests[TOKEN] == 0


async def test_login_wrong_password(make_client: Callable[..., TTLockClient]) -> None:
    with pytest.raises(TTLockAuthError) as err:
        await make_client().login(DEMO_USERNAME, TTLockClient.hash_password("wrong"))
    assert err.value.errcode == 10007


async def test_login_wrong_client(session: aiohttp.ClientSession, cloud_url: str) -> None:
    ttlock = TTLockClient(session, CLIENT_ID, "bad-secret", base_url=cloud_url)
    with pytest.raises(TTLockInvalidClientError) as err:
        await ttlock.login(DEMO_USERNAME, TTLockClient.hash_password(DEMO_PASSWORD))
    assert err.value.errcode == 10001


async def test_refresh_token(client: TTLockClient, token_updates: list[Token]) -> None:
    old = client.token
    assert old is not None
    new = await client.refresh_token()
    assert new.access_token != old.access_token
    assert new.uid == old.uid  # the refresh answer has no uid: kept
    assert client.token is new
    assert token_updates[-1] is new
    assert len(await client.list_locks()) == 3


async def test_expired_token_refreshes_once_and_retries(
    client: TTLockClient, cloud: FakeTTLockCloud, token_updates: list[Token]
) -> None:
    cloud.expire_tokens()
    cloud.reset_requests()
    assert len(await client.list_locks()) == 3
    assert cloud.requests[TOKEN] == 1
    assert cloud.requests[LOCKS] == 2  # refused once, then retried
    assert len(token_updates) == 2


async def test_still_refused_after_refresh(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.fail_next(LOCKS, errcode=10004, count=2)
    with pytest.raises(TTLockAuthError) as err:
        await client.list_locks()
    assert err.value.errcode == 10004
    assert cloud.requests[TOKEN] == 2  # the login, then one refresh only


async def test_refresh_refused(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.expire_tokens()
    cloud.fail_next(TOKEN, errcode=10011)
    with pytest.raises(TTLockAuthError) as err:
        await client.list_locks()
    assert err.value.errcode == 10011


async def test_unknown_refresh_token(client: TTLockClient) -> None:
    assert client.token is not None
    client._token = replace(client.token, refresh_token="0" * 32)
    with pytest.raises(TTLockAuthError) as err:
        await client.refresh_token()
    assert err.value.errcode == 10011


async def test_refresh_refused_any_code_is_auth_error(
    client: TTLockClient, cloud: FakeTTLockCloud
) -> None:
    # Whatever refuses a refresh, apart from transient failures, calls for a new login.
    cloud.fail_next(TOKEN, errcode=-3)
    with pytest.raises(TTLockAuthError) as err:
        await client.refresh_token()
    assert err.value.errcode == -3


async def test_refresh_transient_failure_stays_transient(
    client: TTLockClient, cloud: FakeTTLockCloud
) -> None:
    cloud.fail_next(TOKEN, http_status=500)
    with pytest.raises(TTLockServerError):
        await client.refresh_token()


async def test_refresh_ahead_of_expiry(
    client: TTLockClient,
    make_client: Callable[..., TTLockClient],
    cloud: FakeTTLockCloud,
    token_updates: list[Token],
) -> None:
    assert client.token is not None
    near = _soon(client.token, timedelta(hours=1))
    ttlock = make_client(token=near)
    cloud.reset_requests()
    await ttlock.list_locks()
    assert cloud.requests[TOKEN] == 1
    assert cloud.requests[LOCKS] == 1
    assert ttlock.token is not None
    assert ttlock.token.access_token != near.access_token
    assert token_updates[-1] is ttlock.token


async def test_concurrent_calls_refresh_once(
    client: TTLockClient, make_client: Callable[..., TTLockClient], cloud: FakeTTLockCloud
) -> None:
    assert client.token is not None
    ttlock = make_client(token=_soon(client.token, timedelta(hours=1)))
    cloud.reset_requests()
    cloud.latency = 0.05  # let the calls overlap
    results = await asyncio.gather(*(ttlock.list_locks() for _ in range(4)))
    assert all(len(locks) == 3 for locks in results)
    assert cloud.requests[TOKEN] == 1


async def test_concurrent_expired_calls_refresh_once(
    client: TTLockClient, cloud: FakeTTLockCloud
) -> None:
    cloud.expire_tokens()
    cloud.reset_requests()
    cloud.latency = 0.05
    results = await asyncio.gather(*(client.list_locks() for _ in range(3)))
    assert all(len(locks) == 3 for locks in results)
    assert cloud.requests[TOKEN] == 1


async def test_early_refresh_failure_keeps_valid_token(
    client: TTLockClient, make_client: Callable[..., TTLockClient], cloud: FakeTTLockCloud
) -> None:
    assert client.token is not None
    near = _soon(client.token, timedelta(hours=1))
    ttlock = make_client(token=near)
    cloud.fail_next(TOKEN, http_status=503)
    assert len(await ttlock.list_locks()) == 3
    assert ttlock.token is near  # refresh tried again on the next call
    await ttlock.list_locks()
    assert ttlock.token is not near


async def test_refresh_failure_with_expired_token(
    client: TTLockClient, make_client: Callable[..., TTLockClient], cloud: FakeTTLockCloud
) -> None:
    assert client.token is not None
    ttlock = make_client(token=_soon(client.token, timedelta(seconds=-1)))
    cloud.fail_next(TOKEN, malformed=True)
    with pytest.raises(TTLockConnectionError):
        await ttlock.list_locks()


async def test_failing_token_callback_does_not_fail_the_call(
    client: TTLockClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_token: Token) -> None:
        raise RuntimeError("store failed")

    client._on_token_update = broken
    with caplog.at_level(logging.ERROR):
        token = await client.refresh_token()
    assert client.token is token
    assert "Token update callback failed" in caplog.text
