"""What the TTLock cloud POSTs to the webhook about a fake lock's newest record."""

from __future__ import annotations

import json
from typing import Any

from simulator.state import FakeLock


def newest_record_callback(lock: FakeLock) -> dict[str, str]:
    """The notifyType 1 callback form about the lock's newest record."""
    record = lock.records[-1]
    item = {
        "recordId": record.record_id,
        "recordType": record.record_type,
        "success": int(record.success),
        "username": record.username,
        "lockDate": record.lock_date_ms,
        "serverDate": record.server_date_ms,
        "electricQuantity": record.battery,
    }
    return {"notifyType": "1", "lockId": str(lock.lock_id), "records": json.dumps([item])}


async def push_newest_record(client: Any, webhook_id: str, lock: FakeLock) -> None:
    """POST that callback to Home Assistant's webhook, as the cloud does."""
    response = await client.post(f"/api/webhook/{webhook_id}", data=newest_record_callback(lock))
    assert await response.text() == "success"
