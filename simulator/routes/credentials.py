"""/v3/identityCard/* and /v3/fingerprint/*: list, add a card, rename, change period, delete.

Fingerprints cannot be enrolled through the cloud ("adding fingerprint via gateway or WiFi
lock is not supported"): only listed, renamed, re-dated and deleted here.
"""

from __future__ import annotations

from ..errors import SUCCESS, CloudError
from ..protocol import MAX_CARD_NUMBER_DIGITS, MAX_CARDS, MAX_PAGE
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


def _period(call: Call, *, permanent_ok: bool) -> tuple[int, int]:
    """startDate/endDate in ms: 0/0 is permanent (not when changing a period)."""
    start = call.params.int_or("startDate", 0)
    end = call.params.int_or("endDate", 0)
    if (start, end) == (0, 0):
        if not permanent_ok:
            raise CloudError(-3)
        return 0, 0
    if start <= 0 or end <= start:
        raise CloudError(-3)
    return start, end


async def _add_card(call: Call, *, reversed_number: bool) -> JSON:
    """Add a card by its number: addType 2 goes through the gateway; 1 records a BLE add."""
    lock = call.lock()
    number = call.params.require("cardNumber")
    if not number.isdigit() or len(number) > MAX_CARD_NUMBER_DIGITS:
        raise CloudError(-3)
    name = call.params.get("cardName") or ""
    start, end = _period(call, permanent_ok=True)
    if len(lock.cards) >= MAX_CARDS:
        raise CloudError(-4056)
    if call.params.int_or("addType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    if reversed_number and int(number) < 1 << 32:
        # The reader's 4 bytes in the lock's order: what the list shows afterwards.
        number = str(int.from_bytes(int(number).to_bytes(4, "little"), "big"))
    card = call.cloud.add_card(lock, number, name=name)
    card.start_ms, card.end_ms = start, end
    return {"cardId": card.credential_id}


async def _add_card_reversed(call: Call) -> JSON:
    return await _add_card(call, reversed_number=True)


async def _add_card_plain(call: Call) -> JSON:
    return await _add_card(call, reversed_number=False)


async def _rename(call: Call, items: dict[int, FakeCredential], id_name: str, field: str) -> JSON:
    """Rename: a cloud record only, no lock operation."""
    item_id = call.params.require_int(id_name)
    name = call.params.require(field)
    if item_id not in items:
        raise CloudError(-1021 if id_name == "cardId" else -1023)
    items[item_id].name = name
    return SUCCESS


async def _change_period(call: Call, items: dict[int, FakeCredential], id_name: str) -> JSON:
    """Set a new validity (never permanent again); changeType 2 goes through the gateway."""
    lock = call.lock()
    item_id = call.params.require_int(id_name)
    if item_id not in items:
        raise CloudError(-1021 if id_name == "cardId" else -1023)
    start, end = _period(call, permanent_ok=False)
    if call.params.int_or("changeType", 1) == 2:
        async with call.cloud.relay(lock):
            pass
    items[item_id].start_ms, items[item_id].end_ms = start, end
    return SUCCESS


async def _rename_card(call: Call) -> JSON:
    return await _rename(call, call.lock().cards, "cardId", "cardName")


async def _rename_fingerprint(call: Call) -> JSON:
    return await _rename(call, call.lock().fingerprints, "fingerprintId", "fingerprintName")


async def _change_card_period(call: Call) -> JSON:
    return await _change_period(call, call.lock().cards, "cardId")


async def _change_fingerprint_period(call: Call) -> JSON:
    return await _change_period(call, call.lock().fingerprints, "fingerprintId")


ROUTES: dict[str, Handler] = {
    "/v3/identityCard/list": _list_cards,
    "/v3/identityCard/delete": _delete_card,
    "/v3/fingerprint/list": _list_fingerprints,
    "/v3/fingerprint/delete": _delete_fingerprint,
    "/v3/identityCard/addForReversedCardNumber": _add_card_reversed,
    "/v3/identityCard/add": _add_card_plain,
    "/v3/identityCard/rename": _rename_card,
    "/v3/identityCard/changePeriod": _change_card_period,
    "/v3/fingerprint/rename": _rename_fingerprint,
    "/v3/fingerprint/changePeriod": _change_fingerprint_period,
}
