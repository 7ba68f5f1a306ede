"""/v3/lockRecord/list."""

from __future__ import annotations

from typing import Final

from ..protocol import MAX_PAGE
from ..state import FakeLock, FakeRecord
from .params import JSON, Call, Handler, paged

RETENTION_MS: Final = 183 * 24 * 3_600_000  # the cloud keeps six months

# Cloud recordType -> the lock's own numbering, where the docs give it.
_FROM_LOCK: Final = {7: 17, 8: 20, 11: 26, 12: 28}


def _record_item(lock: FakeLock, record: FakeRecord) -> JSON:
    return {
        "recordId": record.record_id,
        "lockId": lock.lock_id,
        "recordTypeFromLock": _FROM_LOCK.get(record.record_type, record.record_type),
        "recordType": record.record_type,
        "success": 1 if record.success else 0,
        "username": record.username,
        "keyboardPwd": record.code,
        "lockDate": record.lock_date_ms,
        "serverDate": record.server_date_ms,
        "electricQuantity": record.battery,
    }


async def _list_records(call: Call) -> JSON:
    """Newest first, optionally within [startDate, endDate] (0 = unbounded)."""
    lock = call.lock()
    start = max(call.params.int_or("startDate", 0), call.now - RETENTION_MS)
    end = call.params.int_or("endDate", 0) or None
    kind = call.params.integer("recordType")
    search = call.params.get("searchStr")
    records = sorted(
        (
            r
            for r in lock.records
            if start <= r.lock_date_ms
            and (end is None or r.lock_date_ms <= end)
            and (kind is None or r.record_type == kind)
            and (search is None or search == r.code)
        ),
        key=lambda r: (r.lock_date_ms, r.record_id),
        reverse=True,
    )
    return paged(call.params, records, MAX_PAGE, lambda r: _record_item(lock, r))


ROUTES: dict[str, Handler] = {"/v3/lockRecord/list": _list_records}
