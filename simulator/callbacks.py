"""What the TTLock cloud POSTs to an application's callback URL (notifyType 1)."""

from __future__ import annotations

import json

from .state import FakeLock


def newest_record_callback(lock: FakeLock) -> dict[str, str]:
    """Return the lock-records callback form about the lock's newest record."""
    record = lock.records[-1]
    item = {
        "lockId": lock.lock_id,
        "recordType": record.record_type,
        "success": int(record.success),
        "username": record.username,
        "keyboardPwd": record.code,
        "lockDate": record.lock_date_ms,
        "serverDate": record.server_date_ms,
        "electricQuantity": record.battery,
    }
    return {"notifyType": "1", "lockId": str(lock.lock_id), "records": json.dumps([item])}
