"""Writes the cloud commits but whose answer is lost: what the client sees (simulator faults)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from custom_components.ttlock_access.api import (
    Lock,
    TTLockClient,
    TTLockConnectionError,
    TTLockServerError,
)
from simulator.cloud import FakeTTLockCloud

ADD = "/v3/keyboardPwd/add"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"http_status": 502}, TTLockServerError),
        ({"disconnect": True}, TTLockConnectionError),
        ({"malformed": True}, TTLockConnectionError),
    ],
)
async def test_committed_write_with_a_lost_answer(
    client: TTLockClient,
    cloud: FakeTTLockCloud,
    demo_locks: dict[str, Lock],
    fault: dict[str, object],
    error: type[Exception],
) -> None:
    """The client reports a failure, yet the code is on the lock: only a read tells."""
    front = demo_locks["Front door"]
    cloud.fail_next(ADD, after_commit=True, **fault)  # type: ignore[arg-type]
    with pytest.raises(error):
        await client.add_custom_passcode(front.lock_id, "583914", name="Guest 12")
    codes = {p.code: p for p in await client.list_passcodes(front.lock_id)}
    assert codes["583914"].name == "Guest 12"


async def test_answer_later_than_the_client_waits(
    make_client: Callable[..., TTLockClient],
    client: TTLockClient,
    cloud: FakeTTLockCloud,
    demo_locks: dict[str, Lock],
) -> None:
    """A timeout after the write: the lock was opened all the same."""
    front = demo_locks["Front door"]
    slow = make_client(token=client.token, request_timeout=0.3)
    cloud.fail_next("/v3/lock/unlock", after_commit=True, delay=1.0)
    with pytest.raises(TTLockConnectionError, match="no answer"):
        await slow.unlock(front.lock_id)
    assert cloud.locks[front.lock_id].state == 1  # unlocked


async def test_fault_before_the_write_changes_nothing(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    front = demo_locks["Front door"]
    before = len(cloud.locks[front.lock_id].passcodes)
    cloud.fail_next(ADD, http_status=502)
    with pytest.raises(TTLockServerError):
        await client.add_custom_passcode(front.lock_id, "583914", name="Guest 12")
    assert len(cloud.locks[front.lock_id].passcodes) == before
