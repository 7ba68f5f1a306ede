"""Locks: list (paged), detail, state, battery, remote lock/unlock, passage mode."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.ttlock_access.api import (
    Lock,
    LockState,
    TTLockClient,
    TTLockNotFoundError,
    TTLockUnreachableError,
)
from custom_components.ttlock_access.api.const import PAGE_SIZE_LOCKS
from simulator.cloud import FakeTTLockCloud
from simulator.state import FakeAccount


async def test_list_locks(demo_locks: dict[str, Lock]) -> None:
    assert set(demo_locks) == {"Front door", "Back door", "Garage"}
    front = demo_locks["Front door"]
    assert front.has_gateway
    assert front.supports_remote_lock
    assert 0 <= (front.battery or 0) <= 100
    assert not demo_locks["Garage"].has_gateway


async def test_list_locks_fetches_every_page(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_account: FakeAccount
) -> None:
    for number in range(2 * PAGE_SIZE_LOCKS + 10):
        cloud.add_lock(demo_account, name=f"Room {number}")
    cloud.reset_requests()
    locks = await client.list_locks()
    assert len(locks) == 2 * PAGE_SIZE_LOCKS + 13
    assert len({lock.lock_id for lock in locks}) == len(locks)
    assert cloud.requests["/v3/lock/list"] == 3


async def test_lock_detail(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    front = demo_locks["Front door"]
    detail = await client.get_lock_detail(front.lock_id)
    assert detail.lock.lock_id == front.lock_id
    assert detail.lock.name == "Front door"
    assert detail.firmware
    assert detail.model


async def test_unknown_lock(client: TTLockClient) -> None:
    with pytest.raises(TTLockNotFoundError):
        await client.get_lock_detail(1)


async def test_lock_and_unlock(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    await client.unlock(lock_id)
    assert await client.get_lock_state(lock_id) is LockState.UNLOCKED
    await client.lock(lock_id)
    assert await client.get_lock_state(lock_id) is LockState.LOCKED


async def test_state_follows_the_world(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    lock_id = demo_locks["Back door"].lock_id
    cloud.set_lock_state(lock_id, LockState.UNKNOWN)
    assert await client.get_lock_state(lock_id) is LockState.UNKNOWN
    cloud.set_lock_state(lock_id, 7)  # a value the docs do not list
    assert await client.get_lock_state(lock_id) is LockState.UNKNOWN


async def test_lock_without_gateway(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    with pytest.raises(TTLockUnreachableError) as err:
        await client.unlock(demo_locks["Garage"].lock_id)
    assert err.value.errcode == -2012


async def test_gateway_offline(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    (gateway,) = await client.list_gateways()
    cloud.set_gateway_online(gateway.gateway_id, False)
    with pytest.raises(TTLockUnreachableError) as err:
        await client.lock(demo_locks["Front door"].lock_id)
    assert err.value.errcode == -3002


async def test_gateway_calls_are_serialised(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    # Both locks sit behind the one gateway, which answers -3003 to overlapping commands.
    cloud.relay_delay = 0.1
    front, back = demo_locks["Front door"].lock_id, demo_locks["Back door"].lock_id
    await asyncio.gather(
        client.unlock(front),
        client.unlock(back),
        client.set_passage_mode(front, True),
        client.get_lock_state(back),
    )
    assert await client.get_lock_state(front) is LockState.UNLOCKED


async def test_passage_mode(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    await client.set_passage_mode(lock_id, True)
    config = await client.get_passage_mode(lock_id)
    assert config.enabled
    assert config.all_day
    assert config.weekdays == (1, 2, 3, 4, 5, 6, 7)
    await client.set_passage_mode(lock_id, False)
    assert not (await client.get_passage_mode(lock_id)).enabled
