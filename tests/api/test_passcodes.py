"""Passcodes: offline codes, custom codes through the gateway, change, delete, list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging

import pytest

from custom_components.ttlock_access.api import (
    Lock,
    PasscodeType,
    TTLockClient,
    TTLockDuplicatePasscodeError,
    TTLockInvalidParameterError,
    TTLockNotFoundError,
    TTLockPasscodeQuotaError,
    TTLockPeriodReusedError,
)
from custom_components.ttlock_access.api.const import PAGE_SIZE_PASSCODES
from simulator.cloud import FakeTTLockCloud
from simulator.demo import CLIENT_SECRET, DEMO_PASSWORD

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


async def test_offline_period_code(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Garage"].lock_id  # no gateway needed
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=3)
    created = await client.get_offline_passcode(
        lock_id, PasscodeType.PERIOD, name="Guest", start=start, end=end
    )
    assert created.code.isdigit()
    assert 6 <= len(created.code) <= 9
    (listed,) = [
        p for p in await client.list_passcodes(lock_id) if p.passcode_id == created.passcode_id
    ]
    assert (listed.name, listed.type, listed.start, listed.end) == (
        "Guest",
        PasscodeType.PERIOD,
        start,
        end,
    )
    assert not listed.is_custom


async def test_offline_permanent_code_without_end(
    client: TTLockClient, demo_locks: dict[str, Lock]
) -> None:
    created = await client.get_offline_passcode(
        demo_locks["Garage"].lock_id, PasscodeType.PERMANENT, name="Neighbour", start=NOW
    )
    assert created.code.isdigit()


async def test_offline_period_reused(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    start, end = NOW + timedelta(days=5), NOW + timedelta(days=6)
    created = await client.get_offline_passcode(
        lock_id, PasscodeType.PERIOD, name="Stay", start=start, end=end
    )
    await client.delete_passcode(lock_id, created.passcode_id)
    with pytest.raises(TTLockPeriodReusedError):
        await client.get_offline_passcode(
            lock_id, PasscodeType.PERIOD, name="Stay", start=start, end=end
        )


async def test_custom_permanent_code(
    client: TTLockClient,
    demo_locks: dict[str, Lock],
    caplog: pytest.LogCaptureFixture,
) -> None:
    lock_id = demo_locks["Front door"].lock_id
    with caplog.at_level(logging.DEBUG):
        created = await client.add_custom_passcode(lock_id, "530291", name="Plumber")
    assert created.code == "530291"
    listed = {p.passcode_id: p for p in await client.list_passcodes(lock_id)}
    code = listed[created.passcode_id]
    assert (code.type, code.is_custom, code.name) == (PasscodeType.PERMANENT, True, "Plumber")
    assert code.start is None
    assert code.end is None
    # The call is logged (path and errcode), but no secret is.
    assert "/v3/keyboardPwd/add" in caplog.text
    assert client.token is not None
    secrets = ("530291", client.token.access_token, client.token.refresh_token, CLIENT_SECRET)
    secrets += (DEMO_PASSWORD, TTLockClient.hash_password(DEMO_PASSWORD))
    for record in caplog.records:
        if record.name.startswith("aiohttp.access"):
            continue  # the simulator's own server log
        assert not any(secret in record.getMessage() for secret in secrets), record.name


async def test_custom_period_code_change_and_delete(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    lock_id = demo_locks["Back door"].lock_id
    start, end = NOW + timedelta(hours=2, minutes=30), NOW + timedelta(days=2)
    created = await client.add_custom_passcode(lock_id, "7351", name="Guest", start=start, end=end)
    code = next(
        p for p in await client.list_passcodes(lock_id) if p.passcode_id == created.passcode_id
    )
    assert (code.type, code.start, code.end) == (PasscodeType.PERIOD, start, end)

    later = end + timedelta(days=1)
    await client.change_passcode(
        lock_id,
        created.passcode_id,
        name="Guest (extended)",
        new_code="7352",
        start=start,
        end=later,
    )
    code = next(
        p for p in await client.list_passcodes(lock_id) if p.passcode_id == created.passcode_id
    )
    assert (code.name, code.code, code.end) == ("Guest (extended)", "7352", later)

    await client.change_passcode(lock_id, created.passcode_id, name="Renamed")
    assert "changeType" not in cloud.last_params["/v3/keyboardPwd/change"]  # no lock operation
    await client.delete_passcode(lock_id, created.passcode_id)
    assert created.passcode_id not in {p.passcode_id for p in await client.list_passcodes(lock_id)}
    with pytest.raises(TTLockNotFoundError):
        await client.delete_passcode(lock_id, created.passcode_id)


async def test_custom_code_errors(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    with pytest.raises(TTLockDuplicatePasscodeError):
        await client.add_custom_passcode(lock_id, "480913", name="Again")  # the demo's Family code
    with pytest.raises(TTLockInvalidParameterError):
        await client.add_custom_passcode(lock_id, "123", name="Short")


async def test_quota(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    # The demo doors joined the account 90 days ago: 5 codes a month, then the quota error.
    lock_id = demo_locks["Back door"].lock_id
    for number in range(5):
        await client.add_custom_passcode(lock_id, f"80{number}517", name=f"Code {number}")
    with pytest.raises(TTLockPasscodeQuotaError):
        await client.add_custom_passcode(lock_id, "806517", name="One too many")


async def test_argument_checks(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    with pytest.raises(ValueError, match="together"):
        await client.add_custom_passcode(lock_id, "905127", name="Half", start=NOW)
    with pytest.raises(ValueError, match="together"):
        await client.change_passcode(lock_id, 1, end=NOW)
    with pytest.raises(ValueError, match="nothing"):
        await client.change_passcode(lock_id, 1)
    with pytest.raises(ValueError, match="naive"):
        await client.get_offline_passcode(
            lock_id,
            PasscodeType.ONE_TIME,
            name="Naive",
            start=datetime(2030, 1, 1),
        )


async def test_list_passcodes_fetches_every_page(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    lock = cloud.locks[demo_locks["Garage"].lock_id]
    for number in range(PAGE_SIZE_PASSCODES + 50):
        cloud.add_passcode(lock, f"{700000 + number}", name=f"Code {number}")
    cloud.reset_requests()
    passcodes = await client.list_passcodes(lock.lock_id)
    assert len(passcodes) == PAGE_SIZE_PASSCODES + 50
    assert all(p.lock_id == lock.lock_id for p in passcodes)
    assert cloud.requests["/v3/lock/listKeyboardPwd"] == 2
    # The official page marks orderBy required: newest first.
    assert cloud.last_params["/v3/lock/listKeyboardPwd"]["orderBy"] == "1"
