"""Lock records (paged, newest first), IC cards and fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ttlock_access.api import (
    CredentialKind,
    Lock,
    OperationMethod,
    RecordType,
    TTLockClient,
    TTLockNotFoundError,
)
from custom_components.ttlock_access.api.const import PAGE_SIZE_RECORDS
from simulator.cloud import FakeTTLockCloud


async def test_list_records(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    records = await client.list_lock_records(demo_locks["Front door"].lock_id)
    assert records
    times = [record.lock_date for record in records]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    card = next(r for r in records if r.record_type == RecordType.IC_CARD_UNLOCK)
    assert card.method is OperationMethod.CARD
    assert card.unlocked is True
    assert card.username == "Mum's card"


async def test_list_records_between(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    now = datetime.now(UTC)
    lock_id = demo_locks["Front door"].lock_id
    recent = await client.list_lock_records(lock_id, start=now - timedelta(hours=10), end=now)
    assert recent
    assert all(r.lock_date and r.lock_date >= now - timedelta(hours=10) for r in recent)
    assert len(recent) < len(await client.list_lock_records(lock_id))


async def test_list_records_fetches_every_page(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_locks: dict[str, Lock]
) -> None:
    lock = cloud.locks[demo_locks["Garage"].lock_id]
    start = datetime.now(UTC) - timedelta(days=20)
    for minute in range(2 * PAGE_SIZE_RECORDS + 5):
        cloud.add_record(lock, RecordType.APP_UNLOCK, at=start + timedelta(minutes=minute))
    cloud.reset_requests()
    records = await client.list_lock_records(lock.lock_id)
    assert len(records) == 2 * PAGE_SIZE_RECORDS + 5 + 1  # and the demo's own record
    assert cloud.requests["/v3/lockRecord/list"] == 3
    assert records[0].lock_date is not None
    assert records[-1].lock_date is not None
    assert records[0].lock_date > records[-1].lock_date


async def test_cards(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    (card,) = await client.list_cards(lock_id)
    assert (card.name, card.number, card.lock_id) == ("Mum's card", "1723612378", lock_id)
    await client.delete_credential(CredentialKind.CARD, lock_id, card.card_id)
    assert await client.list_cards(lock_id) == []
    with pytest.raises(TTLockNotFoundError):
        await client.delete_credential(CredentialKind.CARD, lock_id, card.card_id)


async def test_fingerprints(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    lock_id = demo_locks["Front door"].lock_id
    (fingerprint,) = await client.list_fingerprints(lock_id)
    assert fingerprint.name == "Alex thumb"
    await client.delete_credential(CredentialKind.FINGERPRINT, lock_id, fingerprint.fingerprint_id)
    assert await client.list_fingerprints(lock_id) == []
    with pytest.raises(TTLockNotFoundError):
        await client.delete_credential(
            CredentialKind.FINGERPRINT, lock_id, fingerprint.fingerprint_id
        )
