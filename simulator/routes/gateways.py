"""/v3/gateway/*: the account's gateways and the locks each one hears."""

from __future__ import annotations

from ..protocol import MAX_PAGE
from ..state import FakeGateway
from .params import JSON, Call, Handler, paged


def _gateway_item(call: Call, gateway: FakeGateway) -> JSON:
    return {
        "gatewayId": gateway.gateway_id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "gatewayVersion": gateway.version,
        "networkName": gateway.network_name,
        "networkMac": gateway.network_mac,
        "lockNum": len(call.cloud.gateway_locks(gateway, call.now)),
        "isOnline": 1 if gateway.online else 0,
    }


async def _list_gateways(call: Call) -> JSON:
    gateways = [g for g in call.cloud.gateways.values() if g.owner is call.account]
    order = call.params.int_or("orderBy", 1)
    if order == 1:
        gateways.reverse()  # newest first
    else:
        gateways.sort(key=lambda g: g.name.lower(), reverse=order == 2)
    return paged(call.params, gateways, MAX_PAGE, lambda g: _gateway_item(call, g))


async def _detail(call: Call) -> JSON:
    gateway = call.cloud.gateway_of(call.account, call.params.require_int("gatewayId"))
    return _gateway_item(call, gateway)


async def _list_locks(call: Call) -> JSON:
    gateway = call.cloud.gateway_of(call.account, call.params.require_int("gatewayId"))
    return {
        "list": [
            {
                "lockId": lock.lock_id,
                "lockMac": lock.mac,
                "lockName": lock.bluetooth_name,
                "lockAlias": lock.alias,
                "rssi": link.rssi,
                "updateDate": link.updated_ms(call.now),
            }
            for lock, link in call.cloud.gateway_locks(gateway, call.now)
        ]
    }


async def _list_by_lock(call: Call) -> JSON:
    lock = call.lock()
    return {
        "list": [
            {
                "gatewayId": link.gateway.gateway_id,
                "gatewayMac": link.gateway.mac,
                "gatewayName": link.gateway.name,
                "rssi": link.rssi,
                "rssiUpdateDate": link.updated_ms(call.now),
            }
            for link in lock.live_links(call.now)
        ]
    }


ROUTES: dict[str, Handler] = {
    "/v3/gateway/list": _list_gateways,
    "/v3/gateway/detail": _detail,
    "/v3/gateway/listLock": _list_locks,
    "/v3/gateway/listByLock": _list_by_lock,
}
