"""Every errcode and transport failure maps to its typed exception (real HTTP)."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from custom_components.ttlock_access.api import (
    TTLockAuthError,
    TTLockClient,
    TTLockConnectionError,
    TTLockDuplicatePasscodeError,
    TTLockError,
    TTLockInvalidClientError,
    TTLockInvalidParameterError,
    TTLockNotFoundError,
    TTLockNotSupportedError,
    TTLockPasscodeError,
    TTLockPasscodeQuotaError,
    TTLockPeriodReusedError,
    TTLockPermissionError,
    TTLockRateLimitError,
    TTLockServerError,
    TTLockUnreachableError,
    TTLockWrongRegionError,
)
from custom_components.ttlock_access.api.const import ERR_PASSCODE_QUOTA
from simulator.cloud import FakeTTLockCloud

LOCKS = "/v3/lock/list"

# The contract's table; 10003/10004 are retried after a refresh (see test_auth).
EXPECTED: dict[int, type[TTLockError]] = {
    10007: TTLockAuthError,
    10011: TTLockAuthError,
    10000: TTLockInvalidClientError,
    10001: TTLockInvalidClientError,
    30008: TTLockWrongRegionError,
    30006: TTLockRateLimitError,
    30007: TTLockRateLimitError,
    -2012: TTLockUnreachableError,
    -3002: TTLockUnreachableError,
    -3003: TTLockUnreachableError,
    -3034: TTLockUnreachableError,
    -3035: TTLockUnreachableError,
    -3036: TTLockUnreachableError,
    -3037: TTLockUnreachableError,
    -1003: TTLockNotFoundError,
    -2009: TTLockNotFoundError,
    -4037: TTLockNotFoundError,
    -1008: TTLockNotFoundError,
    -1021: TTLockNotFoundError,
    -1023: TTLockNotFoundError,
    -3: TTLockInvalidParameterError,
    -3006: TTLockInvalidParameterError,
    -2032: TTLockInvalidParameterError,
    80000: TTLockInvalidParameterError,
    80002: TTLockInvalidParameterError,
    30005: TTLockInvalidParameterError,
    -4043: TTLockNotSupportedError,
    -2018: TTLockPermissionError,
    20002: TTLockPermissionError,
    -3007: TTLockDuplicatePasscodeError,
    -3009: TTLockPasscodeQuotaError,
    ERR_PASSCODE_QUOTA: TTLockPasscodeQuotaError,
    -1026: TTLockPeriodReusedError,
    -1007: TTLockPasscodeError,
    -3008: TTLockPasscodeError,
    1: TTLockServerError,
    90000: TTLockServerError,
}


@pytest.mark.parametrize(("errcode", "error"), list(EXPECTED.items()))
async def test_errcode_mapping(
    client: TTLockClient, cloud: FakeTTLockCloud, errcode: int, error: type[TTLockError]
) -> None:
    cloud.fail_next(LOCKS, errcode=errcode)
    with pytest.raises(error) as err:
        await client.list_locks()
    assert type(err.value) is error
    assert err.value.errcode == errcode
    assert str(err.value)


@pytest.mark.parametrize(("errcode", "monthly"), [(30006, False), (30007, True)])
async def test_rate_limit_monthly_flag(
    client: TTLockClient, cloud: FakeTTLockCloud, errcode: int, monthly: bool
) -> None:
    cloud.fail_next(LOCKS, errcode=errcode)
    with pytest.raises(TTLockRateLimitError) as err:
        await client.list_locks()
    assert err.value.monthly is monthly


async def test_rate_limit_from_the_cloud(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.set_rate_limit(1)
    await client.list_locks()
    with pytest.raises(TTLockRateLimitError):
        await client.list_locks()


async def test_unknown_errcode(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.fail_next(LOCKS, errcode=-9999)
    with pytest.raises(TTLockError) as err:
        await client.list_locks()
    assert type(err.value) is TTLockError
    assert err.value.errcode == -9999


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TTLockServerError),
        (503, TTLockServerError),
        (404, TTLockConnectionError),
        (429, TTLockConnectionError),
    ],
)
async def test_http_status(
    client: TTLockClient, cloud: FakeTTLockCloud, status: int, error: type[TTLockError]
) -> None:
    cloud.fail_next(LOCKS, http_status=status)
    with pytest.raises(error, match=str(status)):
        await client.list_locks()


async def test_malformed_json(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.fail_next(LOCKS, malformed=True)
    with pytest.raises(TTLockConnectionError, match="not JSON"):
        await client.list_locks()


async def test_timeout(
    client: TTLockClient, make_client: Callable[..., TTLockClient], cloud: FakeTTLockCloud
) -> None:
    impatient = make_client(token=client.token, request_timeout=0.1)
    cloud.fail_next(LOCKS, delay=1.0)
    with pytest.raises(TTLockConnectionError, match="no answer"):
        await impatient.list_locks()


async def test_cloud_latency_within_timeout(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    cloud.fail_next(LOCKS, delay=0.05)
    assert len(await client.list_locks()) == 3


async def test_connection_refused(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    ttlock = TTLockClient(
        session,
        "id",
        "secret",
        base_url="http://127.0.0.1:1",  # nothing listens there
    )
    with pytest.raises(TTLockConnectionError) as err:
        await ttlock.login("user", TTLockClient.hash_password("pw"))
    assert "Client" in str(err.value)  # the aiohttp error's name, not its URL
