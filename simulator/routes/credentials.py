"""/v3/identityCard/* and /v3/fingerprint/*: list and delete."""

from __future__ import annotations

from ..errors import SUCCESS, CloudError
from ..protocol import MAX_PAGE
from ..state import FakeCredential, FakeLock
from .params import JSON, Call, Handler, paged


def _common(lock: FakeLock, item: FakeCredential) -> JSON:
    return {
        "lockId": lock.lock_id,
        "startDate": item.start_ms,
        "endDate": item.end_ms,
        "createDate": item.create_ms,
        "senderUsername": item.sender,
        "cyclicConfig": [],
    }


def _listed(call: Call, items: dict[int, FakeCredential]) -> list[FakeCredential]:
    search = call.params.get("searchStr")
    found = [c for c in items.values() if search is None or search.lower() in c.name.lower()]
    order = call.params.int_or("orderBy", 1)
    if order == 1:
        found.sort(key=lambda c: (c.create_ms, c.credential_id), reverse=True)
    else:
        found.sort(key=lambda c: c.name.lower(), reverse=order == 2)
    return found


async def _list_cards(call: Call) -> JSON:
    lock = call.lock()
    return paged(
        call.params,
        _listed(call, lock.cards),
        MAX_PAGE,
        lambda c: (
            {"cardId": c.credential_id, "cardNumber": c.number, "cardName": c.name}
            | {"cardType": 1}
            | _common(lock, c)
        ),
    )


async def _list_fingerprints(call: Call) -> JSON:
    lock = call.lock()
    return paged(
        call.params,
        _listed(call, lock.fingerprints),
        MAX_PAGE,
        lambda f: (
            {
                "fingerprintId": f.credential_id,
                "fingerprintNumber": f.number,
                "fingerprintName": f.name,
                "fingerprintType": 1,
            }
            | _common(lock, f)
        ),
    )


async def _delete(call: Call, items: dict[int, FakeCredential], id_name: str, missing: int) -> JSON:
    """Delete: deleteType 1 records a Bluetooth deletion; 2 goes through the gateway/Wi-Fi."""
    lock = call.lock()
    item_id = call.params.require_int(id_name)
    if item_id not in items:
        raise CloudError(missing)
    if call.params.int_or("deleteType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    del items[item_id]
    return SUCCESS


async def _delete_card(call: Call) -> JSON:
    return await _delete(call, call.lock().cards, "cardId", -1021)


async def _delete_fingerprint(call: Call) -> JSON:
    return await _delete(call, call.lock().fingerprints, "fingerprintId", -1023)


ROUTES: dict[str, Handler] = {
    "/v3/identityCard/list": _list_cards,
    "/v3/identityCard/delete": _delete_card,
    "/v3/fingerprint/list": _list_fingerprints,
    "/v3/fingerprint/delete": _delete_fingerprint,
}
